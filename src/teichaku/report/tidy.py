"""Machine-readable forms of a report table (docs/tables.md describes both):

- the tidy CSV ``<name>.tidy.csv``: one row per cell that holds something (a number, an
  estimate, a suppressed cell or a word in a number column), with the number in numeric
  columns and its kind in ``status``; a suppressed cell has no number, only the marker;
- the table's JSON ``<name>.json``: the whole table (title, columns, every cell with its
  number, notes), from which tables.xlsx is built without recomputing anything.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, fields
from typing import TYPE_CHECKING

import pandas as pd

from teichaku.report.cells import Cell, Kind

if TYPE_CHECKING:  # tables imports this module to write the formats
    from teichaku.report.tables import Table

TIDY_COLUMNS = (
    "table",
    "row",
    "group",
    "label",
    "column",
    "status",
    "value",
    "low",
    "high",
    "p",
    "denominator",
    "format",
    "text",
)


def _number(value) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def row_labels(table: Table) -> list[tuple[str, str]]:
    """(group, label) of each row: the label of its text columns (joined by " / " when there
    are several) and, for an indented item, the label of the heading row above it."""
    out = []
    group = ""
    for row in table.cells.itertuples(index=False):
        heads = [c for c in row[: table.text_columns] if c.kind is Kind.LABEL and c.text]
        text = " / ".join(c.label for c in heads)
        level = max((c.level for c in heads), default=0)
        if level == 0:
            group = text
        out.append((group if level else "", text))
    return out


def to_tidy_csv(table: Table) -> str:
    """One line per non-empty cell of the number columns (UTF-8, LF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TIDY_COLUMNS)
    first = table.text_columns
    columns = list(table.cells.columns)[first:]
    labels = row_labels(table)
    for i, row in enumerate(table.cells.itertuples(index=False)):
        group, label = labels[i]
        for column, cell in zip(columns, row[first:], strict=True):
            if cell.kind is Kind.EMPTY:
                continue
            writer.writerow(
                [
                    table.name,
                    i + 1,
                    group,
                    label,
                    column,
                    cell.kind.value,
                    _number(cell.value),
                    _number(cell.low),
                    _number(cell.high),
                    _number(cell.p),
                    _number(cell.denominator),
                    cell.format or "",
                    cell.text,
                ]
            )
    return buffer.getvalue()


_DEFAULTS = {f.name: f.default for f in fields(Cell)}


def _cell_json(cell: Cell) -> dict:
    """A cell's fields that differ from their default (text and kind always)."""
    out = {k: v for k, v in asdict(cell).items() if k in ("text", "kind") or v != _DEFAULTS[k]}
    out["kind"] = cell.kind.value
    return out


def to_json(table: Table) -> str:
    """The table as JSON (keys in a fixed order, non-ASCII kept, LF line ends)."""
    document = {
        "name": table.name,
        "title": table.title,
        "columns": list(table.cells.columns),
        "text_columns": table.text_columns,
        "count_columns": list(table.count_columns),
        "rows": [[_cell_json(c) for c in row] for row in table.cells.itertuples(index=False)],
        "notes": list(table.notes),
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def from_json(text: str) -> Table:
    """The :class:`Table` written by :func:`to_json`."""
    from teichaku.report.tables import Table

    document = json.loads(text)
    rows = [[Cell(**(c | {"kind": Kind(c["kind"])})) for c in row] for row in document["rows"]]
    return Table(
        name=document["name"],
        title=document["title"],
        cells=pd.DataFrame(rows, columns=document["columns"], dtype=object),
        notes=document["notes"],
        count_columns=document["count_columns"],
        text_columns=document["text_columns"],
    )
