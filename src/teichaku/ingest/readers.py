"""Reading raw files into rows of cells: xlsx (streamed, :mod:`teichaku.ingest.xlsx`) and
CSV (UTF-8, UTF-8 with BOM or cp932, decoded strictly), and finding the files of each table
in a raw folder.

Cells keep what the file holds (``str`` from CSV; ``None``, numbers, ``datetime`` from
Excel); parsing happens later, once per distinct value. Row numbers are 1-based as a
spreadsheet shows them: row ``i`` of ``Sheet.rows`` is row ``i + 1``.

A CSV file without quote characters (the usual case) is read in two parts: the rows down to
the header with the csv module, as they are asked for, and the rows below it column by
column with pyarrow (``Sheet.columns``), which hands over each column's distinct cells
instead of one Python string per cell. Without quotes both read the same cells: a row is its
line split at commas, and lines end at ``\r\n``, ``\r`` or ``\n``.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from teichaku.ingest.errors import file_error

SPREADSHEETS = (".xlsx", ".xlsm")
READABLE = (*SPREADSHEETS, ".csv")
#: spreadsheet formats a center might send that the pipeline cannot read: stop, don't skip
UNREADABLE_SPREADSHEETS = (".xls", ".ods", ".numbers", ".xlsb")
ENCODINGS = ("utf-8-sig", "cp932")  # utf-8-sig reads UTF-8 with and without a BOM
MAX_NOTE_LINES = 50  # line breaks a quoted note may plausibly hold
_LINE_END = re.compile(rb"[\r\n]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as the csv module ends lines
_BLANK = re.compile(rb"\s*")  # bytes.strip's whitespace: ASCII space, \t \n \r \v \f


DENSE_WIDTH = 1024  # a row longer than this (a stray far-right cell) is kept sparse


class SparseRow(Sequence):
    """A row whose cells are few and far apart (``XFD5`` beside ``A5:W5``): as long as up to
    its last cell, but only the cells present are stored."""

    def __init__(self, cells: dict[int, object]):
        self.cells = cells
        self.width = max(cells) + 1

    def __len__(self) -> int:
        return self.width

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[i] for i in range(*j.indices(self.width))]
        if j < 0:
            j += self.width
        if not 0 <= j < self.width:
            raise IndexError(j)
        return self.cells.get(j)

    def values(self):
        return self.cells.values()


@dataclass
class Columns:
    """Rows of a sheet column by column: ``cells[j]`` is column ``j`` (a pyarrow chunked
    array of ``n_rows`` strings)."""

    n_rows: int
    cells: list


@dataclass
class Sheet:
    """The cells of one sheet (or CSV file) as read."""

    file: str  # path relative to the raw folder, as reported
    sheet: str  # sheet name; "" for a CSV file
    rows: Sequence[Sequence]
    encoding: str | None = None  # CSV only
    hidden_rows: list[int] = field(default_factory=list)  # 1-based (xlsx only)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r1 c1 r2 c2
    hidden_sheets: list[str] = field(default_factory=list)  # of the workbook, not read

    def columns(self, start: int) -> Columns | None:
        """The rows from ``start`` (0-based) on, column by column, when the sheet can be
        read that way (see ``CsvRows``); else None: use ``rows``."""
        return self.rows.columns(start) if isinstance(self.rows, CsvRows) else None


class CsvRows(Sequence):
    """The rows of a CSV text without quote characters, read with the csv module only as far
    as they are asked for; ``columns`` reads the rest with pyarrow."""

    def __init__(self, text: str, utf8: bytes | None = None):
        self._text = text
        self._utf8 = utf8  # the file's bytes when they are the text in UTF-8 (maybe with BOM)
        self._ends: list[int] = []  # offset in the text after each line read
        self._reader = csv.reader(self._lines())
        self._rows: list[list[str]] = []
        self._done = False
        self._len: int | None = None

    def _lines(self):
        """The lines of the text, each with its line end (one line is one row)."""
        text, start = self._text, 0
        while start < len(text):
            end = _LINE_BREAK.search(text, start)
            stop = end.end() if end else len(text)
            self._ends.append(stop)
            yield text[start:stop]
            start = stop

    def _read_to(self, n: float) -> None:
        with _field_limit(self._text):
            while len(self._rows) < n and not self._done:
                row = next(self._reader, None)
                self._done = row is None
                if row is not None:
                    self._rows.append(row)

    def __len__(self) -> int:
        if self._len is None:
            text = self._text
            lines = text.count("\n") + text.count("\r") - text.count("\r\n")
            self._len = lines + (1 if text and not text.endswith(("\n", "\r")) else 0)
        return self._len

    def __getitem__(self, i):
        self._read_to(i + 1 if isinstance(i, int) and i >= 0 else float("inf"))
        return self._rows[i]

    def columns(self, start: int) -> Columns | None:
        """None when the rows from ``start`` on differ in length (pyarrow needs equal rows)."""
        import pyarrow as pa  # imported here: spreadsheet-only runs do not pay for it
        import pyarrow.csv as pacsv

        self._read_to(start)
        if len(self._rows) < start:
            return Columns(0, [])
        offset = self._ends[start - 1] if start else 0
        if offset == len(self._text):
            return Columns(0, [])
        if self._utf8 is None:
            data, at = self._text[offset:].encode(), 0
        else:  # the file's own bytes from the body on: no copy
            bom = 3 if self._utf8.startswith(codecs.BOM_UTF8) else 0
            data, at = self._utf8, bom + len(self._text[:offset].encode())
        if not data.endswith((b"\n", b"\r")):  # pyarrow needs the last line ended
            data, at = data[at:] + b"\n", 0
        first_row = data[at : _LINE_END.search(data, at).start()]
        width = first_row.count(b",") + 1
        try:
            table = pacsv.read_csv(
                pa.py_buffer(data).slice(at),
                read_options=pacsv.ReadOptions(autogenerate_column_names=True),
                parse_options=pacsv.ParseOptions(
                    quote_char=False, escape_char=False, ignore_empty_lines=False
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={f"f{j}": pa.string() for j in range(width)},
                    strings_can_be_null=False,
                    null_values=[],
                ),
            )
        except pa.ArrowInvalid:
            return None
        return Columns(table.num_rows, table.columns)


def read_csv(path: Path, display: str) -> Sheet:
    data = path.read_bytes()
    if _BLANK.fullmatch(data):  # as ``not data.strip()``, without copying the file
        raise file_error(display, "empty_file")
    text, encoding = _decode(data, display)
    if '"' not in text and "\x00" not in text:
        utf8 = data if encoding == "utf-8-sig" else None
        return Sheet(display, "", CsvRows(text, utf8), encoding=encoding)
    return Sheet(display, "", _quoted_rows(text, display), encoding=encoding)


def _decode(data: bytes, display: str) -> tuple[str, str]:
    """(text, encoding): the first of ``ENCODINGS`` that decodes every byte. Decoding is
    strict; characters a codec maps to its private-use area are reported per cell later."""
    failures = []
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = (
                data.count(b"\n", 0, exc.start)
                + data.count(b"\r", 0, exc.start)
                - (data.count(b"\r\n", 0, exc.start))
            )
            failures.append(f"not {encoding.removesuffix('-sig')} at line {line + 1}")
    raise file_error(display, "undecodable_text", ", ".join(failures))


@contextmanager
def _field_limit(text: str):
    """The csv module's field size limit raised to the text's length while it reads: a
    long note in a column the pipeline ignores is no reason to stop (the limit is global
    state, so it is put back)."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, len(text) + 1))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _quoted_rows(text: str, display: str) -> list[list[str]]:
    """The rows of a CSV text with quote characters, after the check for an unbalanced
    quote (see ``_check_quotes``)."""
    offsets: list[int] = []  # offset in the text where each line starts

    def lines():
        at = 0
        for line in io.StringIO(text, newline=""):
            offsets.append(at)
            at += len(line)
            yield line

    rows: list[list[str]] = []
    spanning: list[tuple[int, int]] = []  # (row, 1-based first line) of rows over lines
    reader = csv.reader(lines())
    with _field_limit(text):
        try:
            previous = first = 0
            for row in reader:
                first = previous + 1
                if reader.line_num > first:
                    spanning.append((len(rows), first))
                previous = reader.line_num
                rows.append(row)
        except csv.Error as exc:
            raise file_error(display, "unreadable_csv", f"line {reader.line_num}: {exc}") from None
    if rows and _has_line_break(rows[-1]) and (not spanning or spanning[-1][1] != first):
        spanning.append((len(rows) - 1, first))  # a quote left open on the last line
    if spanning:
        _check_quotes(text, rows, spanning, offsets, display)
    if rows and (not spanning or spanning[-1][0] != len(rows) - 1):
        # a quote opened on a last line of its own, with no final line end: the csv module
        # drops the quote at the end of the file instead of failing
        if text.count('"', offsets[first - 1]) % 2 == 1:
            raise file_error(
                display, "unbalanced_quote", f"line {first}: the quote runs to the end of the file"
            )
    return rows


