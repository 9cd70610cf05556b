"""The files each report rule reads, by input name: what the workflow asks for when it
starts (every rerun, a no-op included), so this module imports nothing heavy (no pandas);
reading and building are in teichaku.report.stage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from teichaku import paths as run_paths


@dataclass(frozen=True)
class Reads:
    """What one builder of teichaku.report.build reads: ``inputs`` (keys of
    :func:`input_paths`) and ``facts`` (parts of the analysis specification,
    teichaku.report.facts), so that the workflow gives each job only those (a table of the
    cases never reads the models)."""

    inputs: tuple[str, ...]
    facts: tuple[str, ...] = ()


#: What the joint protection of the person counts is recomputed from (protection.json holds
#: the statuses only).
PROTECTED = ("cases", "analysis", "protection")
#: Figures 1-2 read what Table 1 reads.
SURVEY = ("roster", "awareness", "published", *PROTECTED)
MODEL_RESULTS = ("coefficients", "numbers")

TABLE_READS: dict[str, Reads] = {
    "basic_attributes": Reads(SURVEY, ("prolonged",)),
    "support": Reads(PROTECTED, ("prolonged",)),
    "barriers": Reads(PROTECTED, ("prolonged", "models")),
    "models": Reads(MODEL_RESULTS, ("models",)),
    "sensitivity": Reads(MODEL_RESULTS, ("models",)),
    "awareness": Reads(("awareness", "published")),
    "crosstab": Reads(PROTECTED, ("prolonged",)),
}
FIGURE_READS: dict[str, Reads] = {
    "coverage": Reads(SURVEY, ("prolonged",)),
    "basic_attributes": Reads(SURVEY, ("prolonged",)),
    "support": Reads(PROTECTED, ("prolonged",)),
    "km": Reads(("curves", "analysis"), ("curves",)),
    "cif": Reads(("curves", "analysis"), ("curves",)),
    "fine_gray": Reads(
        ("curves", "analysis", "predicted", *MODEL_RESULTS), ("curves", "predictions")
    ),
    "forest": Reads(MODEL_RESULTS, ("models", "term_labels")),
    "threshold": Reads(MODEL_RESULTS, ("models",)),
    "awareness": Reads(("awareness", "published")),
}


def input_paths(config: dict, assets: str | Path) -> dict:
    """The files the report rules may read, by input name (``assets``: workflow/report),
    for the run of ``config``; each builder reads some of them (:data:`TABLE_READS`,
    :data:`FIGURE_READS`), the codebook and labels always."""
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


def builder_inputs(files: dict, reads: Reads) -> dict:
    """The files of ``files`` (:func:`input_paths`) that a builder ``reads``, with the
    codebook and the labels."""
    return {k: v for k, v in files.items() if k in (*reads.inputs, "codebook", "labels")}
