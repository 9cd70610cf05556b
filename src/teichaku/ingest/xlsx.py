"""A streaming reader of .xlsx workbooks, for files a center made by hand or by any tool.

Why not openpyxl's reader: its read-only mode pads every row to the sheet's declared
dimension (a stray cell in XFD1048576 asks for a grid of 17 billion cells), reads the whole
shared-strings part into memory whatever its size, and lets parse errors of a damaged part
through as tracebacks. This module reads the parts it needs with the standard library
(``zipfile`` and ``xml.etree.ElementTree``'s pull parser), one bounded chunk at a time:

- each part is decompressed in chunks and counted: more than ``MAX_PART_BYTES`` or a
  compression ratio above ``MAX_RATIO`` stops with ``file_too_large`` (a zip bomb);
- only cells present in the file are kept (rows are as long as their last cell; missing rows
  are empty), never the declared dimension;
- a part declaring a DTD (entities) is refused; any other parse or structure error is
  ``unreadable_workbook``.

Cell values are what openpyxl's ``data_only`` mode returns (same numbers, dates, strings,
booleans), except for what openpyxl reads as blank or as text without a word: a formula
saved without its value and an Excel error value become :class:`FlaggedCell`. The sheet is
chosen among the visible sheets; hidden sheets, hidden rows and merged ranges are reported
to the caller.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from openpyxl.styles.numbers import (
    BUILTIN_FORMATS_REVERSE,
    builtin_format_code,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from teichaku.ingest.errors import IngestError, file_error
from teichaku.ingest.readers import DENSE_WIDTH, SparseRow
from teichaku.ingest.values import FlaggedCell

MAX_PART_BYTES = 512 * 2**20  # uncompressed size of one part
MAX_RATIO = 100  # uncompressed / compressed size of one part ...
RATIO_FLOOR = 2**20  # ... once the part is larger than this (small parts vary a lot)
CHUNK = 2**16
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_REL_OFFICE = "/officeDocument"
_REL_SHARED = "/sharedStrings"
_REL_STYLES = "/styles"


class _Damaged(Exception):
    """Raised inside this module for any inconsistency of the workbook's structure."""


@dataclass
class XlsxSheet:
    name: str
    rows: list  # row i (0-based) is spreadsheet row i + 1; a row is a list of cells
    hidden_rows: list[int] = field(default_factory=list)  # 1-based
    merges: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # r1, c1, r2, c2 (0-based)
    hidden_sheets: list[str] = field(default_factory=list)


_LOCAL_NAMES: dict[str, str] = {}  # tag -> local name, for the few tags a workbook uses
_MAX_NAMES = 4096  # a damaged part may hold any number of made-up tags: not all kept
_COLUMNS: dict[str, int] = {}  # column letters -> number


def _local(tag: str) -> str:
    """The tag without its namespace (transitional and strict OOXML use different ones)."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1]
        if len(_LOCAL_NAMES) < _MAX_NAMES:
            _LOCAL_NAMES[tag] = name
    return name


def _attr(element: ET.Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (``r:id``)."""
    value = element.get(name)
    if value is not None:
        return value
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


class _Part:
    """One part of the zip, decompressed in bounded chunks."""

    def __init__(self, archive: zipfile.ZipFile, name: str, display: str):
        self.archive, self.name, self.display = archive, name, display
        try:
            self.info = archive.getinfo(name)
        except KeyError:
            raise _Damaged(f"part {name} missing") from None

    def chunks(self) -> Iterator[bytes]:
        """The part's bytes. zipfile never returns more than the size the zip declares for
        a part, so the declared sizes bound the work before any byte is inflated."""
        size, packed = self.info.file_size, max(self.info.compress_size, 1)
        if size > MAX_PART_BYTES:
            raise file_error(
                self.display,
                "file_too_large",
                f"part {self.name} is {size / 2**20:,.0f} MiB uncompressed "
                f"(at most {MAX_PART_BYTES // 2**20} MiB)",
            )
        if size > RATIO_FLOOR and size > MAX_RATIO * packed:
            raise file_error(
                self.display,
                "file_too_large",
                f"part {self.name} is compressed {size / packed:,.0f}:1 (at most {MAX_RATIO}:1)",
            )
        with self.archive.open(self.info) as stream:
            while chunk := stream.read(CHUNK):
                yield chunk

    def events(self, wanted: frozenset[str]) -> Iterator[tuple[str, ET.Element]]:
        """(event, element) for the start and end of every element, the document streamed."""
        parser = ET.XMLPullParser(events=("start", "end"))
        head = True
        for chunk in self.chunks():
            if head and _DOCTYPE.search(chunk[:4096]):
                raise _Damaged(f"part {self.name} declares a DTD")
            head = False
            parser.feed(chunk)
            yield from parser.read_events()
        parser.close()
        yield from parser.read_events()

    def tree(self) -> ET.Element:
        """The whole (small) part as a tree: workbook, relationships, styles."""
        root = None
        for event, element in self.events(frozenset()):
            if event == "start" and root is None:
                root = element
        if root is None:
            raise _Damaged(f"part {self.name} is empty")
        return root


