"""Run every model of the specification and assemble the tidy outputs:
results/models/coefficients.csv, diagnostics.csv and one text summary per model."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from teichaku.analysis import diagnostics as dg
from teichaku.analysis.dataset import build_center_dataset, key_independent_order
from teichaku.analysis.fit import COEFFICIENT_COLUMNS, fit_model, tidy
from teichaku.analysis.outputs import gather
from teichaku.analysis.specs import AnalysisSpec, ModelSpec, Settings
from teichaku.analysis.terms import term_label
from teichaku.codebook import Codebook

log = logging.getLogger(__name__)


def model_data(spec: ModelSpec, analysis: pd.DataFrame, awareness: pd.DataFrame) -> pd.DataFrame:
    """The rows a model is fitted on, in an order independent of the pseudonym key."""
    if spec.data == "centers":
        return build_center_dataset(analysis, awareness, spec.outcome)
    return key_independent_order(analysis)


def fit_one(
    model: ModelSpec,
    analysis: pd.DataFrame,
    awareness: pd.DataFrame | None,
    spec: AnalysisSpec,
    settings: Settings,
    codebook: Codebook,
) -> tuple[pd.DataFrame | None, list[dict], str]:
    """Fit one model: its coefficient rows (None when it could not be fitted), its
    diagnostic rows and its fit summary. A failure is reported in the diagnostics."""
    log.info("fitting %s (%s)", model.name, model.type)
    try:
        est, rows, info = fit_model(model, model_data(model, analysis, awareness), settings)
    # Any failure of one model (bad data for it, a numerical breakdown inside statsmodels)
    # must be reported and must not stop the other models.
    except Exception as exc:
        log.warning("model %s failed: %s", model.name, exc)
        est, info = None, {}
        rows = [dg.row(model.name, "fit", "error", f"not fitted: {type(exc).__name__}: {exc}")]
    table = tidy(model, est, info, settings) if est is not None else None
    if table is not None:
        table["label_ja"] = [term_label(t, spec, codebook, "ja") for t in table["term"]]
        table["label_en"] = [term_label(t, spec, codebook, "en") for t in table["term"]]
        table = table[COEFFICIENT_COLUMNS]
    return table, rows, fit_text(model, table, rows, info)


def run_models(
    analysis: pd.DataFrame,
    awareness: pd.DataFrame,
    spec: AnalysisSpec,
    settings: Settings,
    codebook: Codebook,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Fit all models. A model that fails is reported in the diagnostics; the rest go on."""
    fitted, texts = [], {}
    for model in spec.models:
        table, rows, texts[model.name] = fit_one(
            model, analysis, awareness, spec, settings, codebook
        )
        fitted.append((table, rows))
    coefficients, diagnostics = gather(fitted)
    return coefficients, diagnostics, texts


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def fit_text(spec: ModelSpec, table: pd.DataFrame | None, diags: list[dict], info: dict) -> str:
    """A plain-text summary of one model (deterministic: no dates, no timings)."""
    lines = [
        f"Model: {spec.name} ({spec.type}, role {spec.role})",
        f"  {spec.label_en}",
        f"  {spec.label_ja}",
        f"Formula: {spec.formula}",
    ]
    if spec.time_to_event:
        lines.append(f"Event: {spec.event} (other ends and open cases censored)")
    else:
        lines.append(f"Outcome: {spec.outcome}")
    lines += [
        f"Sample restriction: {spec.where or 'none'}",
        f"Missing covariates: {spec.missing}",
        f"Clusters: {spec.cluster or 'none'}",
    ]
    for key in (
        "n",
        "n_events",
        "n_clusters",
        "n_cases",
        "n_centers_without_cases",
        "n_dropped_missing",
    ):
        if key in info:
            lines.append(f"{key}: {_fmt(info[key])}")
    lines.append("")
    if table is None:
        lines.append("No estimates: the model was not fitted.")
    else:
        shown = table[
            [
                "term",
                "scale",
                "estimate",
                "conf_low",
                "conf_high",
                "std_error",
                "p_value",
                "se_type",
            ]
        ]
        lines.append(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    lines += ["", "Diagnostics:"]
    for d in diags:
        term = f" [{d['term']}]" if d["term"] else ""
        value = f" value={_fmt(d['value'])}" if not np.isnan(d["value"]) else ""
        p = f" p={_fmt(d['p_value'])}" if not np.isnan(d["p_value"]) else ""
        lines.append(f"  {d['status']:7s} {d['check']}{term}{value}{p} {d['message']}".rstrip())
    return "\n".join(lines) + "\n"
