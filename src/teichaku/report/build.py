"""Build every table and figure from the pipeline's outputs (what the Snakemake rules call).

The choice of models for each table and figure follows their roles in config/models.yaml:
the ``primary`` model, the first ``secondary`` logistic model (whose outcome also defines
"prolonged" in Table 3), the ``sensitivity`` models of each, and one logistic model per
threshold of ``analysis.thresholds``.

``spec`` is the analysis specification (:class:`teichaku.analysis.specs.AnalysisSpec`); only
its ``models`` (name, role, type, outcome, data, scale, label_ja/en) and ``curves`` (name,
type, by) are read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from teichaku.analysis.dataset import prolonged_column
from teichaku.disclosure import Protection
from teichaku.published import compute_published, compute_valid_n
from teichaku.report import tables as tb
from teichaku.report.at_risk import AtRisk, followup_times, numbers_at_risk
from teichaku.report.labels import Labels
from teichaku.report.protection import model_protection, report_protection
from teichaku.report.suppress import Privacy

if TYPE_CHECKING:  # matplotlib (half a second) is imported only by the figures rule
    from teichaku.report import figures as fg

LOGISTIC_TYPES = ("logit", "gee", "mixed_logit")


@dataclass
class ReportInputs:
    roster: pd.DataFrame
    cases: pd.DataFrame
    awareness: pd.DataFrame
    analysis: pd.DataFrame
    coefficients: pd.DataFrame
    curves: pd.DataFrame
    numbers: dict
    published: dict | None  # None: a round without published figures
    spec: Any
    thresholds: tuple[int, ...]
    #: results/models/cif_predicted.parquet (the Fine-Gray predictions); empty without
    predicted: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["prediction", "model", "term", "value", "time", "cif"]
        )
    )
    #: the run's protection of tables 1-3 (data/processed/protection.json); None: computed
    protection: Protection | None = None


def read_numbers(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- model roles


def _fitted(spec: Any, coefficients: pd.DataFrame) -> list[Any]:
    present = set(coefficients["model"])
    return [m for m in spec.models if m.name in present]


def _role_model(spec: Any, what: str, test) -> Any:
    hit = next((m for m in spec.models if test(m)), None)
    if hit is None:
        raise ValueError(f"the model specification (analysis.models) has no {what}")
    return hit


def primary_model(spec: Any, coefficients: pd.DataFrame | None = None) -> Any:
    """The model of role primary, whether or not it could be fitted (one that could not is
    in no row of coefficients.csv: the tables, figures and summary say why)."""
    return _role_model(spec, "model with role: primary", lambda m: m.role == "primary")


def logistic_model(spec: Any, coefficients: pd.DataFrame | None = None) -> Any:
    """The first secondary logistic model (its outcome defines "prolonged" in table 3),
    whether or not it could be fitted."""
    return _role_model(
        spec,
        "secondary logit model",
        lambda m: m.role == "secondary" and m.type == "logit",
    )


def primary_and_sensitivity(spec: Any, coefficients: pd.DataFrame) -> list[str]:
    primary = primary_model(spec, coefficients)
    return [primary.name] + [
        m.name
        for m in _fitted(spec, coefficients)
        if m.role == "sensitivity" and m.type == primary.type
    ]


def logistic_side_by_side(spec: Any, coefficients: pd.DataFrame) -> list[str]:
    return [
        m.name
        for m in _fitted(spec, coefficients)
        if m.type in LOGISTIC_TYPES and m.data == "cases"
    ]


def threshold_models(spec: Any, coefficients: pd.DataFrame, thresholds) -> list[tuple[int, str]]:
    """(k, model) for each threshold: the first fitted logit model of outcome prolonged_k."""
    fitted = _fitted(spec, coefficients)
    out = []
    for k in thresholds:
        hit = next(
            (m for m in fitted if m.type == "logit" and m.outcome == prolonged_column(k)), None
        )
        if hit is not None:
            out.append((k, hit.name))
    return out


def model_labels(spec: Any, numbers: dict | None = None) -> dict[str, dict]:
    """Labels, scale and role of each model, and (from numbers.json) whether it is reported
    and why not (``reported``, ``reason_ja``, ``reason_en``)."""
    verdicts = (numbers or {}).get("models", {})
    return {
        m.name: {
            "label_ja": m.label_ja,
            "label_en": m.label_en,
            "scale": m.scale,
            "role": m.role,
            **{
                k: verdicts.get(m.name, {}).get(k, "")
                for k in ("reported", "reason_ja", "reason_en")
            },
        }
        for m in spec.models
    }


# --------------------------------------------------------------------------- tables


def table_protection(inp: ReportInputs, labels: Labels, privacy: Privacy) -> Protection:
    """The joint protection of the person counts of tables 1-3 (cohorts of the cases, and
    the prolonged status of table 3): what tables, figures, numbers.json and the summary
    read a count's status from (numbers.json through the same
    :func:`~teichaku.report.protection.report_protection`): the run's, where read."""
    if inp.protection is not None:
        if inp.protection.min_cell != privacy.min_cell:
            raise ValueError("the protection file was written for another privacy.min_cell")
        return inp.protection
    return report_protection(inp.cases, inp.analysis, inp.spec, labels.codebook, privacy.min_cell)


