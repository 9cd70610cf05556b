"""Disclosure control of published tables: primary and secondary (complementary) cell
suppression and the intruder audit that proves it, as pure functions on a
:class:`~teichaku.disclosure.relations.CellTable` (cells, the linear relations among them,
which cells are printed).

The rules (also in docs/disclosure.md):

- **Primary**: a count ``k`` is sensitive when ``0 < k < min_cell``; a printed count is
  suppressed when it is sensitive or when its complement ``n - k`` (``n`` its denominator) is.
- **Secondary**: further printed cells are suppressed until every sensitive quantity passes
  the audit.
- **Audit (protection rule)**: for every sensitive quantity (a small count, printed or not,
  or the small complement of a suppressed count) the interval of values an intruder can
  derive from everything published (the table's sums, non-negativity, integrality) is at
  least ``min_cell`` wide; and no suppressed cell is recoverable exactly.
"""

from teichaku.disclosure.audit import Finding, audit, feasible_interval, is_protected
from teichaku.disclosure.protect import Protection, Status, protect
from teichaku.disclosure.relations import Cell, CellTable

__all__ = [
    "Cell",
    "CellTable",
    "Finding",
    "Protection",
    "Status",
    "audit",
    "feasible_interval",
    "is_protected",
    "protect",
]
