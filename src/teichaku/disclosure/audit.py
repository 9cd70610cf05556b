"""The intruder audit: what can be derived about a suppressed or sensitive count.

The intruder knows every published cell, every relation of the table and that counts are
non-negative integers. The feasible interval of a quantity (a cell, or a complement
``n - k``) is its minimum and maximum over all integer tables that agree with what is
published, found by mixed-integer linear programming (scipy's HiGHS ``milp``; the linear
relaxation, ``linprog``, with ``integer=False``).

Protection rule: a sensitive quantity (a count, printed or derivable, with
``0 < value < min_cell``) is protected when its feasible interval is at least ``min_cell``
wide (``hi - lo >= min_cell``: at least ``min_cell + 1`` values, the true one among them,
remain possible). A suppressed cell that is not sensitive need only not be recoverable
(``lo < hi``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from teichaku.disclosure.relations import CellTable, Key

Expression = tuple[tuple[Key, int], ...]


@dataclass(frozen=True)
class Target:
    """A quantity that must stay protected: ``sum(coefficient * cell)``."""

    expression: Expression
    value: int

    @property
    def label(self) -> str:
        return " ".join(f"{'+' if c > 0 else '-'}{k}" for k, c in self.expression)


@dataclass(frozen=True)
class Finding:
    """The audit of one quantity: ``kind`` is ``sensitive`` (must be protected) or
    ``suppressed`` (a suppressed cell that must not be recoverable). ``low``-``high`` is the
    intruder's interval where ``exact``, else an interval inside it that already shows the
    quantity protected."""

    target: Target
    kind: str
    low: float
    high: float
    ok: bool
    exact: bool = True


def is_protected(low: float, high: float, min_cell: int) -> bool:
    """The protection rule: the intruder's interval is at least min_cell wide."""
    return high - low >= min_cell


def sensitive_targets(table: CellTable, min_cell: int) -> list[Target]:
    """Every small count (0 < v < min_cell) of a protected cell, and every small complement
    ``denominator - cell``, in the order of the cells."""
    out: dict[Expression, Target] = {}
    for key, cell in table.cells.items():
        if not cell.protect or cell.known:
            continue
        if 0 < cell.value < min_cell:
            expr = ((key, 1),)
            out.setdefault(expr, Target(expr, cell.value))
        if cell.denominator is not None:
            rest = table.value(cell.denominator) - cell.value
            if 0 < rest < min_cell:
                expr = ((cell.denominator, 1), (key, -1))
                out.setdefault(expr, Target(expr, rest))
    return list(out.values())


def _component(table: CellTable, unknown: set, start, relations_of) -> tuple[list, list[int]]:
    """The unknown cells linked to ``start`` through relations, and those relations."""
    seen = {k for k in start if k in unknown}
    todo = list(seen)
    rels: set[int] = set()
    while todo:
        key = todo.pop()
        for i in relations_of[key]:
            if i in rels:
                continue
            rels.add(i)
            for k in table.relations[i].keys:
                if k in unknown and k not in seen:
                    seen.add(k)
                    todo.append(k)
    order = [k for k in table.cells if k in seen]
    return order, sorted(rels)


def determined(table: CellTable, published: Collection[Key]) -> set[Key]:
    """The published and known cells and every cell that follows from them by a relation
    with one unknown left (repeated until none follows): what an intruder reads off
    without optimising. Computed once per published set, it keeps the programs small."""
    fixed = set(published) | {k for k, c in table.cells.items() if c.known}
    open_relations = list(range(len(table.relations)))
    changed = True
    while changed:
        changed = False
        still = []
        for i in open_relations:
            unknown = [k for k in table.relations[i].keys if k not in fixed]
            if len(unknown) == 1:
                fixed.add(unknown[0])
                changed = True
            elif unknown:
                still.append(i)
        open_relations = still
    return fixed


def _program(table, published, terms, relations_of, fixed):
    """(objective, a, b, constant) of the intruder's program for ``terms``; a is None when
    every cell of the expression is determined."""
    from scipy.sparse import csr_array  # scipy imported when a table is audited, not at import

    relations_of = relations_of if relations_of is not None else table.relations_of()
    fixed = fixed if fixed is not None else determined(table, published)
    unknown = set(table.cells) - fixed
    columns, rels = _component(table, unknown, terms, relations_of)
    constant = sum(c * table.value(k) for k, c in terms.items() if k not in unknown)
    if not columns:
        return None, None, None, constant
    index = {k: j for j, k in enumerate(columns)}
    rows, cols, coefs = [], [], []
    b = np.zeros(len(rels))
    for r, i in enumerate(rels):
        for k, c in table.relations[i].terms:
            if k in index:
                rows.append(r)
                cols.append(index[k])
                coefs.append(c)
            else:
                b[r] -= c * table.value(k)
    a = csr_array((coefs, (rows, cols)), shape=(len(rels), len(columns)))
    objective = np.zeros(len(columns))
    for k, c in terms.items():
        if k in index:
            objective[index[k]] += c
    return objective, a, b, constant


