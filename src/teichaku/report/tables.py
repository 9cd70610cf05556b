"""Table builders and writers (CSV, Markdown, LaTeX with booktabs; the tidy CSV and the
table's JSON with the numbers behind the cells).

Each builder returns a :class:`Table` of :class:`~teichaku.report.cells.Cell`: the display
string of each cell (numbers formatted, small cells already suppressed, so every writer
shows the same thing) and the number behind it. Labels come from
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
from teichaku.report import catalog
from teichaku.report import cells as cl
from teichaku.report.cells import Cell
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
    """A finished table: its cells (display text and the number behind each), title,
    notes and which columns hold person counts."""

    name: str
    title: str
    #: one :class:`Cell` per column of each row
    cells: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    count_columns: list[str] = field(default_factory=list)
    #: Leading columns that hold text (left-aligned); the rest are numbers.
    text_columns: int = 1

    @classmethod
    def from_rows(cls, name: str, title: str, rows: list[dict[str, Cell]], **kwargs) -> Table:
        """A table of rows (column heading -> cell); a row that lacks a column is empty there."""
        columns = list(dict.fromkeys(c for row in rows for c in row))
        grid = [[row.get(c, cl.EMPTY) for c in columns] for row in rows]
        return cls(name, title, pd.DataFrame(grid, columns=columns, dtype=object), **kwargs)

    @property
    def frame(self) -> pd.DataFrame:
        """The display strings (what the CSV, Markdown and LaTeX tables print)."""
        texts = [[cell.text for cell in row] for row in self.cells.itertuples(index=False)]
        return pd.DataFrame(texts, columns=list(self.cells.columns))


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


def writers() -> dict:
    """The writer of each format of catalog.TABLE_FORMATS (file suffix -> text)."""
    from teichaku.report import tidy

    return {
        "csv": to_csv,
        "md": to_markdown,
        "tex": to_latex,
        "tidy.csv": tidy.to_tidy_csv,
        "json": tidy.to_json,
    }


def write_table(table: Table, out_dir: Path) -> list[Path]:
    """Write ``<name>.<format>`` for every format of catalog.TABLE_FORMATS under out_dir
    (UTF-8, LF line ends)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write = writers()
    paths = []
    for suffix in catalog.TABLE_FORMATS:
        path = out_dir / f"{table.name}.{suffix}"
        path.write_text(write[suffix](table), encoding="utf-8", newline="\n")
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


def _published_cell(value) -> Cell:
    """A published figure as printed: decimals kept (90.0), thousands separated (3,043)."""
    if isinstance(value, Decimal):
        return Cell(str(value), cl.Kind.NUMBER, float(value), cl.decimal_format(decimals(value)))
    if isinstance(value, int) and not isinstance(value, bool):
        return cl.count(value)
    return cl.text(str(value))


