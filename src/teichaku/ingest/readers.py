"""Reading raw files into rows of cells: xlsx (openpyxl, read-only) and CSV (UTF-8,
UTF-8 with BOM or cp932), and finding the files of each table in a raw folder.

Cells keep what the file holds (``str`` from CSV; ``None``, numbers, ``datetime`` from
Excel); parsing happens later, once per distinct value. Row numbers are 1-based as a
spreadsheet shows them: row ``i`` of ``Sheet.rows`` is row ``i + 1``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from teichaku.ingest.errors import IngestError

SPREADSHEETS = (".xlsx", ".xlsm")
READABLE = (*SPREADSHEETS, ".csv")
#: spreadsheet formats a center might send that the pipeline cannot read: stop, don't skip
UNREADABLE_SPREADSHEETS = (".xls", ".ods", ".numbers", ".xlsb")
ENCODINGS = ("utf-8-sig", "cp932")  # utf-8-sig reads UTF-8 with and without a BOM


@dataclass
class Sheet:
    """The cells of one sheet (or CSV file) as read."""

    file: str  # path relative to the raw folder, as reported
    sheet: str  # sheet name; "" for a CSV file
    rows: list[tuple | list]
    encoding: str | None = None  # CSV only


def read_csv(path: Path, display: str) -> Sheet:
    data = path.read_bytes()
    if not data.strip():
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
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise IngestError(f"{display}: not a readable CSV file ({exc}) / CSV不可") from None
    return Sheet(display, "", rows, encoding=encoding)


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