def _has_line_break(row: list[str]) -> bool:
    """A cell holding a line break: within a row of one line only when a quote left open
    on the last line takes the file's final line end into the cell."""
    return any("\n" in cell or "\r" in cell for cell in row)


def _check_quotes(text, rows, spanning, offsets, display) -> None:
    """An unbalanced quote makes the csv module read the rest of the file (or up to the
    next stray quote) as one field. A quoted field may hold line breaks (a note), so a field
    spanning lines is an unbalanced quote only when it runs to the end of the file with the
    quote still open, spans more than ``MAX_NOTE_LINES`` lines, or holds a line that looks
    like a row of its own (as many commas as the file's usual row has separators)."""
    widths = Counter(len(r) for r in rows)
    usual = widths.most_common(1)[0][0]
    for i, line in spanning:
        for cell in rows[i]:
            breaks = len(_LINE_BREAK.findall(cell))
            if not breaks:
                continue
            inner = _LINE_BREAK.split(cell)[1:]
            at_end = i == len(rows) - 1 and text.count('"', offsets[line - 1]) % 2 == 1
            looks_like_rows = usual > 2 and any(part.count(",") >= usual - 1 for part in inner)
            if at_end or breaks > MAX_NOTE_LINES or looks_like_rows:
                where = "to the end of the file" if at_end else f"over {breaks} line ends"
                raise file_error(
                    display, "unbalanced_quote", f"line {line}: the quote runs {where}"
                )
            line += breaks


