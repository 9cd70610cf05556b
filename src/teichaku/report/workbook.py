"""tables.xlsx: every table of the report in one workbook, one sheet per table in the
report's order (docs/tables.md).

A sheet holds the title, the header, the rows and the notes below. Numbers are stored as
numbers with the display's format (``#,##0``, ``0.0``, ``0.00``, p below 0.001 shown as
``<0.001``), so Excel computes with them; a column of estimates is split into the estimate
and its interval's lower and upper bound, each a number; a suppressed cell is the text of
its marker (``<5``) and holds no number. The bytes depend on the tables only
(:func:`teichaku.report.package.deterministic_zip`).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from teichaku.report.cells import Cell, Kind
from teichaku.report.package import deterministic_zip
from teichaku.report.tables import Table

TITLE_ROW, HEADER_ROW = 1, 2
SHEET_NAME_LIMIT = 31  # Excel's
#: the column widths (characters) a portrait A4 page prints at a readable size
PORTRAIT_WIDTH = 110
RULE = Side(style="thin")
HEAVY_RULE = Side(style="medium")


@dataclass(frozen=True)
class Column:
    """A column of the sheet: a column of the table, or one bound of its estimates."""

    heading: str
    source: int  # the table's column
    part: str  # "cell", "low" or "high"


def sheet_columns(table: Table, ci_lower: str, ci_upper: str) -> list[Column]:
    """The table's columns, each column holding estimates followed by its bounds."""
    out = []
    for i, heading in enumerate(table.cells.columns):
        out.append(Column(heading, i, "cell"))
        if any(c.kind is Kind.ESTIMATE and c.low is not None for c in table.cells.iloc[:, i]):
            out += [
                Column(f"{heading} {ci_lower}", i, "low"),
                Column(f"{heading} {ci_upper}", i, "high"),
            ]
    return out


def sheet_value(cell: Cell, part: str):
    """What the sheet stores for ``part`` of ``cell``: a number, a text, or None (empty)."""
    if part != "cell":
        return getattr(cell, part) if cell.kind is Kind.ESTIMATE else None
    if cell.kind is Kind.EMPTY:
        return None
    if cell.is_number:
        return cell.value
    if cell.kind is Kind.LABEL:
        return cell.label
    return cell.text  # a suppressed cell's marker, a word


def text_width(text: str) -> int:
    """Columns a text takes in a monospaced view: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def sheet_names(tables: list[Table]) -> list[str]:
    """Each table's name as a sheet name: cut to Excel's 31 characters, made unique."""
    names: list[str] = []
    for table in tables:
        name, k = table.name[:SHEET_NAME_LIMIT], 1
        while name in names:
            k += 1
            name = f"{table.name[: SHEET_NAME_LIMIT - len(str(k)) - 1]}~{k}"
        names.append(name)
    return names


def _fill_sheet(ws, table: Table, columns: list[Column]) -> None:
    ws.cell(TITLE_ROW, 1, table.title).font = Font(bold=True)
    for j, column in enumerate(columns, start=1):
        cell = ws.cell(HEADER_ROW, j, column.heading)
        cell.font = Font(bold=True)
        cell.border = Border(top=HEAVY_RULE, bottom=RULE)
        cell.alignment = Alignment(
            horizontal="left" if column.source < table.text_columns else "right",
            vertical="bottom",
            wrap_text=True,
        )
    rows = list(table.cells.itertuples(index=False))
    # a heading wraps: a text column is at least 14 characters wide, a number column 8
    widths = [
        min(text_width(c.heading), 14 if c.source < table.text_columns else 8) for c in columns
    ]
    for i, row in enumerate(rows):
        r = HEADER_ROW + 1 + i
        for j, column in enumerate(columns, start=1):
            source = row[column.source]
            value = sheet_value(source, column.part)
            cell = ws.cell(r, j, value)
            if column.source < table.text_columns:
                cell.alignment = Alignment(horizontal="left", indent=2 * source.level)
                widths[j - 1] = max(widths[j - 1], text_width(value or "") + 2 * source.level)
            else:
                cell.alignment = Alignment(horizontal="right")
                if isinstance(value, int | float):
                    cell.number_format = source.format
                shown = source.text if column.part == "cell" else f"{value or 0:.2f}"
                widths[j - 1] = max(widths[j - 1], text_width(shown))
            if i == len(rows) - 1:
                cell.border = Border(bottom=HEAVY_RULE)
    for k, note in enumerate(table.notes):
        ws.cell(HEADER_ROW + len(rows) + 2 + k, 1, note)
    widths = [min(max(width, 6), 60) + 2 for width in widths]
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    lines = max(-(-text_width(c.heading) // (w - 1)) for c, w in zip(columns, widths, strict=True))
    ws.row_dimensions[HEADER_ROW].height = 15 * lines  # the wrapped headings in full
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, table.text_columns + 1)
    # printed on A4, one page wide, the title and header repeated on every page
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sum(widths) > PORTRAIT_WIDTH else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"


def workbook_bytes(tables: list[Table], ci_lower: str, ci_upper: str) -> bytes:
    """tables.xlsx of ``tables`` (in the report's order) as bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    for table, name in zip(tables, sheet_names(tables), strict=True):
        _fill_sheet(wb.create_sheet(name), table, sheet_columns(table, ci_lower, ci_upper))
    wb.properties.creator = "teichaku"
    wb.properties.title = None
    buffer = io.BytesIO()
    wb.save(buffer)
    return deterministic_zip(buffer.getvalue())


def write_workbook(tables: list[Table], path: str | Path, ci_lower: str, ci_upper: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(tables, ci_lower, ci_upper))
    return path


def write_from_json(
    table_files: list[str | Path],
    out: str | Path,
    *,
    language: str,
    label_file: str | Path,
    codebook: str | Path,
    confidence: float,
) -> Path:
    """tables.xlsx of the tables' JSON files (``<table>.json``, in the report's order), the
    interval's bounds headed in ``language``."""
    from teichaku.codebook import load_codebook
    from teichaku.report.labels import load_labels
    from teichaku.report.tidy import from_json

    labels = load_labels(language, label_file, load_codebook(str(codebook)), confidence)
    tables = [from_json(Path(p).read_text(encoding="utf-8")) for p in table_files]
    return write_workbook(tables, out, labels.text("ci_lower"), labels.text("ci_upper"))
