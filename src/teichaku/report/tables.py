"""Table builders and writers (CSV, Markdown, LaTeX with booktabs).

Each builder returns a :class:`Table` of display strings: numbers are formatted and small
cells already suppressed, so every writer shows the same thing. Labels come from
:class:`~teichaku.report.labels.Labels` (codebook and labels.yaml), never from this module.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from teichaku.disclosure import Protection
from teichaku.published import ITEMS, compute_published, compute_valid_n, decimals
from teichaku.report.groups import cohort_group_keys, cohort_groups, item_label
from teichaku.report.labels import Labels
from teichaku.report.protection import (
    ALL,
    item_shown,
    model_protection,
    survey_protection,
)
from teichaku.report.suppress import Privacy


@dataclass
class Table:
    """A finished table: display cells, title, notes and which columns hold person counts."""

    name: str
    title: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    count_columns: list[str] = field(default_factory=list)
    #: Leading columns that hold text (left-aligned); the rest are numbers.
    text_columns: int = 1


# --------------------------------------------------------------------------- writers


def to_csv(table: Table) -> str:
    return table.frame.to_csv(index=False, lineterminator="\n")


def _md_cell(value) -> str:
    """A cell of a Markdown table: HTML special characters escaped (nothing from a label or
    a cell can open a tag once rendered), pipes escaped, line breaks as spaces."""
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", str(value))
    return text.replace("|", r"\|").replace("\r", " ").replace("\n", " ")


def to_markdown(table: Table, heading: bool = True) -> str:
    """A GitHub-style pipe table (markdown-it's ``table`` rule), title and notes."""
    cols = list(table.frame.columns)
    align = [":--" if i < table.text_columns else "--:" for i in range(len(cols))]
    lines = []
    if heading:
        lines += [f"**{_md_cell(table.title)}**", ""]
    lines.append("| " + " | ".join(_md_cell(c) for c in cols) + " |")
    lines.append("| " + " | ".join(align) + " |")
    for row in table.frame.itertuples(index=False):
        lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    if table.notes:
        lines.append("")
        notes = [_md_cell(note) for note in table.notes]
        lines += [f"{note}  " for note in notes[:-1]] + [notes[-1]]
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def latex_escape(text) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def to_latex(table: Table) -> str:
    """A ``table`` float with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""
    cols = list(table.frame.columns)
    spec = "l" * table.text_columns + "r" * (len(cols) - table.text_columns)
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{latex_escape(table.title)}}}",
        rf"\label{{tab:{table.name}}}",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(latex_escape(c) for c in cols) + r" \\",
        r"\midrule",
    ]
    for row in table.frame.itertuples(index=False):
        lines.append(" & ".join(latex_escape(v) for v in row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    for note in table.notes:
        lines.append(rf"\par\smallskip{{\footnotesize {latex_escape(note)}}}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def write_table(table: Table, out_dir: Path) -> list[Path]:
    """Write ``<name>.csv``, ``.md`` and ``.tex`` under out_dir (UTF-8, LF line ends)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, text in (
        (".csv", to_csv(table)),
        (".md", to_markdown(table)),
        (".tex", to_latex(table)),
    ):
        path = out_dir / f"{table.name}{suffix}"
        path.write_text(text, encoding="utf-8", newline="\n")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- helpers


def prolonged_group_keys(column: str) -> list[str]:
    """The protection's group keys of :func:`prolonged_groups`, in the same order."""
    return [f"{column}=1", f"{column}=0"]


def suppressed_note(labels: Labels, privacy: Privacy) -> str:
    return labels.text("suppressed_note", marker=privacy.marker, min_cell=privacy.min_cell)


def prolonged_groups(
    analysis: pd.DataFrame, column: str, threshold: int, labels: Labels
) -> list[tuple[str, pd.Series]]:
    """(label, mask) for cases followed at least ``threshold`` months and for cases that
    ended before it (still open and shorter: status unknown, left out)."""
    status = analysis[column]
    return [
        (labels.text("prolonged", k=threshold), (status == 1).fillna(False).astype(bool)),
        (labels.text("not_prolonged", k=threshold), (status == 0).fillna(False).astype(bool)),
    ]


def _format_published(value) -> str:
    """A published figure as printed: decimals kept (90.0), thousands separated (3,043)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _format_figure(item, value, digits: int, person_level: bool) -> str | None:
    """A figure that needs no protection (dates, roster and survey-wide figures), or None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if item.kind == "date":
        return str(value)
    if not person_level:
        return f"{int(value):,}" if item.kind in ("rows", "count", "sum") else f"{value:.{digits}f}"
    return None


def _format_person_value(item, value, group: str, digits: int, protection: Protection) -> str:
    """A person-level figure of table 1 at the published precision: a count as protected, a
    mean where its valid count is shown, a percentage where its count and valid count are."""
    plain = _format_figure(item, value, digits, True)
    if plain is not None:
        return plain
    if item.kind == "rows":
        return protection.count(("size", group))
    if item.kind == "pct":
        return f"{value:.{digits}f}" if item_shown(protection, item, group) else protection.marker
    return protection.mean(value, ("valid", item.column, group), digits)


def _valid_n_cell(item, n, group: str, protection: Protection, person_level: bool) -> str:
    if n is None:
        return ""
    if not person_level:
        return f"{int(n):,}"
    return protection.count(("valid", item.column, group))


# --------------------------------------------------------------------------- builders


def basic_attributes_table(
    published: dict | None,
    computed: dict,
    roster: pd.DataFrame,
    cases: pd.DataFrame,
    awareness: pd.DataFrame,
    labels: Labels,
    privacy: Privacy,
    protection: Protection | None = None,
) -> Table:
    """Table 1: the survey and basic-attribute figures, published beside computed, overall
    (``computed``, i.e. results/numbers.json) and per cohort (recomputed on each cohort).
    A round without published figures (``published`` None) has no published column.

    ``protection``: the joint protection of tables 1-3 (:func:`build.build_tables` passes
    it); without it the counts of this table and table 2 are protected on their own."""
    if protection is None:
        protection = survey_protection(cases, labels.codebook, privacy.min_cell)
    sections = ("survey", "basic_attributes")
    valid_n = compute_valid_n(roster, cases, awareness, labels.codebook)
    per_cohort = []
    keys = cohort_group_keys(labels)[1:]
    for (label, mask), key in zip(cohort_groups(cases, labels)[1:], keys, strict=True):
        sub = cases.loc[mask.to_numpy()]
        per_cohort.append(
            (
                label,
                key,
                compute_published(roster, sub, awareness, labels.codebook),
                compute_valid_n(roster, sub, awareness, labels.codebook),
            )
        )
    t = labels.text
    rows = []
    for item in ITEMS:
        if item.section not in sections:
            continue
        pub = published[item.section].get(item.key) if published is not None else None
        digits = decimals(pub) if pub is not None else 2
        person = item.table == "cases"
        n = valid_n[item.section][item.key]
        value = computed[item.section][item.key]
        row = {t("item"): item_label(item, labels)}
        if published is not None:
            row[t("published")] = _format_published(pub) if pub is not None else t("not_published")
        row |= {
            t("computed"): (
                _format_person_value(item, value, ALL, digits, protection)
                if person
                else _format_figure(item, value, digits, False)
            ),
            t("valid_n"): _valid_n_cell(item, n, ALL, protection, person),
        }
        for label, key, values, ns in per_cohort:
            cohort_n = ns[item.section][item.key]
            if person:
                row[f"{label} {t('computed')}"] = _format_person_value(
                    item, values[item.section][item.key], key, digits, protection
                )
                row[f"{label} {t('valid_n')}"] = _valid_n_cell(
                    item, cohort_n, key, protection, True
                )
            else:  # roster and survey-wide figures do not split by cohort
                row[f"{label} {t('computed')}"] = ""
                row[f"{label} {t('valid_n')}"] = ""
        rows.append(row)
    frame = pd.DataFrame(rows)
    count_cols = [c for c in frame.columns if c.endswith(t("valid_n"))]
    return Table(
        name="table1_basic_attributes",
        title=labels.entry("tables", "table1_basic_attributes"),
        frame=frame,
        notes=[suppressed_note(labels, privacy)],
        count_columns=count_cols,
    )


def shares_table(
    name: str,
    frame: pd.DataFrame,
    table: str,
    group_names: list[str],
    column_groups: list[tuple[str, pd.Series]],
    labels: Labels,
    privacy: Privacy,
    protection: Protection,
    group_keys: list[str],
) -> Table:
    """Share of "yes" for every mark of the given codebook groups, per column group
    (``group_keys``: their keys in ``protection``): count, valid n and %, as protected."""
    t = labels.text
    rows = []
    for group in group_names:
        heading = {t("item"): labels.group(table, group)}
        for col_label, _ in column_groups:
            for what in ("count", "valid_n", "percent"):
                heading[f"{col_label} {t(what)}"] = ""
        rows.append(heading)
        for var in labels.group_items(table, group):
            row = {t("item"): "　" + var.label(labels.language)}
            for (col_label, _), key in zip(column_groups, group_keys, strict=True):
                count = ("count", var.name, "yes", key)
                valid = ("valid", var.name, key)
                n = protection.table.value(valid) if var.name in frame.columns else 0
                row[f"{col_label} {t('count')}"] = protection.count(count) if n else ""
                row[f"{col_label} {t('valid_n')}"] = protection.count(valid) if n else ""
                row[f"{col_label} {t('percent')}"] = protection.percent(count, valid) if n else ""
            rows.append(row)
    out = pd.DataFrame(rows)
    count_cols = [
        c for c in out.columns if c.endswith((t("count"), t("valid_n"))) and c != t("item")
    ]
    return Table(
        name=name,
        title=labels.entry("tables", name),
        frame=out,
        notes=[suppressed_note(labels, privacy)],
        count_columns=count_cols,
    )


def support_table(
    cases: pd.DataFrame, labels: Labels, privacy: Privacy, protection: Protection | None = None
) -> Table:
    """Support given by the centers (act_*, guar_*, link_*) by cohort (``protection``: the
    joint protection of tables 1-3; without it this table's counts are protected alone)."""
    if protection is None:
        protection = survey_protection(cases, labels.codebook, privacy.min_cell)
    return shares_table(
        "table2_support_by_cohort",
        cases,
        "cases",
        ["act", "guar", "link"],
        cohort_groups(cases, labels),
        labels,
        privacy,
        protection,
        cohort_group_keys(labels),
    )


def barriers_table(
    analysis: pd.DataFrame,
    prolonged_column: str,
    threshold: int,
    labels: Labels,
    privacy: Privacy,
    protection: Protection | None = None,
) -> Table:
    """Support barriers (barrier_*) by cohort and by prolonged status."""
    if protection is None:
        protection = survey_protection(
            analysis,
            labels.codebook,
            privacy.min_cell,
            analysis[prolonged_column],
            prolonged_column,
        )
    groups = cohort_groups(analysis, labels) + prolonged_groups(
        analysis, prolonged_column, threshold, labels
    )
    keys = cohort_group_keys(labels) + prolonged_group_keys(prolonged_column)
    return shares_table(
        "table3_barriers", analysis, "cases", ["barrier"], groups, labels, privacy, protection, keys
    )


def awareness_table(published: dict | None, awareness: pd.DataFrame, labels: Labels) -> Table:
    """Awareness survey: % of answering centers per item, published beside computed (no
    published column for a round without published figures, ``published`` None).

    Counts of centers are not person counts and are shown unsuppressed.
    """
    t = labels.text
    n = len(awareness)
    pub = published["awareness"] if published is not None else None
    rows = []

    def row(item: str, published_cell: str, computed: str, centers: str) -> dict:
        cells = {t("item"): item}
        if pub is not None:
            cells[t("published")] = published_cell
        return cells | {t("computed"): computed, t("centers"): centers}

    for group in labels.codebook.tables["awareness"].groups:
        rows.append(row(labels.group("awareness", group), "", "", ""))
        for var in labels.group_items("awareness", group):
            k = int(awareness[var.name].fillna(False).astype(bool).sum()) if n else 0
            published_value = pub.get(f"pct_{var.name}") if pub is not None else None
            digits = decimals(published_value) if published_value is not None else 1
            rows.append(
                row(
                    "　" + var.label(labels.language),
                    _format_published(published_value)
                    if published_value is not None
                    else t("not_published"),
                    f"{100.0 * k / n:.{digits}f}" if n else "",
                    f"{k}/{n}",
                )
            )
    return Table(
        name="table5_awareness",
        title=labels.entry("tables", "table5_awareness"),
        frame=pd.DataFrame(rows),
        notes=[t("percent_of_centers", n=n)],
    )


def _ci_cell(estimate, low, high) -> str:
    """Estimate (interval); the estimate alone when the interval is not reported."""
    if pd.isna(estimate):
        return ""
    if pd.isna(low) or pd.isna(high):
        return f"{estimate:.2f}"
    return f"{estimate:.2f} ({low:.2f}–{high:.2f})"


def _not_reported(model: str, model_labels: dict[str, dict], labels: Labels) -> str:
    """Why a model's estimates are not (fully) reported, in the report's language."""
    return model_labels.get(model, {}).get(f"reason_{labels.language}", "") or ""


def _reliability_notes(models, model_labels: dict[str, dict], labels: Labels) -> list[str]:
    return [
        f"{model_label(m, model_labels, labels)}: {_not_reported(m, model_labels, labels)}"
        for m in models
        if _not_reported(m, model_labels, labels)
    ]


def _p_cell(p) -> str:
    if pd.isna(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _scale_heading(model: str, model_labels: dict[str, dict], labels: Labels) -> str:
    scale = model_labels.get(model, {}).get("scale")
    return {"HR": labels.text("hazard_ratio"), "OR": labels.text("odds_ratio")}.get(scale, "")


def model_label(model: str, model_labels: dict[str, dict], labels: Labels) -> str:
    entry = model_labels.get(model)
    return entry[f"label_{labels.language}"] if entry else model


def _model_count(protection: Protection, key) -> str:
    return protection.count(key) if key in protection.status else ""


def models_table(
    coefficients: pd.DataFrame,
    model_labels: dict[str, dict],
    labels: Labels,
    privacy: Privacy,
    protection: Protection | None = None,
) -> Table:
    """Every model's estimates (HR or OR) with confidence intervals and p; n, events, clusters
    (n and events protected: :func:`teichaku.report.protection.model_protection`)."""
    if protection is None:
        protection = model_protection(coefficients, privacy.min_cell)
    t = labels.text
    term_label = f"label_{labels.language}"
    rows = []
    fitted = dict(list(coefficients.groupby("model", sort=False)))
    # every model of the specification: one that could not be fitted has no rows, only why
    for model in dict.fromkeys([*model_labels, *fitted]):
        g = fitted.get(model, coefficients.iloc[0:0])
        if g.empty and not _not_reported(model, model_labels, labels):
            continue
        clusters = g["n_clusters"].iloc[0] if len(g) else None
        rows.append(
            {
                t("term"): model_label(model, model_labels, labels),
                t("estimate"): _scale_heading(model, model_labels, labels),
                t("p_value"): "",
                t("n_model"): _model_count(protection, ("model_n", model)),
                t("n_events"): _model_count(protection, ("model_events", model)),
                t("n_clusters"): f"{int(clusters)}" if pd.notna(clusters) else "",
            }
        )
        reason = _not_reported(model, model_labels, labels)
        if reason:
            rows.append(
                {
                    t("term"): "　" + reason,
                    t("estimate"): "",
                    t("p_value"): "",
                    t("n_model"): "",
                    t("n_events"): "",
                    t("n_clusters"): "",
                }
            )
        if model_labels.get(model, {}).get("reported") == "not_reported":
            continue
        for r in g.itertuples(index=False):
            rows.append(
                {
                    t("term"): "　" + str(getattr(r, term_label)),
                    t("estimate"): _ci_cell(r.estimate, r.conf_low, r.conf_high),
                    t("p_value"): _p_cell(r.p_value),
                    t("n_model"): "",
                    t("n_events"): "",
                    t("n_clusters"): "",
                }
            )
    return Table(
        name="table4_models",
        title=labels.entry("tables", "table4_models"),
        frame=pd.DataFrame(rows),
        notes=[
            labels.entry("notes", "models"),
            suppressed_note(labels, privacy),
        ],
        count_columns=[t("n_model"), t("n_events")],
    )


def sensitivity_table(
    name: str,
    coefficients: pd.DataFrame,
    models: list[str],
    model_labels: dict[str, dict],
    labels: Labels,
    privacy: Privacy,
    protection: Protection | None = None,
) -> Table:
    """The primary model and its sensitivity analyses side by side, one column per model,
    with rows for the terms and for n and events."""
    if protection is None:
        protection = model_protection(coefficients, privacy.min_cell)
    t = labels.text
    term_label = f"label_{labels.language}"
    chosen = coefficients[coefficients["model"].isin(models)]
    terms = list(dict.fromkeys(chosen["term"]))
    rows = []
    for term in terms:
        sub = chosen[chosen["term"] == term]
        row = {t("term"): str(sub.iloc[0][term_label])}
        for model in models:
            hit = sub[sub["model"] == model]
            row[model_label(model, model_labels, labels)] = (
                _ci_cell(*hit.iloc[0][["estimate", "conf_low", "conf_high"]]) if len(hit) else ""
            )
        rows.append(row)
    for what, cell in (("n_model", "model_n"), ("n_events", "model_events")):
        row = {t("term"): t(what)}
        for model in models:
            row[model_label(model, model_labels, labels)] = _model_count(protection, (cell, model))
        rows.append(row)
    return Table(
        name=name,
        title=labels.entry("tables", name),
        frame=pd.DataFrame(rows),
        notes=[
            labels.entry("notes", "models"),
            *_reliability_notes(models, model_labels, labels),
            suppressed_note(labels, privacy),
        ],
    )
