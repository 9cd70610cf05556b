"""The files each report rule reads, by input name: what the workflow asks for when it
starts (every rerun, a no-op included), so this module imports nothing heavy (no pandas);
reading and building are in teichaku.report.stage."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from teichaku import paths as run_paths

if TYPE_CHECKING:
    from teichaku.report import build


def input_paths(config: dict, assets: str | Path) -> dict:
    """The files the report rules may read, by input name (``assets``: workflow/report),
    for the run of ``config``; each builder reads some of them (build.Builder.inputs), the
    codebook and labels always."""
    run = run_paths.of(config["run"])
    return {
        "roster": run.PROCESSED["roster"],
        "cases": run.PROCESSED["cases"],
        "awareness": run.PROCESSED["awareness"],
        "analysis": run.ANALYSIS_DATASET,
        "coefficients": run.COEFFICIENTS,
        "numbers": run.NUMBERS,
        "protection": run.PROTECTION,
        "curves": run.CURVES,
        "predicted": run.CIF_PREDICTED,
        **({"published": config["published"]} if config["published"] else {}),
        "models": config["analysis"]["models"],  # the summary's methods (tables get facts)
        "codebook": run.ROUND_CODEBOOK,  # the round's (teichaku.survey)
        "labels": Path(assets) / "labels.yaml",
    }


def builder_inputs(files: dict, builder: build.Builder) -> dict:
    """The files of ``files`` (:func:`input_paths`) that ``builder`` reads, with the codebook
    and the labels."""
    return {k: v for k, v in files.items() if k in (*builder.inputs, "codebook", "labels")}
