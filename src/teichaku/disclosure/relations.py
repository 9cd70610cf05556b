"""A set of linked tables as cells and the linear relations that hold among them.

Every quantity a table prints (or that can be derived from what it prints) is a *cell*: a
non-negative integer count with a key. A *relation* is a linear equation among cells that
holds by construction (a total is the sum of its parts: ``total - part_1 - ... = 0``) and
that an intruder is assumed to know. Cells that are never printed (the "no" of a yes/no
item, the missing answers, a cohort crossed with the prolonged status) take part in the
relations as unknowns; cells known to the intruder without being printed (a combination
that holds nobody by definition) are marked ``known``.

The same quantity printed in several tables has one key, so that it is suppressed
everywhere or nowhere and the relations of all tables are audited together.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

Key = Hashable


@dataclass(frozen=True)
class Cell:
    """One count.

    printed      shown in some table unless suppressed (False: only derivable)
    protect      a small value of this cell (0 < value < min_cell) must not be disclosed
                 (False for counts that describe records rather than persons, such as
                 the number of missing answers)
    denominator  key of the count this one is a part of (valid answers of the item):
                 the complement ``denominator - cell`` is protected too
    known        not printed, but known to an intruder anyway (a structural zero)
    cost         what suppressing it costs (secondary suppression prefers cheap cells);
                 default: 1 + value
    """

    key: Key
    value: int
    printed: bool = True
    protect: bool = True
    denominator: Key | None = None
    known: bool = False
    cost: float | None = None

    def __post_init__(self):
        if self.value < 0 or int(self.value) != self.value:
            raise ValueError(f"cell {self.key!r}: a count must be a non-negative integer")

    @property
    def weight(self) -> float:
        return float(self.cost) if self.cost is not None else 1.0 + self.value


@dataclass(frozen=True)
class Relation:
    """``sum(coefficient * cell) == 0``, true of the cells' values."""

    terms: tuple[tuple[Key, int], ...]
    keys: tuple[Key, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "keys", tuple(k for k, _ in self.terms))


@dataclass
class CellTable:
    """Cells and relations; built with :meth:`add` and :meth:`add_sum`."""

    cells: dict[Key, Cell] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)

    def add(self, cell: Cell) -> Cell:
        """Add a cell; a key added twice must describe the same count."""
        old = self.cells.get(cell.key)
        if old is not None:
            if old.value != cell.value:
                raise ValueError(
                    f"cell {cell.key!r} added with values {old.value} and {cell.value}"
                )
            if old.printed or not cell.printed:
                return old
        self.cells[cell.key] = cell
        return cell

    def add_relation(self, terms: Mapping[Key, int]) -> Relation:
        missing = [k for k in terms if k not in self.cells]
        if missing:
            raise KeyError(f"relation names unknown cells {missing}")
        total = sum(c * self.cells[k].value for k, c in terms.items())
        if total != 0:
            raise ValueError(f"relation {dict(terms)} does not hold (sum {total})")
        relation = Relation(tuple((k, int(c)) for k, c in terms.items() if c))
        self.relations.append(relation)
        return relation

    def add_sum(self, total: Key, parts: Iterable[Key]) -> Relation:
        """``total = sum(parts)``."""
        terms: dict[Key, int] = {total: 1}
        for part in parts:
            terms[part] = terms.get(part, 0) - 1
        return self.add_relation(terms)

    def value(self, key: Key) -> int:
        return self.cells[key].value

    def printed(self) -> list[Key]:
        return [k for k, c in self.cells.items() if c.printed]

    def relations_of(self) -> dict[Key, list[int]]:
        """Cell key -> indices of the relations it appears in."""
        out: dict[Key, list[int]] = {k: [] for k in self.cells}
        for i, rel in enumerate(self.relations):
            for k in rel.keys:
                out[k].append(i)
        return out
