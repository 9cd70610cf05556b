"""Build each table and figure of the report (config/report.yaml) from the pipeline's outputs.

A builder (:data:`TABLE_BUILDERS`, :data:`FIGURE_BUILDERS`) makes one table or figure of a
:class:`~teichaku.report.spec.TableSpec` / :class:`~teichaku.report.spec.FigureSpec`; it
declares the inputs it reads (keys of :func:`teichaku.report.inputs.input_paths`) and which
facts of the analysis specification it needs, so that the workflow gives each job only
those (a table of the cases never reads the models).

The models of a table follow its ``options.models`` (:func:`teichaku.report.spec.select_models`);
the figures of the models follow the roles of config/models.yaml: the ``primary`` model,
the first ``secondary`` logistic model (whose outcome also defines "prolonged" in Table 3)
and one logistic model per threshold of ``analysis.thresholds``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from teichaku.analysis.dataset import prolonged_column, prolonged_threshold
from teichaku.disclosure import Protection
from teichaku.published import compute_published, compute_valid_n
from teichaku.report import tables as tb
from teichaku.report.at_risk import AtRisk, followup_times, numbers_at_risk
from teichaku.report.facts import AnalysisFacts
from teichaku.report.inputs import FIGURE_READS, TABLE_READS, Reads
from teichaku.report.labels import Labels, item_title
from teichaku.report.protection import model_protection, report_protection
from teichaku.report.spec import FigureSpec, ReportSpec, TableSpec, select_models
from teichaku.report.suppress import Privacy

if TYPE_CHECKING:  # matplotlib (half a second) is imported only by the figure jobs
    from teichaku.report import figures as fg

LOGISTIC_TYPES = ("logit", "gee", "mixed_logit")


@dataclass
class ReportInputs:
    """What the builders read; a job loads only the inputs of its builder (None: not read)."""

    #: the analysis specification (AnalysisSpec) or the facts of it a job was given
    spec: AnalysisFacts | Any
    thresholds: tuple[int, ...]
    roster: pd.DataFrame | None = None
    cases: pd.DataFrame | None = None
    awareness: pd.DataFrame | None = None
    analysis: pd.DataFrame | None = None
    coefficients: pd.DataFrame | None = None
    curves: pd.DataFrame | None = None
    numbers: dict = field(default_factory=dict)
    published: dict | None = None  # None: a round without published figures
    #: results/models/cif_predicted.parquet (the Fine-Gray predictions); empty without
    predicted: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["prediction", "model", "term", "value", "time", "cif"]
        )
    )
    #: the run's protection of tables 1-3 and the cross-tabulations
    #: (data/processed/protection.json); None: computed
    protection: Protection | None = None


def read_numbers(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- model roles


def _fitted(spec: AnalysisFacts, coefficients: pd.DataFrame) -> list[Any]:
    present = set(coefficients["model"])
    return [m for m in spec.models if m.name in present]


def _role_model(spec: AnalysisFacts, what: str, test) -> Any:
    hit = next((m for m in spec.models if test(m)), None)
    if hit is None:
        raise ValueError(f"the model specification (analysis.models) has no {what}")
    return hit


def primary_model(spec: AnalysisFacts, coefficients: pd.DataFrame | None = None) -> Any:
    """The model of role primary, whether or not it could be fitted (one that could not is
    in no row of coefficients.csv: the tables, figures and summary say why)."""
    return _role_model(spec, "model with role: primary", lambda m: m.role == "primary")


def logistic_model(spec: AnalysisFacts, coefficients: pd.DataFrame | None = None) -> Any:
    """The first secondary logistic model (its outcome defines "prolonged" in table 3),
    whether or not it could be fitted."""
    return _role_model(
        spec,
        "secondary logit model",
        lambda m: m.role == "secondary" and m.type == "logit",
    )


def threshold_models(
    spec: AnalysisFacts, coefficients: pd.DataFrame, thresholds
) -> list[tuple[int, str]]:
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


def model_labels(spec: AnalysisFacts, numbers: dict | None = None) -> dict[str, dict]:
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


# --------------------------------------------------------------------------- shared


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


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Builder:
    """How one kind of table or figure is made: ``make``, and what it reads
    (:class:`teichaku.report.inputs.Reads`, which the workflow plans from without this module)."""

    make: Callable
    reads: Reads


@dataclass(frozen=True)
class TableJob:
    """Everything a table builder gets besides its inputs."""

    item: TableSpec
    labels: Labels
    privacy: Privacy
    #: the models of the main text (none declared: the primary model)
    models_main: tuple[str, ...] = ()


def _basic_attributes_table(inp: ReportInputs, job: TableJob) -> tb.Table:
    labels = job.labels
    return tb.basic_attributes_table(
        inp.published,
        computed_published(inp, labels.codebook),
        inp.roster,
        inp.cases,
        inp.awareness,
        labels,
        job.privacy,
        table_protection(inp, labels, job.privacy),
    )


def _support_table(inp: ReportInputs, job: TableJob) -> tb.Table:
    counts = table_protection(inp, job.labels, job.privacy)
    return tb.support_table(inp.cases, job.labels, job.privacy, counts)


def _barriers_table(inp: ReportInputs, job: TableJob) -> tb.Table:
    prolonged = logistic_model(inp.spec).outcome
    threshold = prolonged_threshold(prolonged, inp.thresholds)
    counts = table_protection(inp, job.labels, job.privacy)
    return tb.barriers_table(inp.analysis, prolonged, threshold, job.labels, job.privacy, counts)


def _table_models(inp: ReportInputs, job: TableJob, fitted_only: bool) -> list[str]:
    fitted = set(inp.coefficients["model"]) if fitted_only else None
    return select_models(
        job.item.options["models"], inp.spec, job.models_main or _main(inp), fitted
    )


def _main(inp: ReportInputs) -> tuple[str, ...]:
    """The models of the main text when the report declares none: the primary model."""
    return (primary_model(inp.spec).name,)


def _models_table(inp: ReportInputs, job: TableJob) -> tb.Table:
    chosen = _table_models(inp, job, fitted_only=False)
    labels = model_labels(inp.spec, inp.numbers)
    # the models in the order of the specification, as the whole table lists them
    coefficients = inp.coefficients[inp.coefficients["model"].isin(chosen)]
    return tb.models_table(
        coefficients,
        {name: entry for name, entry in labels.items() if name in chosen},
        job.labels,
        job.privacy,
        model_protection(inp.coefficients, job.privacy.min_cell),
    )


def _sensitivity_table(inp: ReportInputs, job: TableJob) -> tb.Table:
    return tb.sensitivity_table(
        job.item.name,
        inp.coefficients,
        _table_models(inp, job, fitted_only=True),
        model_labels(inp.spec, inp.numbers),
        job.labels,
        job.privacy,
        model_protection(inp.coefficients, job.privacy.min_cell),
    )


def _awareness_table(inp: ReportInputs, job: TableJob) -> tb.Table:
    return tb.awareness_table(inp.published, inp.awareness, job.labels)


def _crosstab_table(inp: ReportInputs, job: TableJob) -> tb.Table:
    from teichaku.report.crosstab import crosstab_table
    from teichaku.report.protection import prolonged_outcome

    if inp.protection is None:  # the run's joint protection includes every cross-tabulation
        inp = replace(
            inp,
            protection=report_protection(
                inp.cases,
                inp.analysis,
                inp.spec,
                job.labels.codebook,
                job.privacy.min_cell,
                [job.item.options],
            ),
        )
    return crosstab_table(
        job.item,
        inp.cases,
        inp.analysis,
        prolonged_outcome(inp.spec),
        inp.thresholds,
        job.labels,
        job.privacy,
        inp.protection,
    )


def _builders(makers: dict[str, Callable], reads: dict[str, Reads]) -> dict[str, Builder]:
    """Each builder's function with what it reads (:mod:`teichaku.report.inputs`): the two
    must name the same builders, or the workflow would plan a job no function makes."""
    if set(makers) != set(reads):
        raise ValueError(f"builders {sorted(makers)} and their reads {sorted(reads)} differ")
    return {name: Builder(make, reads[name]) for name, make in makers.items()}


TABLE_BUILDERS = _builders(
    {
        "basic_attributes": _basic_attributes_table,
        "support": _support_table,
        "barriers": _barriers_table,
        "models": _models_table,
        "sensitivity": _sensitivity_table,
        "awareness": _awareness_table,
        "crosstab": _crosstab_table,
    },
    TABLE_READS,
)


def build_table(
    inp: ReportInputs, item: TableSpec, labels: Labels, privacy: Privacy, models_main=()
) -> tb.Table:
    """The table of ``item``, named and titled as the report declares it (a cross-tabulation
    without a title of its own or in labels.yaml keeps the one its builder makes)."""
    table = TABLE_BUILDERS[item.builder].make(inp, TableJob(item, labels, privacy, models_main))
    return replace(table, name=item.name, title=item_title(item, labels, "tables"))


def build_tables(
    inp: ReportInputs, labels: Labels, privacy: Privacy, report: ReportSpec
) -> list[tb.Table]:
    """Every table of the report, in its order (protected together with its
    cross-tabulations when ``inp`` holds no protection read from the run)."""
    inp = with_protection(inp, labels, privacy, report)
    return [build_table(inp, item, labels, privacy, report.models_main) for item in report.tables]


def with_protection(inp: ReportInputs, labels: Labels, privacy: Privacy, report: ReportSpec):
    """``inp`` with the joint protection of tables 1-3 and the report's cross-tabulations
    computed, where it was not read from data/processed/<run>/protection.json."""
    if inp.protection is not None or inp.cases is None:
        return inp
    crosstabs = [t.options for t in report.crosstabs()]
    return replace(
        inp,
        protection=report_protection(
            inp.cases, inp.analysis, inp.spec, labels.codebook, privacy.min_cell, crosstabs
        ),
    )


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


def _curve(inp: ReportInputs, item: FigureSpec, kind: str):
    """The curve a figure draws: its ``options.curve``, else the first of type ``kind``."""
    name = item.options.get("curve")
    hit = next((c for c in inp.spec.curves if (c.name == name if name else c.type == kind)), None)
    if hit is None:
        what = f"curve {name!r}" if name else f"curve of type {kind}"
        raise ValueError(f"figure {item.name}: the analysis (analysis.models) has no {what}")
    return hit


def _coverage_figure(inp: ReportInputs, ctx: fg.FigureContext, item: FigureSpec):
    from teichaku.report import figures as fg

    labels = ctx.labels
    counts = table_protection(inp, labels, ctx.privacy)  # figures 1-3 draw what tables 1-3 publish
    return fg.coverage_figure(ctx, computed_published(inp, labels.codebook), counts)


def _basic_attributes_figure(inp: ReportInputs, ctx: fg.FigureContext, item: FigureSpec):
    from teichaku.report import figures as fg

    labels = ctx.labels
    counts = table_protection(inp, labels, ctx.privacy)
    valid_n = compute_valid_n(inp.roster, inp.cases, inp.awareness, labels.codebook)
    computed = computed_published(inp, labels.codebook)
    return fg.basic_attributes_figure(ctx, computed, inp.published, valid_n, counts)


def _support_figure(inp: ReportInputs, ctx: fg.FigureContext, item: FigureSpec):
    from teichaku.report import figures as fg

    return fg.support_figure(ctx, table_protection(inp, ctx.labels, ctx.privacy))


def _km_figure(inp: ReportInputs, ctx: fg.FigureContext, item: FigureSpec):
    from teichaku.report import figures as fg

    km = _curve(inp, item, "kaplan_meier")
    by = next(b for b in km.by if b != "all")
    groups = curve_groups(ctx.labels, by)
    horizons = curve_horizons(inp.analysis, groups, ctx.privacy.min_cell)
    at_risk = monthly_at_risk(inp.analysis, groups)
    return fg.km_figure(ctx, inp.curves, km.name, groups, horizons, at_risk)


def _incidence(inp: ReportInputs, ctx: fg.FigureContext, item: FigureSpec):
    """The cumulative-incidence curve of a figure, its panels, their horizons and numbers at
    risk."""
    labels = ctx.labels
    cif = _curve(inp, item, "cumulative_incidence")
    panels = [(labels.var("cases", b), curve_groups(labels, b)) for b in cif.by if b != "all"]
    horizons = curve_horizons(
        inp.analysis, [g for _, gs in panels for g in gs], ctx.privacy.min_cell
    )
    at_risk = monthly_at_risk(inp.analysis, [g for _, gs in panels for g in gs])
    return cif, panels, horizons, at_risk


def _cif_figure(inp: ReportInputs, ctx: fg.FigureContext, item: FigureSpec):
    from teichaku.report import figures as fg

    cif, panels, horizons, at_risk = _incidence(inp, ctx, item)
    return fg.cif_figure(ctx, inp.curves, cif.name, panels, horizons, at_risk)


def _fine_gray_figure(inp: ReportInputs, ctx: fg.FigureContext, item: FigureSpec):
    """Figure 9: the curves of Figure 5 with the predictions of the first ``predictions:``
    entry (none drawn, with the reason, when its model is not reported or absent)."""
    from teichaku.report import figures as fg

    cif, panels, horizons, at_risk = _incidence(inp, ctx, item)
    labels = ctx.labels
    prediction = next(iter(inp.spec.predictions), None)
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
        ctx, inp.curves, cif.name, predicted, panels, horizons, reason, at_risk
    )


def _reasons(inp: ReportInputs, labels: Labels) -> dict[str, str]:
    """Why each model that is not (fully) reported is not, in the report's language."""
    return {
        name: m.get(f"reason_{labels.language}", "")
        for name, m in inp.numbers.get("models", {}).items()
        if m.get("reported", "reported") != "reported"
    }


