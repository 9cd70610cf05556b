"""The headline figures of the published 2021 summary, computed from clean tables.

``compute_published`` returns, for the sections ``survey``, ``basic_attributes`` and
``awareness`` of ``config/published-2021.yaml``, exactly the keys printed there, computed
from the clean roster, cases and awareness tables. Percentages are over the valid
(non-missing) answers of their own item; ``compute_valid_n`` gives those denominators.

``load_published`` reads the YAML keeping every number as printed (``90.0`` keeps one
decimal), and ``compare_published`` says whether each computed value rounds (half up) to the
published one at its printed precision. The synthetic generator is calibrated with it and
the analysis stage reuses it for ``results/numbers.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import yaml

from teichaku.codebook import Codebook, load_codebook
from teichaku.levels import level_mask

SECTIONS = ("survey", "basic_attributes", "awareness")


@dataclass(frozen=True)
class Item:
    """How one published figure is computed.

    kind: ``pct`` (share of ``level`` among valid answers of ``column``, or of True for a
    boolean column when ``level`` is None), ``mean`` (mean of valid answers) or ``count``.
    """

    section: str
    key: str
    table: str
    column: str | None
    kind: str
    level: str | None = None


# The published figures and the column each is computed from (the semantics of the summary;
# labels and codes themselves live in the codebook).
_S, _B, _A = SECTIONS
ITEMS: tuple[Item, ...] = (
    Item(_S, "n_centers_asked", "roster", None, "rows"),
    Item(_S, "n_centers_responded", "roster", "responded", "count"),
    Item(_S, "pct_centers_responded", "roster", "responded", "pct"),
    Item(_S, "n_cases_target", "roster", "n_target", "sum"),
    Item(_S, "n_cases", "cases", None, "rows"),
    Item(_S, "period_start", "codebook", "period_start", "date"),
    Item(_S, "period_end", "codebook", "period_end", "date"),
    Item(_B, "mean_age", "cases", "age", "mean"),
    Item(_B, "pct_male", "cases", "sex", "pct", "male"),
    Item(_B, "pct_special_coordination", "cases", "coordination", "pct", "special"),
    Item(_B, "mean_iq", "cases", "iq", "mean"),
    Item(_B, "mean_prison_admissions", "cases", "prison_admissions", "mean"),
    Item(_B, "mean_residence_changes", "cases", "residence_changes", "mean"),
    *(
        Item(_B, f"pct_current_{code}", "cases", "current_residence", "pct", code)
        for code in ("own_home", "disability_group_home", "hospital", "nursing_home_yogo")
    ),
    Item(_B, "pct_welfare", "cases", "welfare", "pct"),
    Item(_A, "n_centers", "awareness", None, "rows"),
    *(
        Item(_A, f"pct_{column}", "awareness", column, "pct")
        for column in (
            "need_disability_services",
            "need_care_manager",
            "reason_no_agency_cooperation",
            "reason_no_stable_service",
            "reason_refuses_other_support",
            "reason_facility_requests",
        )
    ),
)


def _evaluate(item: Item, tables: dict[str, pd.DataFrame], codebook: Codebook):
    """(value, valid n) of one item; valid n is None where no denominator applies."""
    if item.kind == "date":
        return codebook.survey[item.column].isoformat(), None
    frame = tables[item.table]
    if item.kind == "rows":
        return len(frame), None
    col = frame[item.column]
    valid = col.dropna()
    n = len(valid)
    if item.kind == "sum":
        return int(valid.sum()), n
    if item.kind == "count":
        return int(valid.astype(bool).sum()), n
    if item.kind == "mean":
        return (float(valid.astype(float).mean()) if n else float("nan")), n
    if item.kind == "pct":
        hits = level_mask(valid, item.level) if item.level else valid.astype(bool)
        return (100.0 * int(hits.sum()) / n if n else float("nan")), n
    raise ValueError(f"unknown kind {item.kind!r}")


def _compute(roster, cases, awareness, codebook):
    codebook = codebook or load_codebook()
    tables = {"roster": roster, "cases": cases, "awareness": awareness}
    values: dict[str, dict] = {s: {} for s in SECTIONS}
    valid_n: dict[str, dict] = {s: {} for s in SECTIONS}
    for item in ITEMS:
        value, n = _evaluate(item, tables, codebook)
        values[item.section][item.key] = value
        valid_n[item.section][item.key] = n
    return values, valid_n


def compute_published(
    roster: pd.DataFrame,
    cases: pd.DataFrame,
    awareness: pd.DataFrame,
    codebook: Codebook | None = None,
) -> dict[str, dict]:
    """Every published figure (sections survey, basic_attributes, awareness), unrounded."""
    return _compute(roster, cases, awareness, codebook)[0]


def compute_valid_n(
    roster: pd.DataFrame,
    cases: pd.DataFrame,
    awareness: pd.DataFrame,
    codebook: Codebook | None = None,
) -> dict[str, dict]:
    """The valid n (denominator) behind each figure, parallel to ``compute_published``."""
    return _compute(roster, cases, awareness, codebook)[1]


class _ExactLoader(yaml.SafeLoader):
    """Loads floats as Decimal (keeping the printed decimals) and dates as ISO strings."""


_ExactLoader.add_constructor(
    "tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node))
)
_ExactLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def load_published(path: str | Path) -> dict:
    """The published YAML with numbers as printed (Decimal for decimals, int, ISO dates)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_ExactLoader)  # a SafeLoader subclass


def decimals(value: Decimal | int) -> int:
    """Printed decimals of a published number: 56.71 -> 2, 90.0 -> 1, 46 -> 0."""
    if isinstance(value, Decimal):
        return max(0, -value.as_tuple().exponent)
    return 0


def round_half_up(value: float, ndigits: int) -> Decimal:
    """Round as printed summaries do (half up), on the decimal repr of the float."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-ndigits), ROUND_HALF_UP)


@dataclass(frozen=True)
class Comparison:
    section: str
    key: str
    computed: object
    rounded: object
    published: object
    decimals: int
    valid_n: int | None
    ok: bool


def compare_published(
    computed: dict, published: dict, valid_n: dict | None = None
) -> list[Comparison]:
    """Compare each computed figure with the published one at the published precision."""
    out = []
    for section in SECTIONS:
        for key, pub in published[section].items():
            value = computed[section][key]
            n = (valid_n or {}).get(section, {}).get(key)
            if isinstance(pub, Decimal):
                d = decimals(pub)
                rounded = round_half_up(value, d)
                ok = rounded == pub
            elif isinstance(pub, int) and not isinstance(pub, bool):
                d, rounded = 0, value
                ok = value == pub
            else:
                d, rounded = 0, value
                ok = str(value) == str(pub)
            out.append(Comparison(section, key, value, rounded, pub, d, n, ok))
    return out
