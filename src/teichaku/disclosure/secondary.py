"""Primary and secondary (complementary) cell suppression.

Primary suppression hides every printed count that is sensitive or whose complement is.
Secondary suppression then hides further printed cells, chosen greedily at the least cost
(by default the cell's value: small cells before large ones, parts before totals), in the
manner of the heuristics of tau-ARGUS and R's sdcTable:

1. *Singletons*: no relation may have a small count as its only unknown (it would be its
   total minus the published parts); the cheapest published cell of such a relation is
   suppressed, until no relation has one.
2. *Audit-driven*: while the intruder audit (:mod:`teichaku.disclosure.audit`) finds a
   sensitive quantity whose interval is narrower than ``min_cell``, the published cell of
   its relations whose suppression widens that interval the most (protecting it at the
   least cost where one does) is suppressed.
3. Secondary cells that are recoverable anyway (their suppression protects nothing) are
   published again.

The procedure ends: every round suppresses one more printed cell, and a table with every
printed cell suppressed leaves every count unbounded above.
"""

from __future__ import annotations

from teichaku.disclosure.audit import (
    _component,
    determined,
    feasible_interval,
    interval_width,
    sensitive_targets,
)
from teichaku.disclosure.relations import CellTable, Key

#: Candidates (cheapest first) tried per round of the audit-driven step.
MAX_CANDIDATES = 40


def primary_cells(table: CellTable, min_cell: int) -> set[Key]:
    """Printed, protected counts with 0 < k < min_cell or 0 < n - k < min_cell."""
    out = set()
    for key, cell in table.cells.items():
        if not cell.printed or not cell.protect:
            continue
        small = 0 < cell.value < min_cell
        if cell.denominator is not None:
            rest = table.value(cell.denominator) - cell.value
            small = small or 0 < rest < min_cell
        if small:
            out.add(key)
    return out


def suppressed_cells(
    table: CellTable, primary: set[Key], min_cell: int, integer: bool = True
) -> set[Key]:
    """The printed cells to suppress, ``primary`` and more, so that the audit passes. A
    primary cell suppressed only for its complement is published again where its own value
    follows from what is published anyway (a zero part of a zero total)."""
    printed = table.printed()
    order = {k: i for i, k in enumerate(table.cells)}
    relations_of = table.relations_of()
    suppressed = set(primary)
    targets = sensitive_targets(table, min_cell)
    small = {t.expression[0][0] for t in targets if len(t.expression) == 1}

    def published() -> set[Key]:
        return {k for k in printed if k not in suppressed}

    def cheapest(keys) -> Key:
        return min(keys, key=lambda k: (table.cells[k].weight, order[k]))

    def close_singletons() -> None:
        changed = True
        while changed:
            changed = False
            pub = published()
            for rel in table.relations:
                unknown = [k for k in rel.keys if k not in pub and not table.cells[k].known]
                if len(unknown) == 1 and unknown[0] in small:
                    options = [k for k in rel.keys if k in pub]
                    if options:
                        suppressed.add(cheapest(options))
                        pub = published()
                        changed = True

    # Suppressing more only widens intervals: a target found protected stays protected.
    start = 0
    while True:
        close_singletons()
        pub = published()
        fixed = determined(table, pub)
        failing = None
        for i in range(start, len(targets)):
            target = targets[i]
            width = interval_width(table, pub, target, min_cell, integer, relations_of, fixed)
            if width < min_cell:
                failing, start = target, i
                break
        if failing is None:
            break
        known = {k for k, c in table.cells.items() if c.known}
        unknown = set(table.cells) - pub - known
        _, rels = _component(table, unknown, dict(failing.expression), relations_of)
        options = sorted(
            {k for i in rels for k in table.relations[i].keys if k in pub},
            key=lambda k: (table.cells[k].weight, order[k]),
        )
        if not options:  # its own cells are published: suppress the cheapest of them
            options = sorted(
                (k for k, _ in failing.expression if k in pub),
                key=lambda k: (table.cells[k].weight, order[k]),
            )
        if not options:
            raise RuntimeError(f"cannot protect {failing.label}: nothing left to suppress")
        choice, best = None, width
        for key in options[:MAX_CANDIDATES]:
            gain = interval_width(table, pub - {key}, failing, min_cell, False, relations_of)
            if gain >= min_cell:
                choice = key
                break
            if gain > best:
                choice, best = key, gain
        suppressed.add(choice if choice is not None else options[0])

    # A suppressed cell whose value follows from what is published hides nothing: publish
    # it (this does not change what can be derived). Cells small themselves stay hidden
    # (the audit has shown they cannot be derived).
    pub = published()
    fixed = determined(table, pub)
    for key in sorted(suppressed, key=lambda k: -order[k]):
        if 0 < table.value(key) < min_cell:
            continue
        if key in fixed:  # follows by subtraction
            low = high = table.value(key)
        else:
            low, high = feasible_interval(table, pub, ((key, 1),), integer, relations_of, fixed)
        if low == high:
            suppressed.discard(key)
            pub.add(key)
    return suppressed
