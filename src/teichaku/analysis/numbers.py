"""``results/numbers.json``: every number the summary quotes, computed from the data.

One nested JSON object, keys sorted, floats rounded to ``SIGNIFICANT`` significant digits so
that the same input gives byte-identical output. Keys:

- ``published``: the sections survey, basic_attributes and awareness of
  config/published-2021.yaml, computed by ``teichaku.published.compute_published``.
- ``published_check``: per published key, the computed value rounded at the printed
  precision, the published value and whether they agree (``ok``); ``all_ok``.
- ``followup``: n_cases; n_transition, n_competing, n_censored (open cases);
  n_start_imputed (release date used as start); n_time_invalid (no usable follow-up time);
  median_involvement_months (Kaplan-Meier median time to any end, open cases censored) with
  its confidence interval; pct_prolonged_<k> and n_valid_prolonged_<k> for every threshold
  (share followed at least k months among cases whose status at k is known).
- ``models``: per model: label_ja, label_en, role, type, scale, n, n_events, n_clusters,
  status (worst diagnostic status: ok | warning | error) and ``terms``: per term estimate,
  conf_low, conf_high, p_value, std_error (log scale), scale.
- ``primary``: the name of the primary model (role primary) and its barrier terms
  (``barriers``: term -> the same fields as above); n, n_events, n_clusters.
- ``center_sd``: the random-intercept SD (with interval) of each mixed model.
- ``methods_paragraph``: ja and en, the conventions of the fitted models and the direction of
  their ratios (``teichaku.analysis.methods``).
- ``diagnostics``: counts of checks per status and the list of checks not ok
  (model, check, term, status).
- ``validation``: when the ingestion summary is given: per table rows_read, rows_valid,
  rows_rejected, rows_duplicate, warnings per rule, and rejected_share_cases.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight

from teichaku.analysis.dataset import prolonged_column
from teichaku.analysis.methods import imputed_variables, methods_paragraph
from teichaku.analysis.specs import AnalysisSpec, Settings
from teichaku.codebook import Codebook
from teichaku.published import compare_published, compute_published, compute_valid_n

SIGNIFICANT = 8
STATUS_ORDER = ("ok", "warning", "error")
TERM_FIELDS = ("estimate", "conf_low", "conf_high", "p_value", "std_error", "scale")


def _clean(value):
    """JSON-ready, rounded, deterministic values (NaN -> null, Decimal -> float)."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, Decimal)):
        v = float(value)
        if not math.isfinite(v):
            return None
        return float(f"{v:.{SIGNIFICANT}g}")
    if value is None or value is pd.NA:
        return None
    return str(value)


def followup_numbers(analysis: pd.DataFrame, settings: Settings) -> dict:
    valid = analysis[analysis["followup_months"].notna()]
    sf = SurvfuncRight(valid["followup_months"].to_numpy(float), valid["ended"].to_numpy(float))
    median = sf.quantile(0.5)
    low, high = sf.quantile_ci(0.5, alpha=1 - settings.confidence)
    counts = analysis["event_type"].value_counts()
    out = {
        "n_cases": len(analysis),
        "n_transition": int(counts.get("transition", 0)),
        "n_competing": int(counts.get("competing", 0)),
        "n_censored": int(counts.get("censored", 0)),
        "n_start_imputed": int(analysis["start_imputed"].sum()),
        "n_time_invalid": int(analysis["time_invalid"].sum()),
        "median_involvement_months": median,
        "median_involvement_conf_low": low,
        "median_involvement_conf_high": high,
    }
    for k in settings.thresholds:
        col = analysis[prolonged_column(k)].dropna()
        out[f"n_valid_prolonged_{k}"] = len(col)
        out[f"pct_prolonged_{k}"] = 100 * float(col.mean()) if len(col) else math.nan
    return out


def model_numbers(
    coefficients: pd.DataFrame, diagnostics: pd.DataFrame, spec: AnalysisSpec
) -> dict:
    out = {}
    for model in spec.models:
        rows = coefficients[coefficients["model"] == model.name]
        statuses = diagnostics.loc[diagnostics["model"] == model.name, "status"]
        worst = max(statuses, key=STATUS_ORDER.index) if len(statuses) else "error"
        entry = {
            "label_ja": model.label_ja,
            "label_en": model.label_en,
            "role": model.role,
            "type": model.type,
            "scale": model.scale,
            "status": worst,
            "terms": {r["term"]: {f: r[f] for f in TERM_FIELDS} for _, r in rows.iterrows()},
        }
        for key in ("n", "n_events", "n_clusters"):
            entry[key] = rows[key].iloc[0] if len(rows) else None
        out[model.name] = entry
    return out


def build_numbers(
    roster: pd.DataFrame,
    cases: pd.DataFrame,
    awareness: pd.DataFrame,
    analysis: pd.DataFrame,
    coefficients: pd.DataFrame,
    diagnostics: pd.DataFrame,
    spec: AnalysisSpec,
    settings: Settings,
    codebook: Codebook,
    published: dict,
    validation: dict | None = None,
) -> dict:
    computed = compute_published(roster, cases, awareness, codebook)
    valid_n = compute_valid_n(roster, cases, awareness, codebook)
    check: dict = {}
    for c in compare_published(computed, published, valid_n):
        check.setdefault(c.section, {})[c.key] = {
            "computed": c.rounded,
            "published": c.published,
            "ok": c.ok,
            "valid_n": c.valid_n,
        }
    models = model_numbers(coefficients, diagnostics, spec)
    primary_name = next((m.name for m in spec.models if m.role == "primary"), None)
    primary = None
    if primary_name is not None:
        p = models[primary_name]
        primary = {
            "model": primary_name,
            "n": p["n"],
            "n_events": p["n_events"],
            "n_clusters": p["n_clusters"],
            "status": p["status"],
            "barriers": {t: v for t, v in p["terms"].items() if t.startswith("barrier_")},
        }
    center_sd = {
        name: m["terms"][t]
        for name, m in models.items()
        for t in m["terms"]
        if m["type"] == "mixed_logit" and t.startswith("sd(")
    }
    not_ok = diagnostics[diagnostics["status"] != "ok"]
    numbers = {
        "published": computed,
        "published_check": {
            "all_ok": all(v["ok"] for s in check.values() for v in s.values()),
            **check,
        },
        "followup": followup_numbers(analysis, settings),
        "models": models,
        "primary": primary,
        "center_sd": center_sd,
        "methods_paragraph": {
            language: methods_paragraph(
                spec, settings, coefficients, imputed_variables(spec, analysis), language
            )
            for language in ("ja", "en")
        },
        "diagnostics": {
            "counts": {s: int((diagnostics["status"] == s).sum()) for s in STATUS_ORDER},
            "not_ok": [
                {k: r[k] for k in ("model", "check", "term", "status")}
                for _, r in not_ok.iterrows()
            ],
        },
    }
    if validation is not None:
        numbers["validation"] = {
            "rejected_share_cases": validation.get("rejected_share_cases"),
            "tables": {
                name: {
                    k: t[k]
                    for k in (
                        "rows_read",
                        "rows_valid",
                        "rows_rejected",
                        "rows_duplicate",
                        "warnings",
                    )
                    if k in t
                }
                for name, t in validation.get("tables", {}).items()
            },
        }
    return _clean(numbers)


def numbers_json(numbers: dict) -> str:
    return json.dumps(numbers, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