def read_xlsx(path: Path, display: str, preferred_sheet: str) -> Sheet:
    from teichaku.ingest.xlsx import read_workbook  # CSV-only runs do not pay for it

    book = read_workbook(path, display, preferred_sheet)
    if not book.rows:
        raise file_error(f"{display} [{book.name}]", "empty_sheet")
    return Sheet(
        display,
        book.name,
        book.rows,
        hidden_rows=book.hidden_rows,
        merges=book.merges,
        hidden_sheets=book.hidden_sheets,
    )


def read_sheet(path: Path, raw_dir: Path, preferred_sheet: str) -> Sheet:
    display = path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, display)
    if suffix in SPREADSHEETS:
        return read_xlsx(path, display, preferred_sheet)
    raise file_error(display, "unsupported_file_type", repr(suffix))


def _is_ignorable(path: Path) -> bool:
    """Excel lock files (``~$name.xlsx``) are not data."""
    return path.name.startswith("~$")


@dataclass
class TableFiles:
    files: list[Path]
    ignored: list[str]  # names of files in cases/ that are not data, for the report


def table_files(raw_dir: Path, stem: str) -> TableFiles:
    """The files of one table: ``<stem>.xlsx|.csv`` or every file under ``<stem>/``."""
    folder = raw_dir / stem
    if folder.is_dir():
        files, ignored = [], []
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            suffix = path.suffix.lower()
            if path.name.startswith("."):  # hidden (system, workflow markers): not listed
                continue
            if _is_ignorable(path):
                ignored.append(path.relative_to(raw_dir).as_posix())
            elif suffix in READABLE:
                files.append(path)
            elif suffix in UNREADABLE_SPREADSHEETS:
                name = path.relative_to(raw_dir).as_posix()
                raise file_error(name, "unsupported_file_type", repr(suffix))
            else:
                ignored.append(path.relative_to(raw_dir).as_posix())
        if not files:
            raise file_error(f"{stem}/", "no_data_file")
        return TableFiles(files, ignored)
    found = [raw_dir / f"{stem}{s}" for s in READABLE if (raw_dir / f"{stem}{s}").is_file()]
    if not found:
        raise file_error(f"{stem}.xlsx", "file_not_found", f"in {raw_dir}")
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise file_error(names, "several_files", stem)
    return TableFiles(found, [])


def raw_input_files(raw_dir: Path, stems: tuple[str, ...]) -> list[Path]:
    """Every raw file of a folder the ingest rule reads (for Snakemake's input); a missing
    table file is listed under its expected name so that Snakemake names it."""
    found: list[Path] = []
    for stem in stems:
        folder = raw_dir / stem
        if folder.is_dir():
            found += sorted(
                p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
            ) or [folder]
            continue
        files = [raw_dir / f"{stem}{s}" for s in READABLE if (raw_dir / f"{stem}{s}").is_file()]
        found += files or [raw_dir / f"{stem}{SPREADSHEETS[0]}"]
    return found


def raw_digest(raw_dir: Path, files: list[Path]) -> str:
    """SHA-256 over the names (relative to ``raw_dir``) and contents of ``files`` (folders:
    every file in them, as ``raw_input_files`` lists them): a Snakemake parameter, so that
    a raw file whose content changed is read again even with an old modification time."""
    digest = hashlib.sha256()
    paths = []
    for path in map(Path, files):
        paths += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for path in paths:
        name = path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else str(path)
        digest.update(name.encode() + b"\0")
        if path.is_file():
            with open(path, "rb") as fh:
                digest.update(hashlib.file_digest(fh, "sha256").digest())
        else:
            digest.update(b"missing")
    return digest.hexdigest()
