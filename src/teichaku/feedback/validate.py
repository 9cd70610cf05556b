"""Validate files as the workflow does, without Snakemake: the same readers, the same
header detection and :func:`~teichaku.ingest.clean.clean_table` with the same codebook, the
roster first (it defines the centers), then awareness and cases. Two entries:

- :func:`validate_files`: the files a center sent (``teichaku check``); each file is sorted
  into its table(s) by its sheets and headers, and a file that cannot be read at all is a
  problem of that file, not the end of the check;
- :func:`validate_folder`: a raw folder laid out as FORMAT.md says (``teichaku feedback``
  after a run).

Case references are pseudonymised with a throwaway key: nothing of the clean tables is kept.
"""

from __future__ import annotations

import html
import os
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from teichaku.codebook import Codebook
from teichaku.feedback.locate import SheetMap
from teichaku.feedback.problems import FileFailure, problems_frame
from teichaku.ingest.clean import TableResult, clean_table
from teichaku.ingest.errors import IngestError
from teichaku.ingest.policy import set_missing_variables
from teichaku.ingest.readers import SPREADSHEETS, Sheet, read_sheet, table_files
from teichaku.ingest.survey import TABLE_ORDER
from teichaku.ingest.values import cell_text, squeeze

_THROWAWAY_KEY = b"teichaku-check-throwaway-key"
#: Rows searched for a header when telling which table a file holds.
_HEADER_SEARCH = 30


@dataclass
class Validation:
    tables: dict[str, TableResult]
    maps: dict[tuple[str, str], SheetMap]
    failures: list[FileFailure]
    problems: pd.DataFrame
    roster: list[str] | None  # the roster's centers (None: checked without a roster)
    files: dict[str, Path] = field(default_factory=dict)  # display name -> path

    @property
    def rejected(self) -> bool:
        return bool((self.problems["outcome"] == "rejected").any())


def _labels(table, cb: Codebook, names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(
        squeeze(label)
        for name in names
        for label in (table.variables[name].header, *table.variables[name].aliases)
    )


def tables_of(path: Path, cb: Codebook) -> list[tuple[str, Sheet | None]]:
    """(table, its sheet as read) of every table a file holds, read with the workflow's own
    reader (which also guards against damaged and hostile files); an unreadable file gives
    ``[("cases", None)]``: reading it again reports why.

    A workbook holds a table on a sheet named for it (名簿, 対象者, 認識調査, as the entry
    template has them) when that sheet has rows below its header; otherwise, and for a CSV
    file, its first sheet holds one table: cases when a header names the case number, else
    the roster when the file is named roster or its header names a roster-only column, else
    awareness."""
    found: list[tuple[str, Sheet | None]] = []
    first: Sheet | None = None
    try:
        if path.suffix.lower() in SPREADSHEETS:
            names = _sheet_names(path)
            for table in TABLE_ORDER:
                wanted = cb.tables[table].sheet
                if names is not None and wanted not in names:
                    continue
                sheet = read_sheet(path, path.parent, wanted)
                if sheet.sheet == wanted and _has_data(sheet.rows, cb, table):
                    found.append((table, sheet))
                elif sheet.sheet != wanted:
                    first = first or sheet  # the sheet the reader falls back to
            if found:
                return found
        # one table on the sheet the workflow reads for cases: the first one, unless 対象者
        first = first or read_sheet(path, path.parent, cb.tables["cases"].sheet)
    except IngestError:
        return [("cases", None)]
    rows = [first.rows[i] for i in range(min(_HEADER_SEARCH, len(first.rows)))] if first else []
    cells = {squeeze(cell_text(c)) for row in rows for c in row}
    cases = cb.tables["cases"]
    if cells & _labels(cases, cb, (cases.key,)):
        return [("cases", first)]
    roster = cb.tables["roster"]
    roster_only = [n for n in roster.variables if n not in cb.tables["awareness"].variables]
    if path.stem.lower() == roster.file or cells & _labels(roster, cb, tuple(roster_only)):
        return [("roster", first)]
    return [("awareness", first)]


_SHEET_NAME = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")


def _sheet_names(path: Path) -> list[str] | None:
    """The sheet names listed in a workbook's ``xl/workbook.xml`` (None: not a workbook, or
    its list cannot be read cheaply: the reader then decides)."""
    if path.suffix.lower() not in SPREADSHEETS:
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("xl/workbook.xml")
            if info.file_size > 1_000_000:
                return None
            xml = archive.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError):
        return None
    return [html.unescape(m.decode("utf-8", "replace")) for m in _SHEET_NAME.findall(xml)]


def _has_data(rows, cb: Codebook, table: str) -> bool:
    """A sheet with at least one row below its header (an empty template sheet has none)."""
    key = _labels(cb.tables[table], cb, (cb.tables[table].key,))
    header_seen = False
    for row in rows:
        texts = [squeeze(cell_text(c)) for c in row]
        if not header_seen:
            header_seen = any(t in key for t in texts)
            continue
        if any(texts) and not _is_item_row(texts, cb, table):
            return True
    return False


def _is_item_row(texts: list[str], cb: Codebook, table: str) -> bool:
    """The second header row of a two-row header (item labels under the groups)."""
    items = {squeeze(v.item) for v in cb.tables[table].variables.values() if v.item}
    filled = [t for t in texts if t]
    return bool(filled) and all(t in items for t in filled)


