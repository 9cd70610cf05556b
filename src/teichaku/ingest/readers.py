"""Reading raw files into rows of cells: xlsx (openpyxl, read-only) and CSV (UTF-8,
UTF-8 with BOM or cp932), and finding the files of each table in a raw folder.

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
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from teichaku.ingest.errors import IngestError

SPREADSHEETS = (".xlsx", ".xlsm")
READABLE = (*SPREADSHEETS, ".csv")
#: spreadsheet formats a center might send that the pipeline cannot read: stop, don't skip
UNREADABLE_SPREADSHEETS = (".xls", ".ods", ".numbers", ".xlsb")
ENCODINGS = ("utf-8-sig", "cp932")  # utf-8-sig reads UTF-8 with and without a BOM
_LINE_END = re.compile(rb"[\r\n]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as the csv module ends lines
_BLANK = re.compile(rb"\s*")  # bytes.strip's whitespace: ASCII space, \t \n \r \v \f


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
        raise IngestError(f"{display}: the file is empty / ファイルが空です")
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise IngestError(
            f"{display}: cannot decode the CSV file as UTF-8 or cp932 (Shift_JIS) / "
            "CSVファイルの文字コードを判別できません"
        )
    if '"' not in text and "\x00" not in text and _longest_line(data) <= csv.field_size_limit():
        utf8 = data if encoding == "utf-8-sig" else None
        return Sheet(display, "", CsvRows(text, utf8), encoding=encoding)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise IngestError(f"{display}: not a readable CSV file ({exc}) / CSV不可") from None
    return Sheet(display, "", rows, encoding=encoding)


def _longest_line(data: bytes) -> int:
    """Bytes between line feeds at most: a bound on the length of any field of the text
    (a field longer than the csv module's limit is an error it must still report)."""
    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    return int(np.diff(breaks, prepend=-1, append=len(data)).max()) - 1


def read_xlsx(path: Path, display: str, preferred_sheet: str) -> Sheet:
    import openpyxl  # imported here: CSV-only runs do not pay for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        kind = type(exc).__name__
        raise IngestError(
            f"{display}: not a readable Excel (.xlsx) file ({kind}) / Excelファイルとして読めません"
        ) from None
    try:
        names = workbook.sheetnames
        if not names:
            raise IngestError(f"{display}: the workbook has no sheet / シートがありません")
        name = preferred_sheet if preferred_sheet in names else names[0]
        rows = list(workbook[name].iter_rows(values_only=True))
    except IngestError:
        raise
    except Exception as exc:  # a damaged part inside a valid zip
        raise IngestError(
            f"{display}: cannot read the Excel file ({type(exc).__name__}) / "
            "Excelファイルを読めません"
        ) from None
    finally:
        workbook.close()
    if not rows:
        raise IngestError(f"{display}: sheet {name!r} is empty / シートが空です")
    return Sheet(display, name, rows)


def read_sheet(path: Path, raw_dir: Path, preferred_sheet: str) -> Sheet:
    display = path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, display)
    if suffix in SPREADSHEETS:
        return read_xlsx(path, display, preferred_sheet)
    raise IngestError(f"{display}: unsupported file type {suffix!r}; save it as .xlsx or .csv")


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
                raise IngestError(
                    f"{path.relative_to(raw_dir).as_posix()}: unsupported file type "
                    f"{suffix!r}; save it as .xlsx or .csv / .xlsx か .csv で保存してください"
                )
            else:
                ignored.append(path.relative_to(raw_dir).as_posix())
        if not files:
            raise IngestError(f"{stem}/: no .xlsx or .csv file in the folder / ファイルなし")
        return TableFiles(files, ignored)
    found = [raw_dir / f"{stem}{s}" for s in READABLE if (raw_dir / f"{stem}{s}").is_file()]
    if not found:
        raise IngestError(f"{stem}.xlsx: file not found in {raw_dir} / ファイルがありません")
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise IngestError(f"{names}: more than one file for {stem}; keep one / 1つにしてください")
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
