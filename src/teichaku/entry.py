"""What the stages' entry points share: logging, and the command line that runs one step of a
stage outside Snakemake on the workflow's own paths.

Every stage (``synthetic``, ``docs``, ``ingest``, ``analysis``, ``report``, ``simulation``) has
a ``stage.py`` of keyword-only functions, one per rule, that the thin scripts in
``workflow/scripts/`` call with the rule's input, output and params. Its ``__main__.py`` runs
the same functions as ``python -m teichaku.<stage> <step> [--configfile FILE ...]`` from the
repository (or a run folder), reading the configuration as Snakemake does (config/config.yaml,
overlaid by each ``--configfile``, validated against the workflow's schema with its defaults
filled in) and the paths of :mod:`teichaku.paths`: in the spirit of PyPSA's
``mock_snakemake``, a step can be rerun or debugged without the workflow.
"""

from __future__ import annotations

import argparse
import copy
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from teichaku import paths, yamlio

#: The workflow's configuration (relative to the repository or run folder).
CONFIG = Path("config/config.yaml")
#: Its schema: in the folder the step runs in when that holds the workflow, else in the
#: repository this package was installed from (editable).
SCHEMA = Path("workflow/schemas/config.schema.yaml")
REPOSITORY_SCHEMA = Path(__file__).resolve().parents[2] / SCHEMA


def config_schema() -> Path:
    return SCHEMA if SCHEMA.is_file() else REPOSITORY_SCHEMA


Steps = Mapping[str, Callable[[dict], None]]


def setup_logging(path: str | Path | None) -> None:
    """Log INFO and above to stderr and, when ``path`` is given, to that file (a rule's log)."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(path, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(message)s", handlers=handlers, force=True
    )


def merge(base: dict, override: dict) -> dict:
    """``override`` laid over ``base``, nested mappings merged key by key (as
    ``snakemake --configfile`` overlays a configuration)."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def read_yaml(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yamlio.safe_load(fh) or {}


def load_config(overlays: Sequence[str | Path] = (), base: str | Path = CONFIG) -> dict:
    """The workflow's configuration: ``base`` overlaid by ``overlays`` in order, validated
    against the workflow's schema (which fills in the defaults), as the Snakefile reads it."""
    from teichaku.validation import validate

    config = read_yaml(base)
    for overlay in overlays:
        config = merge(config, read_yaml(overlay))
    validate(config, str(config_schema()))
    return config


def round_codebook(config: dict) -> str:
    """The codebook of the run's round (the codebook with the survey section laid over it,
    teichaku.survey), written where the workflow writes it; its path."""
    from teichaku.survey import write_round_codebook

    path = paths.of(config["run"]).ROUND_CODEBOOK
    write_round_codebook(config["codebook"], config["survey"], path)
    return path


def main(stage: str, steps: Steps, argv: Sequence[str] | None = None) -> None:
    """The command line of ``python -m teichaku.<stage>``: run one step (``steps``: name ->
    function of the configuration), logging to stderr and to logs/<run>/<stage>_<step>.log."""
    parser = argparse.ArgumentParser(
        prog=f"python -m teichaku.{stage}",
        description=f"Run one step of the {stage} stage on the workflow's own paths "
        "(run from the repository or a run folder).",
    )
    parser.add_argument("step", choices=sorted(steps), help="the step (the rule) to run")
    parser.add_argument(
        "--configfile",
        action="append",
        default=[],
        metavar="FILE",
        help="a YAML file overlaid on config/config.yaml (repeatable, as in snakemake)",
    )
    args = parser.parse_args(argv)
    if not CONFIG.is_file():
        parser.error(f"no {CONFIG} here: run from the repository or a run folder")
    config = load_config(args.configfile)
    setup_logging(paths.of(config["run"]).log(f"{stage}_{args.step}"))
    steps[args.step](config)
