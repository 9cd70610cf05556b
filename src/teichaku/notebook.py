"""What the analyst notebooks (``notebooks/``) share: where a workflow run's outputs are and
the configuration, codebook, labels and privacy rule it used.

A notebook reads only the outputs of a run, ``data/processed/<run>/`` and ``results/<run>/``
under the working folder, never raw files. The working folder is the environment variable
``TEICHAKU_ROOT`` (default: the repository). The configuration is the repository's
``config/config.yaml`` overlaid with the YAML file in ``TEICHAKU_CONFIG`` when set, as
``snakemake --configfile`` overlays it; its ``run`` names the run.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from teichaku import paths
from teichaku.codebook import DEFAULT_PATH, Codebook, load_codebook
from teichaku.entry import merge, read_yaml
from teichaku.report.build import ReportInputs, build_figures, build_tables
from teichaku.report.figures import FigureContext
from teichaku.report.labels import Labels, load_labels
from teichaku.report.spec import ReportSpec, load_report_spec
from teichaku.report.stage import load_inputs
from teichaku.report.suppress import Privacy
from teichaku.report.tables import Table

ROOT_VARIABLE = "TEICHAKU_ROOT"
CONFIG_VARIABLE = "TEICHAKU_CONFIG"
#: The repository holding the configuration, codebook and report labels.
REPOSITORY = DEFAULT_PATH.parents[1]
DEFAULT_CONFIG = REPOSITORY / "config" / "config.yaml"
LABELS = REPOSITORY / paths.REPORT_ASSETS / "labels.yaml"
#: Resolution of the figures shown in a notebook.
SCREEN_DPI = 100
#: Prefix of the temporary folder the figures are drawn in.
FIGURE_FOLDER_PREFIX = "teichaku-figures-"


def configured_path(root: Path, configured: str | Path) -> Path:
    """A path from the configuration: relative to the run folder where it exists there, else
    to the repository (the codebook, model file and published figures usually stay there)."""
    in_run = root / configured
    return in_run if in_run.exists() else REPOSITORY / configured


@dataclass(frozen=True)
class Run:
    """The outputs of one workflow run and what it was configured with."""

    root: Path
    config: dict
    codebook: Codebook
    labels: Labels
    privacy: Privacy

    @property
    def name(self) -> str:
        return self.config["run"]

    @property
    def processed(self) -> Path:
        return self.file(paths.PROCESSED_DIR)

    @property
    def results(self) -> Path:
        return self.file(paths.RESULTS_DIR)

    def file(self, relative: str) -> Path:
        """A file of the run, named as in :mod:`teichaku.paths` (``run.file(paths.NUMBERS)``:
        the run's name filled in)."""
        return self.root / paths.fill(relative, run=self.name)

    def path(self, configured: str | Path) -> Path:
        return configured_path(self.root, configured)

    def report_inputs(self) -> ReportInputs:
        """Everything the report's tables and figures are built from, as the report reads it
        (processed tables, analysis dataset, model results, curves, numbers.json)."""
        files = {name: self.file(paths.PROCESSED[name]) for name in paths.PROCESSED}
        files |= {
            "analysis": self.file(paths.ANALYSIS_DATASET),
            "coefficients": self.file(paths.COEFFICIENTS),
            "curves": self.file(paths.CURVES),
            "numbers": self.file(paths.NUMBERS),
            "protection": self.file(paths.PROTECTION),
            "published": self.path(self.config["published"]),
            "models": self.path(self.config["analysis"]["models"]),
            "codebook": self.path(self.config["codebook"]),
        }
        return load_inputs(paths=files, thresholds=self.config["analysis"]["thresholds"])

    def report(self, inputs: ReportInputs) -> ReportSpec:
        """The run's report (report.spec: its tables and figures, with their categories)."""
        configured = self.config["report"].get("spec", "config/report.yaml")
        return load_report_spec(self.path(configured), self.codebook, inputs.spec)

    def report_tables(self, inputs: ReportInputs) -> dict[str, Table]:
        """The report's tables by name (display strings, small cells suppressed)."""
        tables = build_tables(inputs, self.labels, self.privacy, self.report(inputs))
        return {t.name: t for t in tables}

    def report_figures(self, inputs: ReportInputs) -> dict[str, bytes]:
        """The report's figures as PNG images by name (``IPython.display.Image(data=...)``),
        at a screen resolution rather than the report's print one. They are drawn in a
        temporary folder that is removed again."""
        with tempfile.TemporaryDirectory(prefix=FIGURE_FOLDER_PREFIX) as out_dir:
            context = FigureContext(self.labels, self.privacy, SCREEN_DPI, Path(out_dir))
            drawn = build_figures(inputs, context, self.report(inputs))
            return {p.stem: p.read_bytes() for p in drawn if p.suffix == ".png"}


def open_run(
    root: str | Path | None = None,
    config: str | Path | None = None,
    language: str | None = None,
) -> Run:
    """The run in ``root`` (else ``$TEICHAKU_ROOT``, else the repository), configured by the
    repository's configuration overlaid with ``config`` (else ``$TEICHAKU_CONFIG``); labels
    in ``language`` (else the report's language)."""
    root = Path(root or os.environ.get(ROOT_VARIABLE) or REPOSITORY).resolve()
    settings = read_yaml(DEFAULT_CONFIG)
    overlay = config or os.environ.get(CONFIG_VARIABLE)
    if overlay:
        settings = merge(settings, read_yaml(Path(overlay)))
    processed = paths.fill(paths.PROCESSED_DIR, run=settings["run"])
    if not (root / processed).is_dir():
        raise FileNotFoundError(
            f"{root}: no {processed}/ here; run the workflow first or set "
            f"{ROOT_VARIABLE} to the working folder of a run ({CONFIG_VARIABLE} to its config)"
        )
    codebook = load_codebook(str(configured_path(root, settings["codebook"])))
    privacy = settings.get("privacy", {})
    return Run(
        root=root,
        config=settings,
        codebook=codebook,
        labels=load_labels(
            language or settings["report"]["languages"][0],
            LABELS,
            codebook,
            settings["analysis"]["confidence"],
        ),
        privacy=Privacy(privacy["min_cell"]) if "min_cell" in privacy else Privacy(),
    )


def execute_notebook(
    source: str | Path,
    target: str | Path | None,
    root: str | Path,
    config: str | Path | None = None,
    timeout: int = 600,
):
    """Run the notebook ``source`` on the run in ``root`` (configuration overlay ``config``)
    in a fresh ``python3`` kernel; write the executed copy to ``target`` when given.

    Raises ``nbclient.exceptions.CellExecutionError`` naming the cell that failed. No cell
    timings are recorded, so the same run gives the same executed notebook.
    """
    import nbformat
    from nbclient import NotebookClient

    source = Path(source)
    nb = nbformat.read(source, as_version=4)
    env = {ROOT_VARIABLE: str(Path(root).resolve())}
    if config:
        env[CONFIG_VARIABLE] = str(Path(config).resolve())
    previous = {name: os.environ.get(name) for name in (ROOT_VARIABLE, CONFIG_VARIABLE)}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            record_timing=False,
            resources={"metadata": {"path": str(source.parent)}},
        )
        client.execute()
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if target is not None:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
    return nb


def run_notebook(*, notebook: str | Path, output: str | Path, config: dict) -> None:
    """The rule notebook: execute ``notebook`` on the run in the working directory, with the
    run's configuration ``config`` (command-line overrides included), into ``output``."""
    with tempfile.TemporaryDirectory() as tmp:
        overlay = Path(tmp) / "config.yaml"
        overlay.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        execute_notebook(notebook, output, os.getcwd(), overlay)


if __name__ == "__main__":  # python -m teichaku.notebook NAME: the rule notebook on NAME
    from teichaku.entry import main

    main(
        "notebook",
        {
            path.stem: lambda config, path=path: run_notebook(
                notebook=path,
                output=paths.fill(paths.NOTEBOOK, run=config["run"], name=path.stem),
                config=config,
            )
            for path in sorted((REPOSITORY / "notebooks").glob("*.ipynb"))
        },
    )
