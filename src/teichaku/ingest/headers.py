"""Finding the header of a sheet and mapping its columns to codebook variables.

FORMAT.md: the header row is the first row holding the key column's label (or an alias);
labels are compared after NFKC and removal of whitespace; grouped columns come either as
one row ``group<sep>item`` (``:`` ``：`` ``・`` ``_`` ``/`` ``／`` or a line break) or as two
rows, a group row (merged cells over the items: only the first cell holds the text) above
an item row. Items may themselves contain a separator (``定期的な訪問・面談``), so a
one-row label is split where its left part is a known group label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from teichaku.codebook import Codebook, Table
from teichaku.ingest.errors import file_error
from teichaku.ingest.values import cell_text, squeeze

_LINE_BREAK = re.compile(r"[\r\n]+")


@dataclass(frozen=True)
class HeaderIndex:
    """Lookup tables of one table's labels, all in squeezed form."""

    plain: dict[str, str]  # label or alias -> variable (ungrouped columns)
    groups: dict[str, str]  # group label or alias -> group name
    items: dict[tuple[str, str], str]  # (group name, item) -> variable
    separators: tuple[str, ...]
    key_labels: frozenset[str]

    @classmethod
    def build(cls, table: Table, codebook: Codebook) -> HeaderIndex:
        plain, items = {}, {}
        for var in table.variables.values():
            if var.group is None:
                for label in (var.header, *var.aliases):
                    plain[squeeze(label)] = var.name
            else:
                items[(var.group, squeeze(var.item))] = var.name
        groups = {
            squeeze(label): g.name
            for g in table.groups.values()
            for label in (g.header, *g.aliases)
        }
        key = table.variables[table.key]
        separators = tuple(
            dict.fromkeys(unicodedata.normalize("NFKC", s) for s in codebook.group_separators)
        )
        return cls(
            plain,
            groups,
            items,
            separators,
            frozenset(squeeze(x) for x in (key.header, *key.aliases)),
        )

    def match(self, label: str) -> str | None:
        """The variable a one-row header label names, or None."""
        text = squeeze(label)
        if text in self.plain:
            return self.plain[text]
        parts = _LINE_BREAK.split(unicodedata.normalize("NFKC", label).strip(), maxsplit=1)
        if len(parts) == 2 and squeeze(parts[0]) in self.groups:
            return self.items.get((self.groups[squeeze(parts[0])], squeeze(parts[1])))
        for group_label in sorted(self.groups, key=len, reverse=True):
            rest = text[len(group_label) :]
            if text.startswith(group_label) and rest[:1] in self.separators:
                found = self.items.get((self.groups[group_label], rest[1:]))
                if found is not None:
                    return found
        return None

    def match_item(self, group: str, label: str) -> str | None:
        return self.items.get((group, squeeze(label)))


@dataclass
class Header:
    """Where the data starts and which column holds which variable."""

    data_start: int  # 0-based index of the first data row
    columns: dict[str, int]  # variable -> 0-based column index
    labels: dict[str, str]  # variable -> the header as written in the file
    extras: list[str]  # labels of columns that are not in the codebook


def find_header(rows: list, table: Table, codebook: Codebook, file: str) -> Header:
    index = HeaderIndex.build(table, codebook)
    i = next(
        (
            i
            for i, row in enumerate(rows)
            if any(squeeze(cell_text(c)) in index.key_labels for c in row)
        ),
        None,
    )
    if i is None:
        key = table.variables[table.key].header
        raise file_error(file, "no_header", f"no column named {key!r}")
    first = [cell_text(c) for c in rows[i]]
    two_rows = i + 1 < len(rows) and _item_row_below(first, rows[i + 1], index)
    labels: list[tuple[int, str, str | None]] = []  # (column, label as written, variable)
    if two_rows:
        second = [cell_text(c) for c in rows[i + 1]]
        second += [""] * (len(first) - len(second))
        first += [""] * (len(second) - len(first))
        group: str | None = None
        for j, (top, bottom) in enumerate(zip(first, second, strict=True)):
            if top:
                group = index.groups.get(squeeze(top))
                if group is None:  # an ungrouped column: label in the first row
                    labels.append((j, top, index.match(top)))
                    continue
            elif not bottom:
                group = None  # an empty column ends the group's merged cell
                continue
            if group is not None:
                written = f"{first[j] or _group_label(first, j)}:{bottom}"
                labels.append((j, written, index.match_item(group, bottom)))
            else:
                labels.append((j, bottom, index.match(bottom)))
        data_start = i + 2
    else:
        labels = [(j, c, index.match(c)) for j, c in enumerate(first) if c]
        data_start = i + 1
    columns: dict[str, int] = {}
    written: dict[str, str] = {}
    extras: list[str] = []
    for j, label, var in labels:
        if var is None:
            extras.append(label)
        elif var in columns:
            raise file_error(file, "duplicate_column", f"{label!r} (as {written[var]!r})")
        else:
            columns[var] = j
            written[var] = label
    missing = [v.header for v in table.variables.values() if v.required and v.name not in columns]
    if missing:
        raise file_error(file, "missing_column", ", ".join(missing))
    return Header(data_start, columns, written, extras)


def _item_row_below(first: list[str], below, index: HeaderIndex) -> bool:
    """True when the header has two rows: a cell of the first row is a group label and the
    row below names one of that group's items under it (within its merged span), and the
    cell under the key column is empty (FORMAT.md: the label of an ungrouped column is in
    the first row). A column merely headed with a group word (a free-text ``課題`` note)
    does not make the first data row an item row, nor does a row with a case number."""
    second = [cell_text(c) for c in below]
    key_at = [j for j, c in enumerate(first) if squeeze(c) in index.key_labels]
    if any(j < len(second) and second[j] for j in key_at):
        return False
    group = None
    for j in range(min(len(first), len(second)) if second else 0):
        if first[j]:
            group = index.groups.get(squeeze(first[j]))
        if group is not None and second[j] and index.match_item(group, second[j]):
            return True
    return False


def _group_label(first: list[str], j: int) -> str:
    """The text of the merged group cell covering column ``j`` (its first cell)."""
    while j > 0 and not first[j]:
        j -= 1
    return first[j]
