"""The runs one workflow invocation knows: the main one (the configuration's ``run``) and
the further runs declared under ``runs:`` (name -> a YAML file laid over the main
configuration, e.g. another survey round), each with its own folders (teichaku.paths).

Every run's outputs are Snakemake patterns with a ``{run}`` wildcard, so that a target such
as ``results/synthetic-2022/numbers.json`` (or a rule comparing the runs of ``compare:``)
brings that run up to date beside the others; each rule reads its run's configuration
through :func:`setting`.

A run folder records what input its outputs came from (``data/processed/<run>/input.json``,
written by the ingest rule). :func:`foreign_input` tells a run that is about to start into
a folder holding another input's outputs (another source, raw folder or synthetic
configuration); the workflow then refuses to start unless ``overwrite: true`` is given.
New content of the same raw folder (a corrected file) is an update, not another input.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from teichaku import paths
from teichaku.entry import merge, read_yaml

#: Keys of the main configuration that belong to the invocation, not to one run.
INVOCATION_KEYS = ("runs", "compare", "overwrite")


class RunConfigError(ValueError):
    """A declared run's configuration is unusable (reported without a traceback)."""


def validate_config(config: dict, schema: str | Path) -> None:
    """Validate one run's configuration against the workflow's schema, filling in its
    defaults, after turning the text that nested ``--config`` values arrive as into the
    numbers the schema expects (teichaku.config_values)."""
    from teichaku.config_values import coerce_to_schema
    from teichaku.validation import validate

    coerce_to_schema(config, Path(schema))
    validate(config, str(schema))


def declared_runs(
    config: dict, validate: Callable[[dict], None], base: str | Path = "."
) -> dict[str, dict]:
    """run name -> that run's full configuration (validated, defaults filled in), the main
    run first. ``validate`` validates (and fills in) one configuration in place; overlay
    files under ``runs:`` are read relative to ``base``."""
    main = {k: v for k, v in config.items() if k not in INVOCATION_KEYS}
    runs = {config["run"]: main}
    for name, overlay in (config.get("runs") or {}).items():
        if name in runs:
            raise RunConfigError(f"runs: {name} is the main run (run: {config['run']})")
        path = Path(base) / overlay
        if not path.is_file():
            raise RunConfigError(f"runs.{name}: {overlay} not found")
        layer = read_yaml(path)
        if layer.get("run", name) != name:
            raise RunConfigError(f"runs.{name}: {overlay} names another run ({layer['run']})")
        extra = sorted(set(layer) & set(INVOCATION_KEYS))
        if extra:
            raise RunConfigError(f"runs.{name}: {overlay} may not set {', '.join(extra)}")
        run_config = merge(main, {**layer, "run": name})
        validate(run_config)  # fills in the schema's defaults, the invocation's keys too
        runs[name] = {k: v for k, v in run_config.items() if k not in INVOCATION_KEYS}
    for name in config.get("compare") or []:
        if name not in runs:
            raise RunConfigError(
                f"compare: {name} is not a run (declared: {', '.join(sorted(runs))})"
            )
    return runs


def setting(runs: Mapping[str, dict], *keys: str) -> Callable:
    """A function of a rule's wildcards giving the setting ``keys`` of the rule's run (for
    input:, params: and the like): ``setting(RUNS, "privacy", "min_cell")``."""

    def of_run(wildcards, *_):
        value = runs[wildcards.run]
        for key in keys:
            value = value[key]
        return value

    return of_run


def language_free(config: dict) -> dict:
    """A run's configuration without report.languages, keys sorted: what one language's
    summary is made from (and records the hash of), so that adding a language, on the
    command line or in a file, never reruns another."""
    report = {k: v for k, v in config.get("report", {}).items() if k != "languages"}
    return _sorted({**config, "report": report})


def _sorted(node):
    if isinstance(node, dict):
        return {key: _sorted(node[key]) for key in sorted(node)}
    return node


def input_record(config: dict) -> dict:
    """What input a run's outputs come from: the identity :func:`foreign_input` compares
    (source, raw folder, synthetic configuration) and, for the record, the codebook."""
    synthetic = config["input"]["source"] == "synthetic"
    return {
        "run": config["run"],
        "source": config["input"]["source"],
        "raw_dir": paths.raw_dir(config).as_posix(),
        "synthetic_config": config["input"]["synthetic_config"] if synthetic else None,
    }


#: The fields of the record that tell one input from another.
IDENTITY = ("source", "raw_dir", "synthetic_config")


def write_input_record(record: dict, path: str | Path, raw_digest: str | None) -> None:
    """Write ``record`` (:func:`input_record`) with the digest of the raw files read into
    the run's data/processed folder: what input its outputs came from."""
    record = record | {"raw_digest": raw_digest}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def foreign_input(config: dict, root: str | Path = ".") -> str | None:
    """Why the run of ``config`` may not write into its folders (a message naming both
    inputs and how to go on), or None when they are empty or hold this input's outputs."""
    run = config["run"]
    recorded_path = Path(root) / paths.fill(paths.RUN_INPUT, run=run)
    if not recorded_path.is_file():
        return None
    try:
        recorded = json.loads(recorded_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    ours = input_record(config)
    if all(recorded.get(k) == ours[k] for k in IDENTITY):
        return None

    def describe(record: dict) -> str:
        return ", ".join(f"{k} {record.get(k)}" for k in IDENTITY if record.get(k) is not None)

    return (
        f"The folders of run '{run}' (data/processed/{run}/, results/{run}/) hold the outputs "
        f"of another input:\n"
        f"  in the folder:  {describe(recorded) or 'unknown (' + str(recorded_path) + ')'}\n"
        f"  this run reads: {describe(ours)}\n"
        f"Give this input a run name of its own (config key run:), or replace the old outputs "
        f"with --config overwrite=true.\n"
        f"実行 '{run}' のフォルダには別の入力の結果があります。別の実行名 (run:) を付けるか、"
        f"--config overwrite=true で上書きしてください。"
    )
