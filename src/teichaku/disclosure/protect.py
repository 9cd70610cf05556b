"""The entry point: :func:`protect` a :class:`CellTable` and read each cell's status."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from teichaku.disclosure.audit import Finding, audit
from teichaku.disclosure.relations import CellTable, Key
from teichaku.disclosure.secondary import primary_cells, suppressed_cells


class Status(StrEnum):
    PUBLISHED = "published"
    PRIMARY = "primary"  # sensitive itself or by its complement
    SECONDARY = "secondary"  # hidden so that a sensitive count cannot be derived


@dataclass(frozen=True)
class Protection:
    """The status of every printed cell of a protected table and the audit that proves it."""

    table: CellTable
    min_cell: int
    status: dict[Key, Status]
    findings: tuple[Finding, ...]

    @property
    def marker(self) -> str:
        return f"<{self.min_cell}"

    def shown(self, key: Key) -> bool:
        """Whether a printed cell is published (KeyError for a key the table lacks)."""
        return self.status[key] is Status.PUBLISHED

    def published(self) -> set[Key]:
        return {k for k, s in self.status.items() if s is Status.PUBLISHED}

    def suppressed(self) -> set[Key]:
        return {k for k, s in self.status.items() if s is not Status.PUBLISHED}

    def count(self, key: Key) -> str:
        """The count as printed: ``1,234`` or the marker."""
        return f"{self.table.value(key):,}" if self.shown(key) else self.marker

    def share_shown(self, count: Key, denominator: Key) -> bool:
        """A share k/n may be printed (to any precision) only where both k and n are."""
        return self.shown(count) and self.shown(denominator)

    def percent(self, count: Key, denominator: Key, digits: int = 1) -> str:
        n = self.table.value(denominator)
        if not n:
            return ""
        if not self.share_shown(count, denominator):
            return self.marker
        return f"{100.0 * self.table.value(count) / n:.{digits}f}"

    def mean(self, value: float, denominator: Key, digits: int = 2) -> str:
        """A mean over the valid answers counted by ``denominator``: shown only where that
        count is (so no sum of a suppressed group can be had by subtraction)."""
        if (
            not self.table.value(denominator)
            or value is None
            or (isinstance(value, float) and math.isnan(value))
        ):
            return ""
        return f"{value:.{digits}f}" if self.shown(denominator) else self.marker

    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]


def protect(table: CellTable, min_cell: int, integer: bool = True) -> Protection:
    """Primary and secondary suppression of ``table``, audited.

    Raises RuntimeError if the audit still finds a recoverable or unprotected count (it
    cannot by construction; the check keeps it so)."""
    if min_cell < 1:
        raise ValueError("min_cell must be at least 1")
    primary = primary_cells(table, min_cell)
    suppressed = suppressed_cells(table, primary, min_cell, integer)
    status = {}
    for key in table.printed():
        if key in suppressed:
            status[key] = Status.PRIMARY if key in primary else Status.SECONDARY
        else:
            status[key] = Status.PUBLISHED
    published = {k for k, s in status.items() if s is Status.PUBLISHED}
    findings = tuple(audit(table, published, min_cell, integer))
    result = Protection(table, min_cell, status, findings)
    bad = result.failures()
    if bad:
        raise RuntimeError(
            "disclosure audit failed for "
            + "; ".join(f"{f.target.label} in [{f.low}, {f.high}]" for f in bad[:5])
        )
    return result
