"""The person counts behind tables 1-3 as one set of linked cells, protected together.

Tables 1 (basic attributes), 2 (support) and 3 (barriers) print counts of cases of the
same survey split by the same cohorts (and, in table 3, by the prolonged status): their
margins are shared, so an intruder can subtract across tables. This module builds every
count those tables print or imply as a :class:`~teichaku.disclosure.CellTable` with the
relations that hold among them, and :func:`survey_protection` suppresses and audits them
in one go. Tables, figures, numbers.json and the summary read the status of a count from
the same :class:`~teichaku.disclosure.Protection`.

Keys (``g`` a group: ``"all"``, a cohort code, ``"<column>=1"`` / ``"<column>=0"`` for
prolonged or not; groups of the form ``"...=NA"`` and ``"<cohort>&<column>=..."`` are never
printed):

- ``("size", g)``: cases in the group (table 1 回答件数; for a prolonged group, what the
  share prolonged of numbers.json and the summary rests on), and
  ``("size", "<column>=known")``: cases whose prolonged status is known (its n);
- ``("valid", column, g)``: valid answers of an item (every table's 有効回答数);
- ``("count", column, level, g)``: answers of one level (``"yes"`` for a mark or a
  yes/no item); its denominator is the valid count, so a small complement hides it too;
- never printed: ``("rest", column, g)`` (valid answers of the other levels) and
  ``("missing", column, g)`` (no valid answer; a count of records, not protected).

A mean is printed only where its valid count is; a percentage only where its count and
valid count are (so its digits reveal nothing beyond two published counts):
:func:`item_shown` answers it for a figure of ``published.ITEMS``.

The protection is a pure function of the cases (and the prolonged status): every stage that
calls :func:`survey_protection` on the same data gets the same statuses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from teichaku.analysis import specs as analysis_specs
from teichaku.codebook import Codebook
from teichaku.disclosure import Cell, CellTable, Protection, Status, protect
from teichaku.levels import level_masks
from teichaku.published import ITEMS
from teichaku.report.facts import AnalysisFacts

ALL = "all"
COHORT = "cohort"
YES = "yes"
#: Relative cost of suppressing a valid count / a group size (a count costs its value + 1):
#: secondary suppression hides the answers of a row before its denominators.
VALID_COST = 2.0
SIZE_COST = 3.0


@dataclass(frozen=True)
class Variable:
    """An item whose counts are printed: ``levels`` shown (None for a mean, whose valid
    count only is a count), ``by_prolonged`` when table 3 splits it by prolonged status,
    ``cohorts_printed`` unless only its overall and prolonged counts are printed (a
    cross-tabulation by prolonged status of a variable no table prints by cohort)."""

    column: str
    levels: tuple[str, ...] | None
    by_prolonged: bool = False
    cohorts_printed: bool = True


def merge_variables(variables: list[Variable], more: list[Variable]) -> list[Variable]:
    """``variables`` with ``more`` (cross-tabulations) merged in: one Variable per column,
    with every level printed anywhere and every split (cohort, prolonged) of any table."""
    out = {v.column: v for v in variables}
    for v in more:
        old = out.get(v.column)
        if old is None:
            out[v.column] = v
            continue
        levels = old.levels
        if v.levels is not None:
            levels = tuple(dict.fromkeys([*(old.levels or ()), *v.levels]))
        out[v.column] = Variable(
            v.column,
            levels,
            old.by_prolonged or v.by_prolonged,
            old.cohorts_printed or v.cohorts_printed,
        )
    return list(out.values())


def table1_variables() -> list[Variable]:
    """The person-level items of table 1 (published.ITEMS), one per column."""
    out: dict[str, Variable] = {}
    for item in ITEMS:
        if item.table != "cases" or item.kind not in ("mean", "pct"):
            continue
        old = out.get(item.column)
        if item.kind == "mean":
            out[item.column] = Variable(item.column, None)
        else:
            level = item.level or YES
            levels = (old.levels if old and old.levels else ()) + (level,)
            out[item.column] = Variable(item.column, levels)
    return list(out.values())


def mark_variables(codebook: Codebook, groups, by_prolonged: bool = False) -> list[Variable]:
    table = codebook.tables["cases"]
    return [
        Variable(v.name, (YES,), by_prolonged) for g in groups for v in table.group_variables(g)
    ]


def item_level(item) -> str:
    """The level key of a table 1 percentage item."""
    return item.level or YES


def item_shown(protection: Protection, item, group: str = ALL) -> bool:
    """Whether a person-level figure of published.ITEMS (``rows``, ``mean`` or ``pct``) may
    be printed for ``group`` anywhere (table 1, numbers.json, the summary, figure 2)."""
    if item.kind == "rows":
        return protection.shown(("size", group))
    valid = ("valid", item.column, group)
    if item.kind == "pct":
        return protection.share_shown(("count", item.column, item_level(item), group), valid)
    if item.kind == "mean":
        return protection.shown(valid)
    raise ValueError(f"{item.key}: a {item.kind!r} figure is not a person count")


def _level_hits(column: pd.Series, valid: np.ndarray, levels) -> dict[str, np.ndarray]:
    """Per level, which cases hold it among the valid values of ``column`` (False where the
    value is missing). A mark's level is its truth, any other level its text
    (:mod:`teichaku.levels`); found once per column, then counted per group."""
    values = column[valid]
    out = {}
    if YES in levels:
        out[YES] = np.zeros(len(column), dtype=bool)
        out[YES][valid] = values.astype(bool).to_numpy()
    others = [level for level in levels if level != YES]
    for level, hits in (level_masks(values, others) if others else {}).items():
        out[level] = np.zeros(len(column), dtype=bool)
        out[level][valid] = hits
    return out


def _group_masks(cases: pd.DataFrame, codebook: Codebook, prolonged: pd.Series | None, name):
    """(cohort groups incl. the unknown remainder, prolonged groups, cross groups) as
    lists of (key, mask)."""
    cohort = cases[COHORT].astype("string")
    codes = codebook.variable("cases", COHORT).codes
    cohorts = [(c, (cohort == c).fillna(False).to_numpy()) for c in codes]
    cohorts.append(
        (f"{COHORT}=NA", cohort.isna().to_numpy() | ~cohort.isin(codes).fillna(False).to_numpy())
    )
    if prolonged is None:
        return cohorts, [], []
    status = prolonged.reset_index(drop=True)
    pgroups = [
        (f"{name}=1", (status == 1).fillna(False).to_numpy()),
        (f"{name}=0", (status == 0).fillna(False).to_numpy()),
        (f"{name}=NA", status.isna().to_numpy()),
    ]
    cross = [(f"{c}&{p}", cm & pm) for c, cm in cohorts for p, pm in pgroups]
    return cohorts, pgroups, cross


def survey_cells(
    cases: pd.DataFrame,
    codebook: Codebook,
    variables: list[Variable],
    prolonged: pd.Series | None = None,
    prolonged_name: str | None = None,
) -> CellTable:
    """Every count of tables 1-3 and the relations among them (see the module doc)."""
    cohorts, pgroups, cross = _group_masks(cases, codebook, prolonged, prolonged_name)
    printed_groups = {ALL, *(c for c, _ in cohorts[:-1]), *(p for p, _ in pgroups[:2])}
    all_mask = np.ones(len(cases), dtype=bool)
    table = CellTable()

    def groups_for(by_prolonged: bool):
        groups = [(ALL, all_mask), *cohorts]
        if by_prolonged:
            groups += [*pgroups, *cross]
        return groups

    def add(key, value, printed, **kw):
        # A group that holds nobody and is never printed is empty by definition (a cohort
        # of the unknown, an ended case whose prolonged status is unknown): known.
        known = not printed and value == 0
        table.add(Cell(key, int(value), printed=printed, known=known, **kw))

    def partitions(family, by_prolonged: bool):
        """X(all) = sum over cohorts; with the prolonged split, X(all) = sum over its
        groups and each cohort / status is the sum of its cross cells."""
        table.add_sum(family(ALL), [family(c) for c, _ in cohorts])
        if by_prolonged:
            table.add_sum(family(ALL), [family(p) for p, _ in pgroups])
            for c, _ in cohorts:
                table.add_sum(family(c), [family(f"{c}&{p}") for p, _ in pgroups])
            for p, _ in pgroups:
                table.add_sum(family(p), [family(f"{c}&{p}") for c, _ in cohorts])

    any_prolonged = prolonged is not None and any(v.by_prolonged for v in variables)
    cohort_codes = {c for c, _ in cohorts}
    sizes_printed = {ALL, *(c for c, _ in cohorts[:-1]), *(p for p, _ in pgroups[:2])}
    for g, mask in groups_for(any_prolonged):
        add(("size", g), mask.sum(), g in sizes_printed, cost=SIZE_COST * (1 + mask.sum()))
    partitions(lambda g: ("size", g), any_prolonged)
    if any_prolonged:
        # numbers.json and the summary print the share prolonged among the cases whose
        # status is known, with that n: the sizes of the prolonged groups and their sum
        known = known_key(prolonged_name)
        value = sum(table.value(("size", p)) for p, _ in pgroups[:2])
        add(known, value, True, cost=SIZE_COST * (1 + value))
        table.add_sum(known, [("size", p) for p, _ in pgroups[:2]])

    for var in variables:
        if var.column not in cases.columns:
            continue
        by_p = var.by_prolonged and prolonged is not None
        column = cases[var.column].reset_index(drop=True)
        valid_all = column.notna().to_numpy()
        level_hits = _level_hits(column, valid_all, var.levels or ())
        for g, mask in groups_for(by_p):
            printed = g in printed_groups and (var.cohorts_printed or g not in cohort_codes)
            sel = mask & valid_all
            n = int(sel.sum())
            add(("valid", var.column, g), n, printed, cost=VALID_COST * (1 + n))
            add(("missing", var.column, g), int(mask.sum()) - n, False, protect=False)
            table.add_sum(("size", g), [("valid", var.column, g), ("missing", var.column, g)])
            if var.levels is None:
                continue
            parts = []
            for level in var.levels:
                k = int((level_hits[level] & sel).sum())
                add(
                    ("count", var.column, level, g),
                    k,
                    printed,
                    denominator=("valid", var.column, g),
                )
                parts.append(("count", var.column, level, g))
            shown = sum(table.value(p) for p in parts)
            # with one level the rest is the complement, protected through the count
            add(("rest", var.column, g), n - shown, False, protect=len(parts) > 1)
            table.add_sum(("valid", var.column, g), [*parts, ("rest", var.column, g)])
        partitions(lambda g, c=var.column: ("valid", c, g), by_p)
        partitions(lambda g, c=var.column: ("missing", c, g), by_p)
        for level in var.levels or ():
            partitions(lambda g, c=var.column, lv=level: ("count", c, lv, g), by_p)
        if var.levels is not None:
            partitions(lambda g, c=var.column: ("rest", c, g), by_p)
    return table


def known_key(prolonged_name: str) -> tuple[str, str]:
    """The key of the count of cases whose prolonged status is known (prolonged or not)."""
    return ("size", f"{prolonged_name}=known")


def prolonged_key(prolonged_name: str, value: int) -> tuple[str, str]:
    """The key of the size of a prolonged group (``value`` 1: prolonged, 0: not)."""
    return ("size", f"{prolonged_name}={value}")


def prolonged_outcome(spec) -> str | None:
    """The prolonged status that table 3 splits by: the outcome of the first secondary
    logistic model of the specification (whether or not it could be fitted); of report
    facts (:class:`teichaku.report.facts.AnalysisFacts`), their ``prolonged``."""
    if isinstance(spec, AnalysisFacts):
        return spec.prolonged
    return analysis_specs.prolonged_outcome(spec)


def survey_variables(codebook: Codebook) -> list[Variable]:
    """The items of tables 1, 2 (support marks) and 3 (barrier marks, by prolonged)."""
    return (
        table1_variables()
        + mark_variables(codebook, ["act", "guar", "link"])
        + mark_variables(codebook, ["barrier"], by_prolonged=True)
    )


def survey_protection(
    cases: pd.DataFrame,
    codebook: Codebook,
    min_cell: int,
    prolonged: pd.Series | None = None,
    prolonged_name: str | None = None,
) -> Protection:
    """Suppress and audit every person count of tables 1-3 (``prolonged``: the table 3
    status column of the analysis data set, row-aligned with ``cases``)."""
    if prolonged is not None and len(prolonged) != len(cases):
        raise ValueError("the prolonged status must have one value per case")
    table = survey_cells(cases, codebook, survey_variables(codebook), prolonged, prolonged_name)
    return protect(table, min_cell)


def report_cells(
    cases: pd.DataFrame, analysis: pd.DataFrame, spec, codebook: Codebook, crosstabs=()
) -> CellTable:
    """The cells of tables 1-3 and of the cross-tabulations ``crosstabs`` (their options:
    rows, columns, cells) as the report prints them: the cases, split by the prolonged
    status of :func:`prolonged_outcome` (``analysis``: the analysis data set, row-aligned
    with ``cases``)."""
    return table_cells(cases, analysis, prolonged_outcome(spec), codebook, crosstabs)


def table_cells(
    cases: pd.DataFrame,
    analysis: pd.DataFrame,
    name: str | None,
    codebook: Codebook,
    crosstabs=(),
) -> CellTable:
    """:func:`report_cells` given the prolonged status ``name`` (the rules that read only
    this of the model specification are given only this)."""
    from teichaku.report import crosstab as ct

    variables = merge_variables(
        survey_variables(codebook), ct.protected_variables(crosstabs, codebook)
    )
    if name is None or name not in analysis.columns:
        return survey_cells(cases, codebook, variables)
    if len(analysis) != len(cases):
        raise ValueError("the prolonged status must have one value per case")
    return survey_cells(cases, codebook, variables, analysis[name], name)


def report_protection(
    cases: pd.DataFrame,
    analysis: pd.DataFrame,
    spec,
    codebook: Codebook,
    min_cell: int,
    crosstabs=(),
) -> Protection:
    """The protection of tables 1-3 and the cross-tabulations that tables, figures,
    numbers.json and so the summary read every count's status from (computed once per run:
    data/processed/protection.json, :func:`protection_json`)."""
    return protect(report_cells(cases, analysis, spec, codebook, crosstabs), min_cell)


def protection_json(protection: Protection, crosstabs=()) -> str:
    """The statuses of the printed cells (keys and statuses only, no count), to be read back
    by :func:`read_protection` on the same data, and the cross-tabulations (their options)
    whose cells they include."""
    cells = [[*key, protection.status[key].value] for key in protection.status]
    data = {"min_cell": protection.min_cell, "cells": cells}
    if crosstabs:
        data["crosstabs"] = [dict(c) for c in crosstabs]
    return json.dumps(data, ensure_ascii=False) + "\n"


def protection_crosstabs(text: str) -> list[dict]:
    """The cross-tabulations whose cells a protection file includes."""
    return json.loads(text).get("crosstabs", [])


def read_protection(text: str, table: CellTable) -> Protection:
    """The protection written by :func:`protection_json` for ``table`` (the cells recomputed
    from the same data); an error when it was written for other cells. ``table`` may leave
    out the cells of the file's cross-tabulations (a reader that prints Tables 1-3 only)."""
    data = json.loads(text)
    status = {tuple(row[:-1]): Status(row[-1]) for row in data["cells"]}
    printed = set(table.printed())
    if set(status) != printed and not (data.get("crosstabs") and printed < set(status)):
        raise ValueError(
            "the protection file does not describe these tables (written for other data): "
            "rerun the workflow"
        )
    status = {k: v for k, v in status.items() if k in printed}
    return Protection(table, int(data["min_cell"]), status, ())


