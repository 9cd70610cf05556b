"""Cross-tabulations of the cases declared in config/report.yaml (builder ``crosstab``).

``rows`` is a categorical variable of the cases (one row per level; a yes/no item: its
"yes"), a group of marks (one row per mark) or, for ``cells: mean``, a number. ``columns``
is a group of the cases that Tables 1-3 already split them by: the cohorts, or the
prolonged status of Table 3 (followed at least the threshold of the first secondary
logistic model, or ended before it), each beside the overall column. ``cells`` are counts
(``n``), percentages of the valid answers (``pct``) or means (``mean``), each with its
valid n.

Its counts are cells of the same protection as Tables 1-3 (keys
``("count", variable, level, group)`` and ``("valid", variable, group)``, added by
:func:`teichaku.report.protection.table_cells` through :func:`protected_variables`), so
a count is printed, and a percentage or mean shown, exactly where the joint protection
allows: no suppressed count of any of these tables can be recovered by subtracting one
from another.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from teichaku.codebook import Codebook
from teichaku.disclosure import Protection
from teichaku.report import cells as cl
from teichaku.report.cells import Cell
from teichaku.report.groups import cohort_group_keys
from teichaku.report.labels import Labels
from teichaku.report.protection import ALL, COHORT, YES, Variable
from teichaku.report.spec import PROLONGED
from teichaku.report.suppress import Privacy
from teichaku.report.tables import Table, prolonged_group_keys, suppressed_note

#: Decimals of a percentage and of a mean.
PCT_DIGITS = 1
MEAN_DIGITS = 1


@dataclass(frozen=True)
class Crosstab:
    """The options of a cross-tabulation (``rows``, ``columns``, ``cells``)."""

    rows: str
    columns: str
    cells: str

    @classmethod
    def of(cls, options) -> Crosstab:
        return cls(options["rows"], options["columns"], options["cells"])


def row_variables(crosstab: Crosstab, codebook: Codebook) -> list[str]:
    """The variables of the rows: the marks of a group, or the one variable."""
    cases = codebook.tables["cases"]
    if crosstab.cells != "mean" and crosstab.rows in cases.groups:
        return [v.name for v in cases.group_variables(crosstab.rows)]
    return [crosstab.rows]


def row_levels(name: str, crosstab: Crosstab, codebook: Codebook) -> tuple[str, ...] | None:
    """The levels whose counts a row variable prints (the protection's level keys): ``yes``
    of a mark or yes/no item, every code of a category, none for a mean."""
    if crosstab.cells == "mean":
        return None
    var = codebook.variable("cases", name)
    return (YES,) if var.type in ("mark", "boolean") else tuple(var.codes)


def protected_variables(crosstabs, codebook: Codebook) -> list[Variable]:
    """The variables whose counts the cross-tabulations (their options) print, as the
    protection of Tables 1-3 describes them: by cohort or by prolonged status."""
    out = []
    for options in crosstabs:
        crosstab = Crosstab.of(options)
        out += [
            Variable(
                name,
                row_levels(name, crosstab, codebook),
                by_prolonged=crosstab.columns == PROLONGED,
                cohorts_printed=crosstab.columns == COHORT,
            )
            for name in row_variables(crosstab, codebook)
        ]
    return out


def _columns(crosstab: Crosstab, labels: Labels, prolonged: str | None, threshold):
    """(label, protection group key) of every column: overall first."""
    if crosstab.columns == COHORT:
        keys = cohort_group_keys(labels)
        return [(labels.text("overall"), ALL)] + [
            (labels.level("cases", COHORT, k), k) for k in keys[1:]
        ]
    return [
        (labels.text("overall"), ALL),
        *zip(
            (
                labels.text("prolonged", k=threshold),
                labels.text("not_prolonged", k=threshold),
            ),
            prolonged_group_keys(prolonged),
            strict=True,
        ),
    ]


def _group_mask(frame: pd.DataFrame, key: str, prolonged: str | None):
    """The cases of a column's group key (overall, a cohort, or a prolonged group)."""
    if key == ALL:
        return pd.Series(True, index=frame.index).to_numpy()
    if prolonged is not None and key.startswith(f"{prolonged}="):
        return (frame[prolonged] == int(key.split("=", 1)[1])).fillna(False).to_numpy(bool)
    return (frame[COHORT].astype("string") == key).fillna(False).to_numpy(bool)


def crosstab_table(
    item,
    cases: pd.DataFrame,
    analysis: pd.DataFrame,
    prolonged: str | None,
    thresholds,
    labels: Labels,
    privacy: Privacy,
    protection: Protection,
) -> Table:
    """The cross-tabulation of ``item`` (a :class:`~teichaku.report.spec.TableSpec`), its
    cells as the joint ``protection`` allows (``analysis``: row-aligned with ``cases``, for
    the prolonged status ``prolonged``, whose months are among ``thresholds``)."""
    from teichaku.analysis.dataset import prolonged_threshold

    crosstab = Crosstab.of(item.options)
    t = labels.text
    threshold = None
    frame = cases.reset_index(drop=True)
    if crosstab.columns == PROLONGED:
        if prolonged is None or prolonged not in analysis.columns:
            raise ValueError(
                f"{item.name}: columns: prolonged needs the prolonged status of a secondary "
                "logistic model (config/models.yaml)"
            )
        threshold = prolonged_threshold(prolonged, thresholds)
        frame = frame.assign(**{prolonged: analysis[prolonged].reset_index(drop=True)})
    columns = _columns(crosstab, labels, prolonged, threshold)
    value_word = {"n": "count", "pct": "percent", "mean": "mean"}[crosstab.cells]

    def heading(label: Cell) -> dict[str, Cell]:
        return {t("item"): label}

    def answered(valid) -> bool:
        """Whether the group has valid answers (none where the round lacks the column)."""
        return valid in protection.table.cells and protection.table.value(valid) > 0

    def value_cell(name: str, level: str | None, key: str) -> Cell:
        valid = ("valid", name, key)
        if not answered(valid):
            return cl.EMPTY
        if crosstab.cells == "n":
            return cl.protected_count(protection, ("count", name, level, key))
        if crosstab.cells == "pct":
            return cl.protected_percent(protection, ("count", name, level, key), valid, PCT_DIGITS)
        values = pd.to_numeric(frame.loc[_group_mask(frame, key, prolonged), name]).dropna()
        return cl.protected_mean(protection, float(values.mean()), valid, MEAN_DIGITS)

    def valid_cell(name: str, key: str) -> Cell:
        valid = ("valid", name, key)
        return cl.protected_count(protection, valid) if answered(valid) else cl.EMPTY

    rows = []
    cases_table = labels.codebook.tables["cases"]
    grouped = crosstab.cells != "mean" and crosstab.rows in cases_table.groups
    if grouped:
        rows.append(heading(cl.label(labels.group("cases", crosstab.rows))))
    for name in row_variables(crosstab, labels.codebook):
        var = labels.variable("cases", name)
        levels = row_levels(name, crosstab, labels.codebook)
        if levels is None or levels == (YES,):
            text = var.label(labels.language)
            if levels is None:
                text = f"{text} ({t('mean')})"
            elif var.type == "boolean":
                text = f"{text}: {var.level_label('true', labels.language)}"
            row = heading(cl.label(text, level=1 if grouped else 0))
            for col, key in columns:
                row[f"{col} {t(value_word)}"] = value_cell(name, levels and YES, key)
                row[f"{col} {t('valid_n')}"] = valid_cell(name, key)
            rows.append(row)
            continue
        # a category: its valid n on the row of its name, one row per level under it
        row = heading(cl.label(var.label(labels.language)))
        for col, key in columns:
            row[f"{col} {t(value_word)}"] = cl.EMPTY
            row[f"{col} {t('valid_n')}"] = valid_cell(name, key)
        rows.append(row)
        for level in levels:
            row = heading(cl.label(var.level_label(level, labels.language), level=1))
            for col, key in columns:
                row[f"{col} {t(value_word)}"] = value_cell(name, level, key)
                row[f"{col} {t('valid_n')}"] = cl.EMPTY
            rows.append(row)
    notes = [suppressed_note(labels, privacy)]
    if crosstab.cells == "pct":
        notes.insert(0, t("percent_of_cases"))
    out = Table.from_rows(item.name, crosstab_title(crosstab, labels), rows, notes=notes)
    counted = (t("valid_n"), t("count")) if crosstab.cells == "n" else (t("valid_n"),)
    out.count_columns = [c for c in out.cells.columns if c != t("item") and c.endswith(counted)]
    return out


def crosstab_title(crosstab: Crosstab, labels: Labels) -> str:
    """ "<rows> by <columns>" in the report's language (when report.yaml gives no title)."""
    cases = labels.codebook.tables["cases"]
    rows = (
        labels.group("cases", crosstab.rows)
        if crosstab.rows in cases.groups and crosstab.cells != "mean"
        else labels.var("cases", crosstab.rows)
    )
    if crosstab.columns == PROLONGED:
        columns = labels.entry("report_text", "crosstab_prolonged")
    else:
        columns = labels.var("cases", crosstab.columns)
    return labels.entry("report_text", "crosstab_title").format(rows=rows, columns=columns)
