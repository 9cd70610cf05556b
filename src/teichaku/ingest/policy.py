"""What an invalid cell does (``validation.invalid_cell`` of the config): ``reject_row``, the
default, rejects the whole row; ``set_missing`` makes the cell missing and keeps the row, the
problem still reported (file, sheet, row, column, value, rule) and counted as a warning with
its rule. It is set per variable group: a codebook group of mark columns (``act``, ``barrier``,
``need``, …), a single variable (``sex``, ``welfare``, …), and ``default`` for every other
variable. The keys (center, case number, cohort) are never set missing: a row without them
cannot be placed."""

from __future__ import annotations

from collections.abc import Mapping

from teichaku.codebook import Codebook
from teichaku.dictionary import must_be_filled
from teichaku.ingest.errors import IngestError

REJECT_ROW, SET_MISSING = "reject_row", "set_missing"
POLICIES = (REJECT_ROW, SET_MISSING)


def set_missing_variables(
    invalid_cell: Mapping[str, str] | str | None, cb: Codebook
) -> dict[str, frozenset[str]]:
    """Table -> the variables whose invalid cells are set missing."""
    if invalid_cell is None:
        return {name: frozenset() for name in cb.tables}
    if isinstance(invalid_cell, str):
        invalid_cell = {"default": invalid_cell}
    for name, policy in invalid_cell.items():
        if policy not in POLICIES:
            raise IngestError(
                f"validation.invalid_cell.{name}: {policy!r} is not one of {', '.join(POLICIES)}"
            )
    default = invalid_cell.get("default", REJECT_ROW)
    named = {k: v for k, v in invalid_cell.items() if k != "default"}
    groups = {g for t in cb.tables.values() for g in t.groups}
    variables = {v for t in cb.tables.values() for v in t.variables}
    unknown = sorted(set(named) - groups - variables)
    if unknown:
        raise IngestError(
            f"validation.invalid_cell: {', '.join(unknown)}: not a variable group or variable "
            f"of the codebook (groups: {', '.join(sorted(groups))})"
        )
    out = {}
    for tname, table in cb.tables.items():
        chosen = set()
        for var in table.variables.values():
            policy = named.get(var.name, named.get(var.group or "", default))
            if must_be_filled(var, cb) or var.personal:
                if var.name in named and named[var.name] == SET_MISSING:
                    raise IngestError(
                        f"validation.invalid_cell.{var.name}: a key is never set missing"
                    )
                continue
            if policy == SET_MISSING:
                chosen.add(var.name)
        out[tname] = frozenset(chosen)
    return out
