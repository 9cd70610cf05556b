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

Every number passes the publication rule (teichaku.report.publish): a sensitive count of
people, and every share, mean, median or estimate resting on one, is the marker
``<min_cell`` (a string). Models carry their reliability assessment (``reported``:
reported | estimates_only | not_reported, ``reason_ja``, ``reason_en``); a model not
reported has no estimates, one reported as estimates only has no intervals or p-values.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

import numpy as np
import pandas as pd

from teichaku.analysis import survfunc
from teichaku.analysis.dataset import prolonged_column
from teichaku.analysis.methods import imputed_variables, methods_paragraph
from teichaku.analysis.specs import AnalysisSpec, Settings
from teichaku.codebook import Codebook
from teichaku.disclosure import Protection
from teichaku.published import ITEMS, compare_published, compute_published, compute_valid_n
from teichaku.report import publish
from teichaku.report.protection import (
    ALL,
    item_shown,
    known_key,
    prolonged_key,
    prolonged_outcome,
    report_protection,
)
from teichaku.report.suppress import Privacy

SIGNIFICANT = publish.SIGNIFICANT
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


def followup_numbers(
    analysis: pd.DataFrame,
    settings: Settings,
    privacy: Privacy,
    protection: Protection | None = None,
    prolonged: str | None = None,
) -> dict:
    """The follow-up figures; the share prolonged at the threshold of table 3
    (``prolonged``, its column) as ``protection`` publishes the group sizes it rests on."""
    valid = analysis[analysis["followup_months"].notna()]
    times = valid["followup_months"].to_numpy(float)
    sf = survfunc.survival(times, valid["ended"].to_numpy(float))
    median = survfunc.quantile(sf, 0.5)
    low, high = survfunc.quantile_ci(sf, 0.5, alpha=1 - settings.confidence)
    counts = analysis["event_type"].value_counts()
    n = len(analysis)
    ends = partition_counts(privacy, n, counts)
    out = {
        "n_cases": privacy.count_value(n),
        **ends,
        "n_start_imputed": publish.share_count(privacy, int(analysis["start_imputed"].sum()), n),
        "n_time_invalid": publish.share_count(privacy, int(analysis["time_invalid"].sum()), n),
        "median_involvement_months": _time_shown(median, times, privacy),
        "median_involvement_conf_low": _time_shown(low, times, privacy),
        "median_involvement_conf_high": _time_shown(high, times, privacy),
    }
    for k in settings.thresholds:
        name = prolonged_column(k)
        col = analysis[name].dropna()
        yes = int(col.sum())
        pct = 100 * float(col.mean()) if len(col) else math.nan
        if protection is not None and name == prolonged:
            known, group = known_key(name), prolonged_key(name, 1)
            out[f"n_valid_prolonged_{k}"] = len(col) if protection.shown(known) else privacy.marker
            shown = not len(col) or protection.share_shown(group, known)
        else:  # a split printed nowhere else: its own counts decide
            out[f"n_valid_prolonged_{k}"] = privacy.count_value(len(col))
            shown = not len(col) or not privacy.share_suppressed(yes, len(col))
        out[f"pct_prolonged_{k}"] = pct if shown else privacy.marker
    return out


def partition_counts(privacy: Privacy, n: int, counts: pd.Series) -> dict:
    """n_transition, n_competing, n_censored (they add up to n_cases) as published."""
    parts = {f"n_{e}": int(counts.get(e, 0)) for e in ("transition", "competing", "censored")}
    return publish.partition(privacy, n, parts)


def _time_shown(value: float, times, privacy: Privacy):
    """A time on the follow-up scale (a median, its interval) as published: hidden when
    fewer than min_cell cases are still followed at it (it would be the end of one of few
    people)."""
    if value is None or not np.isfinite(value):
        return value
    return privacy.marker if int(np.sum(times >= value)) < privacy.min_cell else value