def computed_published(inp: ReportInputs, codebook) -> dict:
    """The published figures computed from the data, at the precision of numbers.json
    (unsuppressed: each table and figure suppresses what it shows, and numbers.json holds
    them as published)."""
    from teichaku.report.publish import round_significant

    values = compute_published(inp.roster, inp.cases, inp.awareness, codebook)
    return {
        section: {k: round_significant(v) if isinstance(v, float) else v for k, v in items.items()}
        for section, items in values.items()
    }


def build_tables(inp: ReportInputs, labels: Labels, privacy: Privacy) -> list[tb.Table]:
    ml = model_labels(inp.spec, inp.numbers)
    prolonged = logistic_model(inp.spec, inp.coefficients).outcome
    threshold = next(k for k in inp.thresholds if prolonged_column(k) == prolonged)
    counts = table_protection(inp, labels, privacy)
    models = model_protection(inp.coefficients, privacy.min_cell)
    return [
        tb.basic_attributes_table(
            inp.published,
            computed_published(inp, labels.codebook),
            inp.roster,
            inp.cases,
            inp.awareness,
            labels,
            privacy,
            counts,
        ),
        tb.support_table(inp.cases, labels, privacy, counts),
        tb.barriers_table(inp.analysis, prolonged, threshold, labels, privacy, counts),
        tb.models_table(inp.coefficients, ml, labels, privacy, models),
        tb.sensitivity_table(
            "table4b_sensitivity_primary",
            inp.coefficients,
            primary_and_sensitivity(inp.spec, inp.coefficients),
            ml,
            labels,
            privacy,
            models,
        ),
        tb.sensitivity_table(
            "table4c_sensitivity_logistic",
            inp.coefficients,
            logistic_side_by_side(inp.spec, inp.coefficients),
            ml,
            labels,
            privacy,
            models,
        ),
        tb.awareness_table(inp.published, inp.awareness, labels),
    ]


# --------------------------------------------------------------------------- figures


#: ``group`` values of results/models/curves.parquet for a yes/no grouping variable.
MARK_GROUPS = (("yes", "with_barrier"), ("no", "without_barrier"))


def curve_groups(labels: Labels, by: str) -> list[tuple[str, str, str]]:
    """(by, group, legend label) of each group of a curve's ``by`` variable: codebook levels
    in codebook order, or yes/no for a mark."""
    var = labels.variable("cases", by)
    if var.type == "mark":
        return [(by, group, labels.text(key)) for group, key in MARK_GROUPS]
    return [(by, code, labels.level("cases", by, code)) for code in var.codes]


def curve_horizons(
    analysis: pd.DataFrame, groups: list[tuple[str, str, str]], min_cell: int
) -> dict[tuple[str, str], float]:
    """(by, group) -> the time up to which at least ``min_cell`` cases are still followed
    (the min_cell-th longest follow-up): how far a curve's last step may be carried."""
    out = {}
    for by, group, _ in groups:
        times = followup_times(analysis, by, group)[::-1]
        if len(times) >= min_cell:
            out[(by, group)] = float(times[min_cell - 1])
    return out


