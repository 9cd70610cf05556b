"""Where a problem sits in the file a center sent: the sheet read again as the workflow reads
it (same reader, same header detection), the column index of each header label, and the
center of every data row, so that a problem can be sent to the center it belongs to and its
cell annotated at the right row and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from teichaku.codebook import Codebook, Table
from teichaku.ingest.headers import Header, find_header
from teichaku.ingest.parsers import cell_parser
from teichaku.ingest.readers import Sheet
from teichaku.ingest.values import CellError, cell_text

#: Recipient of the roster's problems: the coordinator, who keeps the roster.
ROSTER = "roster"
#: Recipient prefix of rows whose center cannot be told (no readable center in a file that
#: holds several centers, or none at all): the coordinator sorts them out.
UNASSIGNED = "unassigned"


@dataclass
class SheetMap:
    """One sheet of a raw file as the workflow read it."""

    path: Path  # the file on disk
    sheet: Sheet
    table: Table
    header: Header
    codebook: Codebook
    roster: frozenset[str] | None = None  # the roster's centers, when known
    _parsed: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, path: Path, sheet: Sheet, table: Table, cb: Codebook, roster=None) -> SheetMap:
        header = find_header(sheet.rows, table, cb, sheet.file)
        return cls(Path(path), sheet, table, header, cb, roster)

    @cached_property
    def variable_of_label(self) -> dict[str, str]:
        return {label: var for var, label in self.header.labels.items()}

    def column_index(self, label: str) -> int | None:
        """0-based column of a header label as reported (None: not in this sheet)."""
        var = self.variable_of_label.get(label)
        return None if var is None else self.header.columns.get(var)

    def cell(self, row: int, j: int | None) -> object:
        """The raw cell at Excel row ``row`` (1-based) and 0-based column ``j``."""
        if j is None or row < 1 or row > len(self.sheet.rows):
            return None
        cells = self.sheet.rows[row - 1]
        return cells[j] if j < len(cells) else None

    def value(self, row: int, variable: str) -> object:
        """The parsed value of ``variable`` at ``row``; None when missing or invalid."""
        j = self.header.columns.get(variable)
        if j is None:
            return None
        parse = self._parsed.get(variable)
        if parse is None:
            parse = self._parsed[variable] = cell_parser(
                self.table.variables[variable], self.codebook
            )
        try:
            return parse(self.cell(row, j))
        except CellError:
            return None

    @cached_property
    def data_rows(self) -> list[int]:
        """Excel rows below the header that hold anything."""
        rows = self.sheet.rows
        return [
            i + 1
            for i in range(self.header.data_start, len(rows))
            if any(cell_text(c) for c in rows[i])
        ]

    @cached_property
    def centers(self) -> dict[int, str | None]:
        """Excel row -> the center it names (None: unreadable, or not in the roster)."""
        out = {}
        for row in self.data_rows:
            center = self.value(row, "center_id")
            if self.roster is not None and center not in self.roster:
                center = None
            out[row] = center
        return out

    @cached_property
    def file_center(self) -> str | None:
        """The one center of the file when all its readable rows name the same one."""
        found = {c for c in self.centers.values() if c is not None}
        return found.pop() if len(found) == 1 else None

    def recipient(self, row: int | None) -> str:
        """Who gets a problem at ``row``: its center; in a file of one center, that center
        even where the row's own center number is wrong; else the coordinator."""
        if self.table.name == "roster":
            return ROSTER
        center = self.centers.get(row) if row is not None else None
        return center or self.file_center or unassigned(self.sheet.file)


def unassigned(file: str) -> str:
    return f"{UNASSIGNED}:{file}"