def _relationships(archive, part: str, display: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, target path in the zip) of the relationships of ``part``."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels_name not in archive.NameToInfo:
        return {}
    out = {}
    for rel in _Part(archive, rels_name, display).tree():
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
    return out


def _office_document(archive, display: str) -> str:
    for kind, target in _relationships(archive, "", display).values():
        if kind.endswith(_REL_OFFICE):
            return target
    return "xl/workbook.xml"


def _shared_strings(part: _Part | None) -> list[str]:
    """The shared strings: plain text and rich-text runs, without phonetic guides (rPh),
    with openpyxl's removal of the ``x005F_`` escape prefix."""
    if part is None:
        return []
    strings: list[str] = []
    depth_rph = 0
    pieces: list[str] = []
    for event, element in part.events(frozenset()):
        tag = _local(element.tag)
        if tag == "rPh":
            depth_rph += 1 if event == "start" else -1
        elif event == "end" and tag == "t" and not depth_rph:
            pieces.append(element.text or "")
        elif event == "end" and tag == "si":
            strings.append("".join(pieces).replace("x005F_", ""))
            pieces = []
            element.clear()
    return strings


def _date_styles(part: _Part | None) -> tuple[set[int], set[int]]:
    """(date styles, timedelta styles): indices of cellXfs whose number format is a date
    or a duration, decided by openpyxl's own format tests."""
    if part is None:
        return set(), set()
    root = part.tree()
    custom = {}
    xfs: list[ET.Element] = []
    for element in root:
        tag = _local(element.tag)
        if tag == "numFmts":
            custom = {
                int(f.get("numFmtId", "-1")): f.get("formatCode", "")
                for f in element
                if _local(f.tag) == "numFmt"
            }
        elif tag == "cellXfs":
            xfs = [x for x in element if _local(x.tag) == "xf"]
    dates, durations = set(), set()
    for i, xf in enumerate(xfs):
        number = int(xf.get("numFmtId", "0"))
        fmt = custom.get(number)
        if fmt is not None and fmt in BUILTIN_FORMATS_REVERSE:
            fmt = builtin_format_code(BUILTIN_FORMATS_REVERSE[fmt])
        elif fmt is None:
            fmt = builtin_format_code(number)
        if fmt is not None and is_date_format(fmt):
            dates.add(i)
        if fmt is not None and is_timedelta_format(fmt):
            durations.add(i)
    return dates, durations


def _column_number(letters: str) -> int:
    n = _COLUMNS.get(letters)
    if n is None:
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        _COLUMNS[letters] = n  # at most 26 + 26**2 + 26**3 keys (the pattern's letters)
    return n


def _range(ref: str) -> tuple[int, int, int, int]:
    """``A5:C8`` -> (4, 0, 7, 2), 0-based rows and columns."""
    parts = ref.upper().split(":")
    cells = [_CELL_REF.fullmatch(p) for p in parts]
    if not all(cells) or len(cells) not in (1, 2):
        raise _Damaged(f"merged range {ref!r}")
    (c1, r1), (c2, r2) = [(m.group(1), m.group(2)) for m in (cells[0], cells[-1])]
    return int(r1) - 1, _column_number(c1) - 1, int(r2) - 1, _column_number(c2) - 1


class _CellReader:
    """Turns a ``<c>`` element into the value openpyxl's data_only mode gives."""

    def __init__(self, strings: list[str], dates: set[int], durations: set[int], epoch):
        self.strings, self.dates, self.durations, self.epoch = strings, dates, durations, epoch

    def value(self, cell: ET.Element) -> object:
        kind = cell.get("t", "n")
        raw = formula = inline = None
        names = _LOCAL_NAMES
        for child in cell:
            tag = names.get(child.tag) or _local(child.tag)
            if tag == "v":
                raw = child.text or None
            elif tag == "f":
                formula = child
            elif tag == "is":
                inline = child
        if kind == "inlineStr":
            if inline is None:
                return None
            texts = [
                t.text or "" for t in inline.iter() if (names.get(t.tag) or _local(t.tag)) == "t"
            ]
            return "".join(texts)
        if raw is None:
            if formula is not None:
                text = (formula.text or "").strip()
                return FlaggedCell("formula_without_value", f"={text}" if text else "=")
            return None
        if kind == "n":
            number = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
            style = int(cell.get("s", "0") or 0)
            if style in self.dates:
                try:
                    return from_excel(number, self.epoch, timedelta=style in self.durations)
                except (OverflowError, ValueError):
                    return FlaggedCell("invalid_date", raw)
            return number
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "b":
            return bool(int(raw))
        if kind == "str":
            return raw
        if kind == "d":
            return from_ISO8601(raw)
        if kind == "e":
            return FlaggedCell("formula_error", raw)
        raise _Damaged(f"cell type {kind!r}")