def _forest_figure(inp: ReportInputs, ctx: fg.FigureContext, item: FigureSpec):
    from teichaku.report import figures as fg

    labels = ctx.labels
    return fg.forest_figure(
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
            for m in (primary_model(inp.spec), logistic_model(inp.spec))
        ],
        exclude=set(inp.spec.term_labels),
        reasons=_reasons(inp, labels),
    )


def _threshold_figure(inp: ReportInputs, ctx: fg.FigureContext, item: FigureSpec):
    from teichaku.report import figures as fg

    by_k = threshold_models(inp.spec, inp.coefficients, inp.thresholds)
    barrier_terms = [v.name for v in ctx.labels.group_items("cases", "barrier")]
    return fg.threshold_figure(
        ctx, inp.coefficients, by_k, barrier_terms, _reasons(inp, ctx.labels)
    )


def _awareness_figure(inp: ReportInputs, ctx: fg.FigureContext, item: FigureSpec):
    from teichaku.report import figures as fg

    return fg.awareness_figure(ctx, inp.awareness, inp.published)


FIGURE_BUILDERS = _builders(
    {
        "coverage": _coverage_figure,
        "basic_attributes": _basic_attributes_figure,
        "support": _support_figure,
        "km": _km_figure,
        "cif": _cif_figure,
        "fine_gray": _fine_gray_figure,
        "forest": _forest_figure,
        "threshold": _threshold_figure,
        "awareness": _awareness_figure,
    },
    FIGURE_READS,
)


def build_figure(inp: ReportInputs, item: FigureSpec, ctx: fg.FigureContext) -> list[Path]:
    """Draw the figure of ``item`` (its files named after it) with ``ctx`` (its dpi
    already the figure's own, ``options.dpi``)."""
    drawn = FIGURE_BUILDERS[item.builder].make(inp, ctx, item)
    out = []
    for path in map(Path, drawn):
        named = path.with_name(item.name + path.suffix)
        if named != path:
            path.replace(named)
        out.append(named)
    return out


def build_figures(inp: ReportInputs, ctx: fg.FigureContext, report: ReportSpec) -> list[Path]:
    """Every figure of the report, in its order."""
    inp = with_protection(inp, ctx.labels, ctx.privacy, report)
    paths = []
    for item in report.figures:
        dpi = item.options.get("dpi")
        paths += build_figure(inp, item, replace(ctx, dpi=int(dpi)) if dpi else ctx)
    return paths
