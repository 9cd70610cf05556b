"""Groups of rows and labels of published items that the tables and the figures share."""

from __future__ import annotations

import pandas as pd

from teichaku.report.labels import Labels
from teichaku.report.protection import ALL

COHORT = "cohort"


def cohort_groups(cases: pd.DataFrame, labels: Labels) -> list[tuple[str, pd.Series]]:
    """(label, row mask) for everyone and for each cohort, in codebook order."""
    groups = [(labels.text("overall"), pd.Series(True, index=cases.index))]
    for code in labels.variable("cases", COHORT).codes:
        groups.append((labels.level("cases", COHORT, code), cases[COHORT].astype(str) == code))
    return groups


def cohort_group_keys(labels: Labels) -> list[str]:
    """The protection's group keys of :func:`cohort_groups`, in the same order."""
    return [ALL, *labels.variable("cases", COHORT).codes]


def mark_shares(frame: pd.DataFrame, column: str, mask: pd.Series) -> tuple[int, int]:
    """(yes, valid n) of a yes/no column within mask; <NA> (column absent) is not valid."""
    values = frame.loc[mask.to_numpy(), column]
    valid = values.dropna()
    return int(valid.astype(bool).sum()), len(valid)


def item_label(item, labels: Labels) -> str:
    """Label of a published item: labels.yaml for survey figures, else the codebook."""
    if item.key in labels.strings.get("published_items", {}):
        return labels.entry("published_items", item.key)
    name = labels.var(item.table, item.column)
    if item.kind == "mean":
        return f"{name} ({labels.text('mean')})"
    if item.level is not None:
        return f"{name}: {labels.level(item.table, item.column, item.level)} (%)"
    return f"{name} (%)"