def model_numbers(
    coefficients: pd.DataFrame,
    diagnostics: pd.DataFrame,
    spec: AnalysisSpec,
    assessment: pd.DataFrame | None = None,
) -> dict:
    """Per model: labels, sample counts and terms as in the published coefficients.csv,
    and whether (and why not) it is reported."""
    out = {}
    judged = assessment.set_index("model").to_dict("index") if assessment is not None else {}
    for model in spec.models:
        rows = coefficients[coefficients["model"] == model.name]
        statuses = diagnostics.loc[diagnostics["model"] == model.name, "status"]
        worst = max(statuses, key=STATUS_ORDER.index) if len(statuses) else "error"
        verdict = judged.get(model.name, {})
        entry = {
            "label_ja": model.label_ja,
            "label_en": model.label_en,
            "role": model.role,
            "type": model.type,
            "scale": model.scale,
            "status": worst,
            "reported": verdict.get("status", "reported"),
            "reason_ja": verdict.get("reason_ja") or "",
            "reason_en": verdict.get("reason_en") or "",
            "terms": {r["term"]: {f: r[f] for f in TERM_FIELDS} for _, r in rows.iterrows()},
        }
        for key in ("n", "n_events", "n_clusters"):
            entry[key] = _count_cell(rows[key].iloc[0]) if len(rows) else None
        out[model.name] = entry
    return out


def _count_cell(value):
    """A count column of the published coefficients.csv (a number or the marker)."""
    if isinstance(value, str):
        return value if publish.is_marker(value) else int(float(value))
    return value


def published_numbers(computed: dict, protection: Protection) -> tuple[dict, set]:
    """The published figures computed from the data, as table 1 publishes them (overall
    column): a share, mean or count whose cells the joint protection of tables 1-3
    suppresses (primary or secondary) is the marker. Returns them and the (section, key)
    hidden."""
    out = {section: dict(values) for section, values in computed.items()}
    hidden = set()
    for item in ITEMS:
        if item.table != "cases" or item.key not in out.get(item.section, {}):
            continue
        if not item_shown(protection, item, ALL):
            out[item.section][item.key] = protection.marker
            hidden.add((item.section, item.key))
    return out, hidden


def _valid_n_shown(item, n, protection: Protection):
    """The valid n of a published figure as table 1 prints it (``item`` None: not a
    count of people)."""
    if item is None or n is None:
        return n
    key = ("size", ALL) if item.kind == "rows" else ("valid", item.column, ALL)
    return n if protection.shown(key) else protection.marker


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
    published: dict | None,
    validation: dict | None = None,
    assessment: pd.DataFrame | None = None,
    privacy: Privacy | None = None,
    protection: Protection | None = None,
) -> dict:
    """numbers.json (see the module doc); ``protection``: the run's protection of tables
    1-3 (computed when not given)."""
    privacy = privacy or Privacy()
    if protection is None:
        protection = report_protection(cases, analysis, spec, codebook, privacy.min_cell)
    computed = compute_published(roster, cases, awareness, codebook)
    valid_n = compute_valid_n(roster, cases, awareness, codebook)
    shown, hidden = published_numbers(computed, protection)
    person_items = {(i.section, i.key): i for i in ITEMS if i.table == "cases"}
    check: dict = {}
    for c in compare_published(computed, published, valid_n) if published is not None else []:
        secret = (c.section, c.key) in hidden
        item = person_items.get((c.section, c.key))
        check.setdefault(c.section, {})[c.key] = {
            "computed": privacy.marker if secret else c.rounded,
            "published": c.published,
            "ok": None if secret else c.ok,
            "valid_n": _valid_n_shown(item, c.valid_n, protection),
        }
    models = model_numbers(coefficients, diagnostics, spec, assessment)
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
            "reported": p["reported"],
            "reason_ja": p["reason_ja"],
            "reason_en": p["reason_en"],
            "barriers": {t: v for t, v in p["terms"].items() if t.startswith("barrier_")},
        }
    center_sd = {
        name: m["terms"][t]
        for name, m in models.items()
        for t in m["terms"]
        if m["type"] == "mixed_logit" and t.startswith("sd(") and m["reported"] == "reported"
    }
    checks = [v["ok"] for sec in check.values() for v in sec.values()]
    not_ok = diagnostics[diagnostics["status"] != "ok"]
    numbers = {
        "published": shown,
        # null for a round without published figures (published: null): nothing to compare
        "published_check": None
        if published is None
        else {
            # unknown (null) when a comparison is hidden: "all agree" would reveal it
            "all_ok": None if None in checks else all(checks),
            **check,
        },
        "followup": followup_numbers(
            analysis, settings, privacy, protection, prolonged_outcome(spec)
        ),
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
