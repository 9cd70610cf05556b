"""The analysis stage's steps as the workflow runs them: read inputs, compute, write outputs.

The Snakemake scripts in workflow/scripts/ only pass paths and config here;
``python -m teichaku.analysis`` runs the same steps outside Snakemake. Outputs are
deterministic: CSVs with fixed float formatting, parquet without pandas metadata noise, JSON
with sorted keys.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

# The models, curves and numbers (statsmodels, scipy.stats: about a second of imports) are
# imported by the steps that use them, so that each rule's process loads only its own.
from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.specs import AnalysisSpec, Settings, load_analysis_spec
from teichaku.codebook import Codebook, load_codebook
from teichaku.published import load_published

log = logging.getLogger(__name__)
FLOAT_FORMAT = "%.10g"


def load(
    analysis_config: dict, codebook_path: str | Path
) -> tuple[AnalysisSpec, Settings, Codebook]:
    codebook = load_codebook(str(codebook_path))
    settings = Settings.from_config(analysis_config)
    spec = load_analysis_spec(analysis_config["models"], list(settings.thresholds), codebook)
    return spec, settings, codebook


def _write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.reset_index(drop=True).to_parquet(path, index=False)


def _write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_dataset(
    *, cases: str, roster: str, output: str, analysis_config: dict, codebook_path: str
) -> pd.DataFrame:
    spec, settings, codebook = load(analysis_config, codebook_path)
    data = build_analysis_dataset(
        pd.read_parquet(cases), pd.read_parquet(roster), spec, list(settings.thresholds), codebook
    )
    counts = data["event_type"].value_counts().to_dict()
    log.info(
        "analysis dataset: %d cases, events %s, %d with imputed start, %d without time",
        len(data),
        counts,
        int(data["start_imputed"].sum()),
        int(data["time_invalid"].sum()),
    )
    _write_parquet(data, output)
    return data


def write_models(
    *,
    analysis: str,
    awareness: str,
    coefficients: str,
    diagnostics: str,
    fits: list[str],
    analysis_config: dict,
    codebook_path: str,
) -> None:
    from teichaku.analysis.run import run_models

    spec, settings, codebook = load(analysis_config, codebook_path)
    coef, diag, texts = run_models(
        pd.read_parquet(analysis), pd.read_parquet(awareness), spec, settings, codebook
    )
    _write_csv(coef, coefficients)
    _write_csv(diag, diagnostics)
    by_name = {Path(p).stem: p for p in fits}
    for name, text in texts.items():
        Path(by_name[name]).parent.mkdir(parents=True, exist_ok=True)
        Path(by_name[name]).write_text(text, encoding="utf-8")
    bad = diag[diag["status"] != "ok"]
    for _, r in bad.iterrows():
        log.warning("%s %s %s: %s", r["model"], r["check"], r["term"], r["message"])
    log.info(
        "%d models, %d coefficient rows, %d checks not ok", len(spec.models), len(coef), len(bad)
    )


def write_curves(*, analysis: str, output: str, analysis_config: dict, codebook_path: str) -> None:
    from teichaku.analysis.curves import build_curves

    spec, settings, _ = load(analysis_config, codebook_path)
    curves = build_curves(pd.read_parquet(analysis), spec.curves, settings.confidence)
    _write_parquet(curves, output)
    log.info("%d curve points in %d curves", len(curves), curves["curve"].nunique())


def write_numbers(
    *,
    roster: str,
    cases: str,
    awareness: str,
    analysis: str,
    coefficients: str,
    diagnostics: str,
    published: str,
    validation: str | None,
    output: str,
    analysis_config: dict,
    codebook_path: str,
) -> None:
    from teichaku.analysis.numbers import build_numbers, numbers_json

    spec, settings, codebook = load(analysis_config, codebook_path)
    summary = None
    if validation:
        with open(validation, encoding="utf-8") as fh:
            summary = json.load(fh)
    numbers = build_numbers(
        pd.read_parquet(roster),
        pd.read_parquet(cases),
        pd.read_parquet(awareness),
        pd.read_parquet(analysis),
        pd.read_csv(coefficients),
        pd.read_csv(diagnostics),
        spec,
        settings,
        codebook,
        load_published(published),
        summary,
    )
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(numbers_json(numbers), encoding="utf-8")
    log.info("numbers.json: %d top-level sections", len(numbers))


def write_predictions(
    *, analysis: str, output: str, analysis_config: dict, codebook_path: str
) -> None:
    """results/models/cif_predicted.parquet: the cumulative incidence predicted by each
    ``predictions:`` entry of the specification (fine_gray models)."""
    from teichaku.analysis.fit import PREDICTION_COLUMNS, predictions

    spec, _, _ = load(analysis_config, codebook_path)
    frames = [predictions(spec, p, pd.read_parquet(analysis)) for p in spec.predictions]
    table = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PREDICTION_COLUMNS)
    )
    _write_parquet(table, output)
    log.info("%d predicted cumulative incidence points", len(table))
