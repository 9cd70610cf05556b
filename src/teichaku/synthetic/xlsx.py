"""Writing the synthetic survey's workbooks: the bytes openpyxl writes, made fast.

openpyxl builds a Cell object per cell and serialises each through lxml, which made
writing the 44 workbooks of the default survey most of the generator's time. Here openpyxl
still writes every part of the workbook except the cells: a template workbook with the same
sheets (cached: the survey's files share a few sheet layouts), whose worksheets get their
``<dimension>``, ``<sheetData>`` and ``<mergeCells>`` from :func:`_sheet_xml`, written as
openpyxl writes them (its value types, number format of dates, escaping of text as ASCII
with character references, merged ranges as a MultiCellRange orders them). The zip is
written with fixed entry times and the survey's end as the created and modified time, so
the bytes depend only on the content. tests/unit/test_synthetic_xlsx.py compares the bytes
with openpyxl's on sheets of every kind of cell.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE = "docProps/core.xml"
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')
_SHEET_DATA = re.compile(r"<sheetData/>|<sheetData>.*</sheetData>", re.DOTALL)
_STYLE = re.compile(r' s="([0-9]+)"')
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


@dataclass
class SheetData:
    """A sheet ready to write: rows of cells (str, int, float, bool, datetime or None) and
    merges."""

    name: str
    rows: list[list] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 1-based r1,c1,r2,c2
    first_data_row: int = 1


def write_xlsx(
    path: Path, sheets: list[SheetData], stamp: dt.datetime, date_format: str = "yyyy/m/d"
) -> None:
    """Write sheets to an xlsx whose bytes depend only on the content; ``stamp`` (the
    survey's end: a fixed, meaningful time) is the workbook's created and modified time.
    Datetimes (shown in ``date_format``) may stand in the data rows only."""
    dated = [k for k, s in enumerate(sheets) if _has_dates(s)]  # each sheet checked
    parts, date_style = _template(
        tuple(s.name for s in sheets), dated[0] if dated else None, date_format, stamp
    )
    contents = dict(parts)
    for k, sheet in enumerate(sheets):
        name = f"xl/worksheets/sheet{k + 1}.xml"
        contents[name] = (parts[name][0], _fill(parts[name][1], sheet, date_style))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (external_attr, content) in contents.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = external_attr
            archive.writestr(info, content)
    path.write_bytes(out.getvalue())


def _has_dates(sheet: SheetData) -> bool:
    for r, row in enumerate(sheet.rows, start=1):
        if any(isinstance(v, dt.datetime) for v in row):
            if r < sheet.first_data_row:
                raise ValueError(f"sheet {sheet.name}: a date above the data rows (row {r})")
            return True
    return False


@lru_cache(maxsize=32)
def _template(
    names: tuple[str, ...], dated: int | None, date_format: str, stamp: dt.datetime
) -> tuple[dict[str, tuple[int, bytes]], str | None]:
    """The parts of a workbook with sheets ``names`` as openpyxl writes it, with ``stamp``
    as its created and modified time: part name -> (external attributes, bytes), in
    openpyxl's order (a worksheet is ASCII: lxml writes character references). A workbook
    with dates (in sheet ``dated``) has one date cell, which registers the number formats as
    the cells would; the style id openpyxl gives a date cell is returned with the parts
    (None without dates). Cached: never changed."""
    wb = Workbook()
    wb.remove(wb.active)
    for k, name in enumerate(names):
        ws = wb.create_sheet(name)
        if k == dated:
            ws.cell(1, 1).value = dt.datetime(2000, 1, 1)
            ws.cell(1, 1).number_format = date_format
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    parts: dict[str, tuple[int, bytes]] = {}
    with zipfile.ZipFile(buffer) as src:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == _CORE:
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + text, content
                )
            parts[info.filename] = (info.external_attr, content)
    date_style = None
    if dated is not None:
        sheet = parts[f"xl/worksheets/sheet{dated + 1}.xml"][1].decode("ascii")
        date_style = _STYLE.search(_SHEET_DATA.search(sheet).group()).group(1)
    return parts, date_style


def _fill(template: bytes, sheet: SheetData, date_style: str | None) -> bytes:
    dimension, data, merges = _sheet_xml(sheet, date_style)
    xml = template.decode("ascii")
    xml = _DIMENSION.sub(lambda _: f'<dimension ref="{dimension}"/>', xml, count=1)
    xml = _SHEET_DATA.sub(lambda _: data + merges, xml, count=1)
    return xml.encode("ascii", "xmlcharrefreplace")


def _sheet_xml(sheet: SheetData, date_style: str | None) -> tuple[str, str, str]:
    """(dimension, sheetData, mergeCells) of ``sheet`` as openpyxl writes them: a row
    holds a cell for every value appended (None included); a merged range holds a cell at
    each of its places, and only its first cell keeps a value."""
    rows = [list(r) for r in sheet.rows]
    covered: dict[int, int] = {}  # row -> last column a merged range covers
    ranges = MultiCellRange()
    for r1, c1, r2, c2 in sheet.merges:
        ranges.add(CellRange(min_row=r1, min_col=c1, max_row=r2, max_col=c2))
        for r in range(r1, r2 + 1):
            covered[r] = max(covered.get(r, 0), c2)
            row = rows[r - 1] if r <= len(rows) else []
            for c in range(c1, min(c2, len(row)) + 1):
                if (r, c) != (r1, c1) and row[c - 1] is not None:
                    raise ValueError(f"sheet {sheet.name}: merged cell {r},{c} holds a value")
    width = max([len(r) for r in rows] + list(covered.values()) + [0])
    letters = [get_column_letter(c) for c in range(1, width + 1)]
    last = max([len(rows), *covered])
    used = [r for r in range(1, last + 1) if r in covered or (r <= len(rows) and rows[r - 1])]
    if not used:
        return "A1:A1", "<sheetData></sheetData>", ""
    first_col = min(
        [1 for r in used if r <= len(rows) and rows[r - 1]] + [c1 for _, c1, _, _ in sheet.merges]
    )
    out = ["<sheetData>"]
    for r in used:
        out.append(f'<row r="{r}">')
        for c, value in enumerate(rows[r - 1] if r <= len(rows) else (), start=1):
            if value is not None:
                out.append(_cell(f"{letters[c - 1]}{r}", value, date_style))
        out.append("</row>")
    out.append("</sheetData>")
    merges = ""
    if sheet.merges:
        refs = [f'<mergeCell ref="{ref}"/>' for ref in ranges]
        merges = f'<mergeCells count="{len(refs)}">{"".join(refs)}</mergeCells>'
    dimension = f"{letters[first_col - 1]}{used[0]}:{letters[width - 1]}{used[-1]}"
    return dimension, "".join(out), merges


def _cell(ref: str, value, date_style: str | None) -> str:
    """One ``<c>`` element; text is left unencoded (non-ASCII becomes character references
    when the sheet is encoded)."""
    kind = type(value)
    if kind is str:
        text = value[:32767]
        _check_text(text)
        if not text:
            return f'<c r="{ref}" t="inlineStr"></c>'
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text.translate(_ESCAPES)}</t></is></c>'
    if kind is bool:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float:
        return f'<c r="{ref}" t="n"><v>{_number(value)}</v></c>'
    if kind is dt.datetime and value.tzinfo is None:
        return f'<c r="{ref}" s="{date_style}" t="n"><v>{_number(to_excel(value))}</v></c>'
    raise TypeError(f"cell {ref}: {value!r} is not a value a survey file holds")


def _number(value: float) -> str:
    """openpyxl's ``safe_string`` of a number."""
    return "" if math.isnan(value) or math.isinf(value) else f"{value:.16g}"


def _check_text(text: str) -> None:
    """openpyxl refuses control characters, and reads a text starting with ``=`` as a
    formula and an error code (``#N/A``) as an error: neither is a survey cell."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        raise ValueError(f"{text!r}: control characters cannot be written to a worksheet")
    if (len(text) > 1 and text.startswith("=")) or text in ERROR_CODES:
        raise ValueError(f"{text!r} would be a formula or an error value, not text")
