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
    reliability_path: str | None = None,
    min_cell: int = 5,
) -> None:
    """Fit every model and write what is published of them (teichaku.report.publish):
    coefficients, diagnostics, one text per model and the reliability assessment."""
    from teichaku.analysis import reliability
    from teichaku.analysis.run import run_models
    from teichaku.report import publish
    from teichaku.report.suppress import Privacy

    spec, settings, codebook = load(analysis_config, codebook_path)
    coef, diag, texts = run_models(
        pd.read_parquet(analysis), pd.read_parquet(awareness), spec, settings, codebook
    )
    privacy = Privacy(int(min_cell))
    rules = reliability.Rules.from_config(analysis_config.get("reliability"))
    assessment = reliability.assess(
        [m.name for m in spec.models], coef, diag, rules, privacy.min_cell
    )
    shown_coef = publish.publish_coefficients(coef, assessment, privacy)
    shown_diag = publish.publish_diagnostics(diag, shown_coef, privacy)
    _write_csv(shown_coef, coefficients)
    _write_csv(shown_diag, diagnostics)
    if reliability_path:
        _write_csv(assessment, reliability_path)
    by_name = {Path(p).stem: p for p in fits}
    rows = assessment.set_index("model").to_dict("index")
    for name, text in texts.items():
        row = {"model": name, **rows[name]}
        text = publish.publish_fit_text(
            text,
            shown_coef[shown_coef["model"] == name],
            publish.diagnostic_lines(shown_diag[shown_diag["model"] == name]),
            row,
            privacy,
        )
        Path(by_name[name]).parent.mkdir(parents=True, exist_ok=True)
        Path(by_name[name]).write_text(text, encoding="utf-8")
    bad = diag[diag["status"] != "ok"]
    for _, r in bad.iterrows():
        log.warning("%s %s %s: %s", r["model"], r["check"], r["term"], r["message"])
    for r in assessment[assessment["status"] != reliability.REPORTED].itertuples():
        log.warning("%s: %s", r.model, r.reason_en)
    log.info(
        "%d models, %d coefficient rows, %d checks not ok", len(spec.models), len(coef), len(bad)
    )


def write_curves(
    *,
    analysis: str,
    output: str,
    analysis_config: dict,
    codebook_path: str,
    min_cell: int,
    cases: str,
    protection: str,
) -> None:
    """The curves as published (teichaku.report.publish.publish_curves): cut where fewer
    than min_cell remain at risk, a grouping left out where a group is too small or the
    tables (``protection``: data/processed/protection.json) suppress its count."""
    from teichaku.analysis.curves import build_curves
    from teichaku.report.protection import read_protection, report_cells
    from teichaku.report.publish import publish_curves
    from teichaku.report.suppress import Privacy

    spec, settings, codebook = load(analysis_config, codebook_path)
    data = pd.read_parquet(analysis)
    protected = read_protection(
        Path(protection).read_text(encoding="utf-8"),
        report_cells(pd.read_parquet(cases), data, spec, codebook),
    )
    curves = build_curves(data, spec.curves, settings.confidence)
    curves = publish_curves(curves, Privacy(int(min_cell)), protected)
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
    published: str | None,
    validation: str | None,
    output: str,
    analysis_config: dict,
    codebook_path: str,
    reliability: str | None = None,
    min_cell: int = 5,
    protection: str | None = None,
) -> None:
    """results/numbers.json; ``protection``: data/processed/protection.json, the run's
    protection of tables 1-3 (computed here when not given)."""
    from teichaku.analysis.numbers import build_numbers, numbers_json
    from teichaku.report.protection import read_protection, report_cells
    from teichaku.report.suppress import Privacy

    spec, settings, codebook = load(analysis_config, codebook_path)
    cases_table, analysis_table = pd.read_parquet(cases), pd.read_parquet(analysis)
    protected = None
    if protection:
        protected = read_protection(
            Path(protection).read_text(encoding="utf-8"),
            report_cells(cases_table, analysis_table, spec, codebook),
        )
    summary = None
    if validation:
        with open(validation, encoding="utf-8") as fh:
            summary = json.load(fh)
    numbers = build_numbers(
        pd.read_parquet(roster),
        cases_table,
        pd.read_parquet(awareness),
        analysis_table,
        pd.read_csv(coefficients),
        pd.read_csv(diagnostics),
        spec,
        settings,
        codebook,
        load_published(published) if published else None,
        summary,
        pd.read_csv(reliability, keep_default_na=False) if reliability else None,
        Privacy(int(min_cell)),
        protected,
    )
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(numbers_json(numbers), encoding="utf-8")
    log.info("numbers.json: %d top-level sections", len(numbers))


def write_predictions(
    *,
    analysis: str,
    output: str,
    analysis_config: dict,
    codebook_path: str,
    min_cell: int,
    reliability: str,
) -> None:
    """results/models/cif_predicted.parquet: the cumulative incidence predicted by each
    ``predictions:`` entry of the specification (fine_gray models), cut where fewer than
    ``min_cell`` cases are still followed. A model that is not reported (``reliability``:
    results/models/reliability.csv; not fitted, too few events, ...) predicts nothing: its
    predictions would publish its estimates in another form."""
    from teichaku.analysis import reliability as assessed
    from teichaku.analysis.dataset import key_independent_order
    from teichaku.analysis.fit import PREDICTION_COLUMNS, predictions

    spec, _, _ = load(analysis_config, codebook_path)
    status = pd.read_csv(reliability, keep_default_na=False).set_index("model")["status"]
    hidden = {m for m, s in status.items() if s == assessed.NOT_REPORTED}
    for p in spec.predictions:
        if p.model in hidden:
            log.info("no prediction %s: model %s is not reported", p.name, p.model)
    # sums in an order independent of the pseudonym key, so the file is too (to the last bit)
    data = key_independent_order(pd.read_parquet(analysis))
    frames = [
        predictions(spec, p, data, min_cell) for p in spec.predictions if p.model not in hidden
    ]
    table = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PREDICTION_COLUMNS)
    )
    _write_parquet(table, output)
    log.info("%d predicted cumulative incidence points", len(table))
