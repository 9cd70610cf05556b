"""The cells of a report table: what each shows (``text``, the display string the CSV,
Markdown and LaTeX tables print) and the number behind it, so that the machine-readable
formats (the tidy CSV, tables.xlsx) store numbers as numbers.

Every cell is made by one of the constructors below, which compute the display string and
the number from the same value, so the two never disagree. A suppressed cell carries the
marker and nothing else: no value, no interval, no denominator.

``value`` is the number the cell shows, rounded as shown (a percentage printed 83.4 holds
83.4); an estimate cell holds the model's estimate, interval and p unrounded, as
results/<run>/models/coefficients.csv has them (its display rounds them to 2 decimals).
``format`` is the number format of the value (and of ``low``/``high``) in Excel's notation,
which tables.xlsx applies as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from teichaku.disclosure import Protection

#: Number formats (Excel notation) of the cells.
COUNT = "#,##0"  # a count: thousands separated
INTEGER = "0"
ESTIMATE = "0.00"
#: p as printed: three decimals, below 0.001 as "<0.001"
P_VALUE = '[<0.001]"<0.001";0.000'
P_FLOOR = 0.001


def decimal_format(digits: int) -> str:
    """The format of a number printed with ``digits`` decimals (0 -> ``0``, 2 -> ``0.00``)."""
    return "0" if digits <= 0 else "0." + "0" * digits


class Kind(StrEnum):
    LABEL = "label"  # a row label (a text column)
    TEXT = "text"  # a word in a number column ("—", "Hazard ratio (95% CI)", a date)
    NUMBER = "number"
    ESTIMATE = "estimate"  # an estimate with its confidence interval (and p)
    SUPPRESSED = "suppressed"
    EMPTY = "empty"


@dataclass(frozen=True)
class Cell:
    """One cell of a table: its display text and, for a number, the number behind it."""

    text: str
    kind: Kind
    value: float | int | None = None
    format: str | None = None
    low: float | None = None
    high: float | None = None
    p: float | None = None
    #: the denominator of a "k/n" cell (value k)
    denominator: int | None = None
    #: the indentation level of a row label (1: an item under the group heading above)
    level: int = 0

    @property
    def label(self) -> str:
        """The text without its indentation."""
        return self.text.lstrip("　") if self.kind is Kind.LABEL else self.text

    @property
    def is_number(self) -> bool:
        return self.kind in (Kind.NUMBER, Kind.ESTIMATE)


INDENT = "　"  # a full-width space: how the display tables indent an item under its group

EMPTY = Cell("", Kind.EMPTY)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def label(text: str, level: int = 0) -> Cell:
    """A row label, indented by ``level`` full-width spaces in the display."""
    return Cell(INDENT * level + str(text), Kind.LABEL, level=level)


def text(value: str) -> Cell:
    """A word in a number column; an empty string is an empty cell."""
    return Cell(str(value), Kind.TEXT) if str(value) else EMPTY


def suppressed(marker: str, format: str | None = None) -> Cell:
    """A suppressed cell: the marker only (``format``: what the number would have had)."""
    return Cell(marker, Kind.SUPPRESSED, format=format)


def count(value) -> Cell:
    """A count printed in full, thousands separated (1,234)."""
    if _missing(value):
        return EMPTY
    return Cell(f"{int(value):,}", Kind.NUMBER, int(value), COUNT)


def integer(value) -> Cell:
    """An integer printed without separators (a number of clusters)."""
    if _missing(value):
        return EMPTY
    return Cell(f"{int(value)}", Kind.NUMBER, int(value), INTEGER)


def decimal(value, digits: int) -> Cell:
    """A number printed with ``digits`` decimals, holding the value as printed."""
    if _missing(value):
        return EMPTY
    value = float(value)
    return Cell(f"{value:.{digits}f}", Kind.NUMBER, round(value, digits), decimal_format(digits))


def fraction(k: int, n: int) -> Cell:
    """``k/n`` (centers of an awareness item): value k, denominator n."""
    return Cell(f"{k}/{n}", Kind.NUMBER, int(k), f'0"/{int(n)}"', denominator=int(n))


def estimate(value, low, high, p=None) -> Cell:
    """``0.59 (0.52–0.67)``; the estimate alone when the interval is not reported."""
    if _missing(value):
        return EMPTY
    p = None if _missing(p) else float(p)
    if _missing(low) or _missing(high):
        return Cell(f"{value:.2f}", Kind.ESTIMATE, float(value), ESTIMATE, p=p)
    return Cell(
        f"{value:.2f} ({low:.2f}–{high:.2f})",
        Kind.ESTIMATE,
        float(value),
        ESTIMATE,
        low=float(low),
        high=float(high),
        p=p,
    )


def p_value(p) -> Cell:
    """p with three decimals, ``<0.001`` below; the value unrounded (as the estimate's)."""
    if _missing(p):
        return EMPTY
    shown = "<0.001" if p < P_FLOOR else f"{p:.3f}"
    return Cell(shown, Kind.NUMBER, float(p), P_VALUE)


# ------------------------------------------------------------------ protected cells


def protected_count(protection: Protection, key) -> Cell:
    """A count of a protected table: the count, or the marker where it is suppressed."""
    shown = protection.count(key)
    if not protection.shown(key):
        return suppressed(shown, COUNT)
    return Cell(shown, Kind.NUMBER, int(protection.table.value(key)), COUNT)


def protected_percent(protection: Protection, count_key, valid_key, digits: int = 1) -> Cell:
    """k/n in percent where both are shown, else the marker (empty where n is 0)."""
    shown = protection.percent(count_key, valid_key, digits)
    if not shown:
        return EMPTY
    if not protection.share_shown(count_key, valid_key):
        return suppressed(shown, decimal_format(digits))
    k, n = protection.table.value(count_key), protection.table.value(valid_key)
    return Cell(shown, Kind.NUMBER, round(100.0 * k / n, digits), decimal_format(digits))


def protected_mean(protection: Protection, value, valid_key, digits: int = 2) -> Cell:
    """A mean shown only where its valid count is (:meth:`Protection.mean`)."""
    shown = protection.mean(value, valid_key, digits)
    if not shown:
        return EMPTY
    if not protection.shown(valid_key):
        return suppressed(shown, decimal_format(digits))
    return Cell(shown, Kind.NUMBER, round(float(value), digits), decimal_format(digits))