def monthly_at_risk(analysis: pd.DataFrame, groups) -> AtRisk:
    """The numbers at risk of the curve groups at every whole month of follow-up (the
    figures print those at their regular times)."""
    longest = analysis["followup_months"].max()
    months = range(int(longest) + 1 if pd.notna(longest) else 1)
    return numbers_at_risk(analysis, groups, [float(m) for m in months])


def build_figures(inp: ReportInputs, ctx: fg.FigureContext) -> list[Path]:
    from teichaku.report import figures as fg

    labels = ctx.labels
    paths = []
    computed = computed_published(inp, labels.codebook)
    # figures 1-3 draw what tables 1-3 publish
    counts = table_protection(inp, labels, ctx.privacy)
    paths += fg.coverage_figure(ctx, computed, counts)
    valid_n = compute_valid_n(inp.roster, inp.cases, inp.awareness, labels.codebook)
    paths += fg.basic_attributes_figure(ctx, computed, inp.published, valid_n, counts)
    paths += fg.support_figure(ctx, counts)

    km = next(c for c in inp.spec.curves if c.type == "kaplan_meier")
    by = next(b for b in km.by if b != "all")
    groups = curve_groups(labels, by)
    paths += fg.km_figure(
        ctx,
        inp.curves,
        km.name,
        groups,
        curve_horizons(inp.analysis, groups, ctx.privacy.min_cell),
        monthly_at_risk(inp.analysis, groups),
    )
    cif = next(c for c in inp.spec.curves if c.type == "cumulative_incidence")
    panels = [(labels.var("cases", b), curve_groups(labels, b)) for b in cif.by if b != "all"]
    horizons = curve_horizons(
        inp.analysis, [g for _, gs in panels for g in gs], ctx.privacy.min_cell
    )
    at_risk = monthly_at_risk(inp.analysis, [g for _, gs in panels for g in gs])
    paths += fg.cif_figure(ctx, inp.curves, cif.name, panels, horizons, at_risk)
    paths += _fine_gray_figure(inp, ctx, cif.name, panels, horizons, at_risk)

    primary = primary_model(inp.spec, inp.coefficients)
    logistic = logistic_model(inp.spec, inp.coefficients)
    reasons = {
        name: m.get(f"reason_{labels.language}", "")
        for name, m in inp.numbers.get("models", {}).items()
        if m.get("reported", "reported") != "reported"
    }
    paths += fg.forest_figure(
        ctx,
        inp.coefficients,
        [
            (
                m.name,
                getattr(m, f"label_{labels.language}"),
                labels.text("hazard_ratio" if m.scale == "HR" else "odds_ratio"),
                labels.text(
                    f"direction_hr_{m.event}" if m.scale == "HR" else "direction_or_prolonged"
                ),
            )
            for m in (primary, logistic)
        ],
        exclude=set(inp.spec.term_labels),
        reasons=reasons,
    )
    by_k = threshold_models(inp.spec, inp.coefficients, inp.thresholds)
    barrier_terms = [v.name for v in labels.group_items("cases", "barrier")]
    paths += fg.threshold_figure(ctx, inp.coefficients, by_k, barrier_terms, reasons)
    paths += fg.awareness_figure(ctx, inp.awareness, inp.published)
    return paths


def _fine_gray_figure(inp: ReportInputs, ctx: fg.FigureContext, curve, panels, horizons, at_risk):
    """Figure 9: the curves of Figure 5 with the predictions of the first ``predictions:``
    entry (none drawn, with the reason, when its model is not reported or absent)."""
    from teichaku.report import figures as fg

    labels = ctx.labels
    prediction = next(iter(getattr(inp.spec, "predictions", ())), None)
    verdict = inp.numbers.get("models", {}).get(prediction.model, {}) if prediction else {}
    if prediction is None or prediction.model not in set(inp.coefficients["model"]):
        reason = labels.text("fine_gray_absent")
    elif verdict.get("reported", "reported") == "not_reported":
        reason = verdict.get(f"reason_{labels.language}", "")
    else:
        reason = ""
    predicted = (
        inp.predicted[inp.predicted["prediction"] == prediction.name]
        if prediction
        else inp.predicted.iloc[0:0]
    )
    return fg.fine_gray_cif_figure(
        ctx, inp.curves, curve, predicted, panels, horizons, reason, at_risk
    )