def _published_count(value) -> int | None:
    """A model count as coefficients.csv publishes it: the integer, or None where the
    publication layer (teichaku.report.publish) already shows the marker or there is none."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return None if pd.isna(number) else int(number)


def _already_hidden(value) -> bool:
    return isinstance(value, str) and value.startswith("<")


def model_cells(coefficients: pd.DataFrame) -> tuple[CellTable, set]:
    """n and events of every model (tables 4, 4b, 4c): events and non-events are counts
    of persons, the one the complement of the other (unless the model's rows are
    aggregates whose events outnumber them). Also the keys of the counts that
    coefficients.csv already shows as the marker (they stay hidden)."""
    table = CellTable()
    hidden = set()
    for model, g in coefficients.groupby("model", sort=False):
        first = g.iloc[0]
        n = _published_count(first["n"])
        if n is None:
            if _already_hidden(first["n"]):
                hidden |= {("model_n", model), ("model_events", model)}
            continue
        table.add(Cell(("model_n", model), n, cost=SIZE_COST * (1 + n)))
        events = _published_count(first.get("n_events"))
        if events is None:
            if _already_hidden(first.get("n_events")):
                hidden.add(("model_events", model))
            continue
        if events > n:  # a model of aggregates (centers) counting events of their cases
            table.add(Cell(("model_events", model), events))
            continue
        table.add(Cell(("model_events", model), events, denominator=("model_n", model)))
        table.add(Cell(("model_nonevents", model), n - events, printed=False))
        table.add_sum(("model_n", model), [("model_events", model), ("model_nonevents", model)])
    return table, hidden


def model_protection(coefficients: pd.DataFrame, min_cell: int) -> Protection:
    table, hidden = model_cells(coefficients)
    protection = protect(table, min_cell)
    return replace(
        protection, status={**protection.status, **dict.fromkeys(hidden, Status.PRIMARY)}
    )