def _figure_cell(item, value, digits: int, person_level: bool) -> Cell | None:
    """A figure that needs no protection (dates, roster and survey-wide figures), or None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return cl.EMPTY
    if item.kind == "date":
        return cl.text(str(value))
    if not person_level:
        if item.kind in ("rows", "count", "sum"):
            return cl.count(value)
        return cl.decimal(value, digits)
    return None


def _person_value_cell(item, value, group: str, digits: int, protection: Protection) -> Cell:
    """A person-level figure of table 1 at the published precision: a count as protected, a
    mean where its valid count is shown, a percentage where its count and valid count are."""
    plain = _figure_cell(item, value, digits, True)
    if plain is not None:
        return plain
    if item.kind == "rows":
        return cl.protected_count(protection, ("size", group))
    if item.kind == "pct":
        if item_shown(protection, item, group):
            return cl.decimal(value, digits)
        return cl.suppressed(protection.marker, cl.decimal_format(digits))
    return cl.protected_mean(protection, value, ("valid", item.column, group), digits)


def _valid_n_cell(item, n, group: str, protection: Protection, person_level: bool) -> Cell:
    if n is None:
        return cl.EMPTY
    if not person_level:
        return cl.count(n)
    return cl.protected_count(protection, ("valid", item.column, group))


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
        row = {t("item"): cl.label(item_label(item, labels))}
        if published is not None:
            row[t("published")] = (
                _published_cell(pub) if pub is not None else cl.text(t("not_published"))
            )
        row |= {
            t("computed"): (
                _person_value_cell(item, value, ALL, digits, protection)
                if person
                else _figure_cell(item, value, digits, False)
            ),
            t("valid_n"): _valid_n_cell(item, n, ALL, protection, person),
        }
        for label, key, values, ns in per_cohort:
            cohort_n = ns[item.section][item.key]
            if person:
                row[f"{label} {t('computed')}"] = _person_value_cell(
                    item, values[item.section][item.key], key, digits, protection
                )
                row[f"{label} {t('valid_n')}"] = _valid_n_cell(
                    item, cohort_n, key, protection, True
                )
            else:  # roster and survey-wide figures do not split by cohort
                row[f"{label} {t('computed')}"] = cl.EMPTY
                row[f"{label} {t('valid_n')}"] = cl.EMPTY
        rows.append(row)
    table = Table.from_rows(
        "table1_basic_attributes",
        labels.entry("tables", "table1_basic_attributes"),
        rows,
        notes=[suppressed_note(labels, privacy)],
    )
    table.count_columns = [c for c in table.cells.columns if c.endswith(t("valid_n"))]
    return table


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
        heading = {t("item"): cl.label(labels.group(table, group))}
        for col_label, _ in column_groups:
            for what in ("count", "valid_n", "percent"):
                heading[f"{col_label} {t(what)}"] = cl.EMPTY
        rows.append(heading)
        for var in labels.group_items(table, group):
            row = {t("item"): cl.label(var.label(labels.language), level=1)}
            for (col_label, _), key in zip(column_groups, group_keys, strict=True):
                count = ("count", var.name, "yes", key)
                valid = ("valid", var.name, key)
                n = protection.table.value(valid) if var.name in frame.columns else 0
                row[f"{col_label} {t('count')}"] = (
                    cl.protected_count(protection, count) if n else cl.EMPTY
                )
                row[f"{col_label} {t('valid_n')}"] = (
                    cl.protected_count(protection, valid) if n else cl.EMPTY
                )
                row[f"{col_label} {t('percent')}"] = (
                    cl.protected_percent(protection, count, valid) if n else cl.EMPTY
                )
            rows.append(row)
    out = Table.from_rows(
        name, labels.entry("tables", name), rows, notes=[suppressed_note(labels, privacy)]
    )
    out.count_columns = [
        c for c in out.cells.columns if c.endswith((t("count"), t("valid_n"))) and c != t("item")
    ]
    return out


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

    def row(item: Cell, published_cell: Cell, computed: Cell, centers: Cell) -> dict:
        cells = {t("item"): item}
        if pub is not None:
            cells[t("published")] = published_cell
        return cells | {t("computed"): computed, t("centers"): centers}

    for group in labels.codebook.tables["awareness"].groups:
        rows.append(row(cl.label(labels.group("awareness", group)), cl.EMPTY, cl.EMPTY, cl.EMPTY))
        for var in labels.group_items("awareness", group):
            k = int(awareness[var.name].fillna(False).astype(bool).sum()) if n else 0
            published_value = pub.get(f"pct_{var.name}") if pub is not None else None
            digits = decimals(published_value) if published_value is not None else 1
            rows.append(
                row(
                    cl.label(var.label(labels.language), level=1),
                    _published_cell(published_value)
                    if published_value is not None
                    else cl.text(t("not_published")),
                    cl.decimal(100.0 * k / n, digits) if n else cl.EMPTY,
                    cl.fraction(k, n),
                )
            )
    return Table.from_rows(
        "table5_awareness",
        labels.entry("tables", "table5_awareness"),
        rows,
        notes=[t("percent_of_centers", n=n)],
    )


def _not_reported(model: str, model_labels: dict[str, dict], labels: Labels) -> str:
    """Why a model's estimates are not (fully) reported, in the report's language."""
    return model_labels.get(model, {}).get(f"reason_{labels.language}", "") or ""


def _reliability_notes(models, model_labels: dict[str, dict], labels: Labels) -> list[str]:
    return [
        f"{model_label(m, model_labels, labels)}: {_not_reported(m, model_labels, labels)}"
        for m in models
        if _not_reported(m, model_labels, labels)
    ]


def _scale_heading(model: str, model_labels: dict[str, dict], labels: Labels) -> str:
    scale = model_labels.get(model, {}).get("scale")
    return {"HR": labels.text("hazard_ratio"), "OR": labels.text("odds_ratio")}.get(scale, "")


def model_label(model: str, model_labels: dict[str, dict], labels: Labels) -> str:
    entry = model_labels.get(model)
    return entry[f"label_{labels.language}"] if entry else model


def _model_count(protection: Protection, key) -> Cell:
    return cl.protected_count(protection, key) if key in protection.status else cl.EMPTY


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
    columns = [t(c) for c in ("estimate", "p_value", "n_model", "n_events", "n_clusters")]
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
                t("term"): cl.label(model_label(model, model_labels, labels)),
                t("estimate"): cl.text(_scale_heading(model, model_labels, labels)),
                t("p_value"): cl.EMPTY,
                t("n_model"): _model_count(protection, ("model_n", model)),
                t("n_events"): _model_count(protection, ("model_events", model)),
                t("n_clusters"): cl.integer(clusters) if pd.notna(clusters) else cl.EMPTY,
            }
        )
        reason = _not_reported(model, model_labels, labels)
        if reason:
            rows.append({t("term"): cl.label(reason, level=1)} | dict.fromkeys(columns, cl.EMPTY))
        if model_labels.get(model, {}).get("reported") == "not_reported":
            continue
        for r in g.itertuples(index=False):
            rows.append(
                {
                    t("term"): cl.label(getattr(r, term_label), level=1),
                    t("estimate"): cl.estimate(r.estimate, r.conf_low, r.conf_high, r.p_value),
                    t("p_value"): cl.p_value(r.p_value),
                }
                | dict.fromkeys(columns[2:], cl.EMPTY)
            )
    return Table.from_rows(
        "table4_models",
        labels.entry("tables", "table4_models"),
        rows,
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
        row = {t("term"): cl.label(sub.iloc[0][term_label])}
        for model in models:
            hit = sub[sub["model"] == model]
            row[model_label(model, model_labels, labels)] = (
                cl.estimate(*hit.iloc[0][["estimate", "conf_low", "conf_high", "p_value"]])
                if len(hit)
                else cl.EMPTY
            )
        rows.append(row)
    for what, cell in (("n_model", "model_n"), ("n_events", "model_events")):
        row = {t("term"): cl.label(t(what))}
        for model in models:
            row[model_label(model, model_labels, labels)] = _model_count(protection, (cell, model))
        rows.append(row)
    return Table.from_rows(
        name,
        labels.entry("tables", name),
        rows,
        notes=[
            labels.entry("notes", "models"),
            *_reliability_notes(models, model_labels, labels),
            suppressed_note(labels, privacy),
        ],
    )