def _sheet_rows(part: _Part, cells: _CellReader) -> XlsxSheet:
    """Rows of cells present in the sheet part, hidden rows, merged ranges."""
    rows: list = []
    hidden: list[int] = []
    merges: list[tuple[int, int, int, int]] = []
    row_number = 0
    parent = None
    names = _LOCAL_NAMES  # _local inlined where it runs for every element
    value_of = cells.value
    for event, element in part.events(frozenset()):
        tag = names.get(element.tag) or _local(element.tag)
        if event == "start":
            if tag == "sheetData":
                parent = element
            continue
        if tag == "row":
            r = element.get("r")
            row_number = int(r) if r else row_number + 1
            if row_number < len(rows) + 1 or row_number > 1_048_576:
                raise _Damaged(f"row {row_number} out of order")
            if element.get("hidden") in ("1", "true"):
                hidden.append(row_number)
            values: dict[int, object] = {}
            column = 0
            for cell in element:
                if (names.get(cell.tag) or _local(cell.tag)) != "c":
                    continue
                ref = cell.get("r")
                if ref:
                    m = _CELL_REF.fullmatch(ref.upper())
                    if m is None:
                        raise _Damaged(f"cell reference {ref!r}")
                    column = _column_number(m.group(1))
                else:
                    column += 1
                value = value_of(cell)
                if value is not None:
                    values[column - 1] = value
            rows.extend([()] * (row_number - 1 - len(rows)))
            if values and max(values) >= DENSE_WIDTH:
                rows.append(SparseRow(values))
            elif values:
                line = [None] * (max(values) + 1)
                for j, value in values.items():
                    line[j] = value
                rows.append(line)
            else:
                rows.append(())
            if parent is not None:
                parent.clear()  # keep memory flat: the row is read
        elif tag == "mergeCell" and element.get("ref"):
            merges.append(_range(element.get("ref")))
    while rows and not rows[-1]:
        rows.pop()
    return XlsxSheet("", rows, hidden, merges)


def read_workbook(path: Path, display: str, preferred_sheet: str) -> XlsxSheet:
    """The sheet named ``preferred_sheet`` if it is visible, else the first visible sheet."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _read(archive, display, preferred_sheet)
    except IngestError:
        raise
    except (
        _Damaged,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        ET.ParseError,
        EOFError,
        OSError,
        ValueError,
        LookupError,  # IndexError, KeyError, and an XML declaration naming no codec
        NotImplementedError,  # compression methods zipfile lacks
        RuntimeError,  # encrypted parts
        OverflowError,
    ) as exc:
        raise file_error(display, "unreadable_workbook", type(exc).__name__) from None


def _read(archive: zipfile.ZipFile, display: str, preferred_sheet: str) -> XlsxSheet:
    book_name = _office_document(archive, display)
    book = _Part(archive, book_name, display).tree()
    rels = _relationships(archive, book_name, display)
    epoch = WINDOWS_EPOCH
    sheets: list[tuple[str, str, str]] = []  # (name, state, part)
    for element in book.iter():
        tag = _local(element.tag)
        if tag == "workbookPr" and element.get("date1904") in ("1", "true"):
            epoch = MAC_EPOCH
        elif tag == "sheet":
            rel = rels.get(_attr(element, "id") or "")
            if rel is None:
                raise _Damaged("sheet without its part")
            sheets.append((element.get("name", ""), element.get("state", "visible"), rel[1]))
    if not sheets:
        raise file_error(display, "no_visible_sheet", "the workbook has no sheet")
    visible = [s for s in sheets if s[1] == "visible"]
    hidden = [s[0] for s in sheets if s[1] != "visible"]
    if not visible:
        raise file_error(display, "no_visible_sheet", f"hidden: {', '.join(hidden)}")
    name, _, sheet_part = next((s for s in visible if s[0] == preferred_sheet), visible[0])
    by_type = {kind.rsplit("/", 1)[-1]: target for kind, target in rels.values()}
    shared = by_type.get(_REL_SHARED[1:])
    styles = by_type.get(_REL_STYLES[1:])
    strings = _shared_strings(_Part(archive, shared, display) if shared else None)
    dates, durations = _date_styles(_Part(archive, styles, display) if styles else None)
    cells = _CellReader(strings, dates, durations, epoch)
    sheet = _sheet_rows(_Part(archive, sheet_part, display), cells)
    sheet.name = name
    sheet.hidden_sheets = hidden
    return sheet