def _read(path: Path, base: Path, sheet: str, table: str, failures: list) -> Sheet | None:
    try:
        return read_sheet(path, base, sheet)
    except IngestError as exc:
        failures.append(FileFailure(table, _display(path, base), sheet, str(exc)))
        return None


def _display(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)


def _clean(
    sheets: dict[str, list[tuple[Path, Sheet]]],
    cb: Codebook,
    failures: list[FileFailure],
    roster_centers: list[str] | None,
    files: dict[str, Path],
    invalid_cell=None,
) -> Validation:
    set_missing = set_missing_variables(invalid_cell, cb)
    tables: dict[str, TableResult] = {}
    maps: dict[tuple[str, str], SheetMap] = {}
    centers = roster_centers  # with a valid roster row
    rejected: list[str] = []  # read in the roster, every row of theirs rejected
    for name in TABLE_ORDER:
        usable = []
        for path, sheet in sheets.get(name, []):
            roster = frozenset(centers) if centers is not None and name != "roster" else None
            try:
                maps[(sheet.file, sheet.sheet)] = SheetMap.build(
                    path, sheet, cb.tables[name], cb, roster
                )
            except IngestError as exc:
                failures.append(FileFailure(name, sheet.file, sheet.sheet, str(exc)))
                continue
            usable.append(sheet)
        if not usable:
            continue
        result = clean_table(
            name,
            usable,
            cb,
            key=_THROWAWAY_KEY,
            roster_centers=centers,
            rejected_centers=rejected,
            set_missing=set_missing[name],
        )
        tables[name] = result
        if name == "roster":  # as ingest_survey does
            centers = sorted(set(result.clean["center_id"]))
            rejected = sorted(set(result.centers_parsed) - set(centers))
    reported = _reported(tables)
    problems = problems_frame(reported, maps, cb, centers, failures)
    return Validation(tables, maps, failures, problems, centers, files)


def _reported(tables: dict[str, TableResult]) -> pd.DataFrame:
    """The rows of every problem the validation reported, with what became of the row."""
    parts = [t.rejected.assign(outcome="rejected") for t in tables.values()]
    parts += [t.noted for t in tables.values()]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(
            columns=["table", "file", "sheet", "row", "column", "value", "rule", "outcome"]
        )
    return pd.concat(parts, ignore_index=True)


def validate_files(
    paths: list[Path], cb: Codebook, roster_path: Path | None = None, invalid_cell=None
) -> Validation:
    """Validate the files of one or more centers (``teichaku check``); ``invalid_cell`` is
    the round's ``validation.invalid_cell``."""
    paths = [Path(p) for p in paths]
    for path in [*paths, *([roster_path] if roster_path else [])]:
        if not path.is_file():
            raise IngestError(f"{path}: file not found / ファイルがありません")
    every = [p.resolve() for p in [*paths, *([roster_path] if roster_path else [])]]
    names = [p.name for p in every]
    # a file is named by its name, or, where two files share one, by the folder they share
    base = (
        Path(os.path.commonpath([p.parent for p in every]))
        if len(set(names)) < len(names)
        else None
    )
    failures: list[FileFailure] = []
    sheets: dict[str, list[tuple[Path, Sheet]]] = {}
    files: dict[str, Path] = {}
    if roster_path is not None:
        roster_path = roster_path.resolve()
        where = base or roster_path.parent
        sheet = _read(roster_path, where, cb.tables["roster"].sheet, "roster", failures)
        if sheet is not None:
            sheets.setdefault("roster", []).append((roster_path, sheet))
        files[_display(roster_path, where)] = roster_path
    for path in (p.resolve() for p in paths):
        where = base or path.parent
        files[_display(path, where)] = path
        for table, sheet in tables_of(path, cb):
            if table == "roster" and roster_path is not None:
                continue  # the roster given with --roster is the one used
            if sheet is None:  # unreadable: reading it again records why
                sheet = _read(path, where, cb.tables[table].sheet, table, failures)
            elif where != path.parent:
                sheet = replace(sheet, file=_display(path, where))
            if sheet is not None:
                sheets.setdefault(table, []).append((path, sheet))
    if "roster" in sheets and len(sheets["roster"]) > 1:
        raise IngestError("more than one roster among the files; give one with --roster")
    return _clean(sheets, cb, failures, None, files, invalid_cell)


def validate_folder(raw_dir: Path, cb: Codebook, invalid_cell=None) -> Validation:
    """Validate a raw folder as the ingest rule does (``teichaku feedback`` after a run)."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise IngestError(f"{raw_dir}: raw folder not found / フォルダがありません")
    failures: list[FileFailure] = []
    sheets: dict[str, list[tuple[Path, Sheet]]] = {}
    files: dict[str, Path] = {}
    for name in TABLE_ORDER:
        table = cb.tables[name]
        for path in table_files(raw_dir, table.file).files:
            files[_display(path, raw_dir)] = path
            sheet = _read(path, raw_dir, table.sheet, name, failures)
            if sheet is not None:
                sheets.setdefault(name, []).append((path, sheet))
    return _clean(sheets, cb, failures, None, files, invalid_cell)