def feasible_interval(
    table: CellTable,
    published: Collection[Key],
    expression: Mapping[Key, int] | Expression,
    integer: bool = True,
    relations_of: dict | None = None,
    fixed: set[Key] | None = None,
) -> tuple[float, float]:
    """(min, max) of ``expression`` over the non-negative (integer) tables that agree with
    the ``published`` cells and the known cells; ``math.inf`` when unbounded. ``fixed``:
    :func:`determined` of the same published set, if already at hand."""
    objective, a, b, constant = _program(table, published, dict(expression), relations_of, fixed)
    if objective is None:
        return float(constant), float(constant)
    low = _optimum(objective, a, b, integer)
    high = _optimum(-objective, a, b, integer)
    return constant + low, constant - high


def _bounds(table, published, terms, integer, relations_of, fixed, need=None):
    """(low, high) of the intruder's program; with ``need`` (value, min_cell), the low is
    not solved when the high alone shows a width of min_cell (low is then the value)."""
    objective, a, b, constant = _program(table, published, terms, relations_of, fixed)
    if objective is None:
        return float(constant), float(constant)
    high = constant - _optimum(-objective, a, b, integer)
    if need is not None and high - need[0] >= need[1]:
        return float(need[0]), high
    return constant + _optimum(objective, a, b, integer), high


def protected_interval(
    table: CellTable,
    published: Collection[Key],
    target: Target,
    min_cell: int | None,
    integer: bool = True,
    relations_of: dict | None = None,
    fixed: set[Key] | None = None,
) -> tuple[float, float, bool]:
    """(low, high, exact) for the target. The maximum is solved first: where it lies at
    least ``min_cell`` above the true value the target is protected whatever the minimum,
    which is then not solved (low is the true value, ``exact`` False: the intruder's
    interval holds this one). Otherwise, and with ``min_cell`` None, the exact interval."""
    need = (target.value, min_cell) if min_cell is not None else None
    low, high = _bounds(
        table, published, dict(target.expression), integer, relations_of, fixed, need
    )
    exact = need is None or high - target.value < min_cell
    return low, high, exact


def interval_width(
    table: CellTable,
    published: Collection[Key],
    target: Target,
    min_cell: int,
    integer: bool = True,
    relations_of: dict | None = None,
    fixed: set[Key] | None = None,
) -> float:
    """The width of the target's interval, or a lower bound of it that is at least
    ``min_cell`` (enough to know the target is protected)."""
    low, high, _ = protected_interval(
        table, published, target, min_cell, integer, relations_of, fixed
    )
    return high - low


def _optimum(objective, a, b, integer: bool) -> float:
    """min objective·x subject to a x = b, x >= 0 (x integer); -inf when unbounded.

    The linear relaxation is solved first: where its optimal vertex is integral (as it is
    for most tables with sums), it is the integer optimum; otherwise ``milp`` decides."""
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp

    n = len(objective)
    res = linprog(
        objective,
        A_eq=a if len(b) else None,
        b_eq=b if len(b) else None,
        bounds=[(0, None)] * n,
        method="highs",
    )
    if res.status == 3:
        return -math.inf
    if res.status != 0:
        raise RuntimeError(f"intruder problem not solved: {res.message}")
    if not integer or np.allclose(res.x, np.round(res.x), atol=1e-9):
        return round(float(res.fun)) if integer else float(res.fun)
    res = milp(
        objective,
        constraints=[LinearConstraint(a, b, b)] if len(b) else [],
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), np.full(n, np.inf)),
    )
    if res.status != 0:
        raise RuntimeError(f"intruder problem not solved: {res.message}")
    return round(float(res.fun))


def audit(
    table: CellTable,
    published: Collection[Key],
    min_cell: int,
    integer: bool = True,
) -> list[Finding]:
    """Audit every sensitive quantity and every suppressed printed cell."""
    published = set(published)
    relations_of = table.relations_of()
    fixed = determined(table, published)
    findings = []
    for target in sensitive_targets(table, min_cell):
        low, high, exact = protected_interval(
            table, published, target, min_cell, integer, relations_of, fixed
        )
        ok = is_protected(low, high, min_cell)
        findings.append(Finding(target, "sensitive", low, high, ok, exact))
    for key, cell in table.cells.items():
        # a small cell's own finding above (width >= min_cell) already says lo < hi
        small = cell.protect and not cell.known and 0 < cell.value < min_cell
        if cell.printed and key not in published and not small:
            target = Target(((key, 1),), cell.value)
            low, high, exact = protected_interval(
                table, published, target, None, integer, relations_of, fixed
            )
            findings.append(Finding(target, "suppressed", low, high, low < high, exact))
    return findings
