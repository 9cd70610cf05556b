"""Codebook-driven cleaning of one table read from one or more sheets.

Order of work (every data row read ends up in exactly one of: the clean table, the
rejected rows, or the duplicate count):

1. fully empty rows are dropped (not counted as read);
2. each column is parsed once per DISTINCT raw value, then mapped back (vectorised);
3. blank keys (center, case number, cohort) are errors;
4. repeats of a row (the same values after parsing, however spelled; across files too) are
   kept once and counted as duplicates (``exact_duplicate``); the same key (center and case
   number) with different content rejects every copy (``conflicting_duplicate_ref``);
5. centers not in the roster, then the cross-column rules (cases);
6. the rows left are typed, pseudonymised, flagged with warnings and validated against the
   Pandera schema (lazily); any schema failure rejects its row too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute

from teichaku import pseudonym
from teichaku.codebook import Codebook, Table
from teichaku.crosscheck import cross_rules
from teichaku.ingest import messages
from teichaku.ingest.headers import Header, find_header
from teichaku.ingest.messages import QUOTES_ROW
from teichaku.ingest.parsers import cell_parser
from teichaku.ingest.readers import Columns, Sheet, SparseRow
from teichaku.ingest.rules import WARNINGS
from teichaku.ingest.values import CellError, FlaggedCell, cell_text, undefined_character
from teichaku.schemas import clean_columns, table_schema

MASK = "<masked>"
_FAILURE_COLUMNS = ["pos", "variable", "rule", "value"]


@dataclass
class SheetReport:
    file: str
    sheet: str
    rows_read: int
    extra_columns: list[str]
    encoding: str | None = None
    notices: list[dict] = field(default_factory=list)  # {"rule", "detail"}: rows kept


@dataclass
class TableResult:
    name: str
    clean: pd.DataFrame
    rejected: pd.DataFrame  # one row per failure, columns of rejected_rows.parquet
    rows_read: int
    rows_duplicate: int
    sheets: list[SheetReport] = field(default_factory=list)
    centers_parsed: list[str] = field(default_factory=list)  # roster: every readable center
    # problems that did not reject their row, with the columns of ``rejected`` and
    # ``outcome``: set_missing (validation.invalid_cell) or flagged (a warning rule)
    noted: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rows_rejected(self) -> int:
        if self.rejected.empty:
            return 0
        return int(self.rejected[["file", "sheet", "row"]].drop_duplicates().shape[0])

    @property
    def rows_valid(self) -> int:
        return len(self.clean)


def _raw_value(value: object) -> str:
    """The raw cell as text for the report (as written, not normalised)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return cell_text(value)


def _is_empty(cell: object) -> bool:
    """Blank: None, NaN or whitespace only."""
    if isinstance(cell, str):
        return not cell.strip()
    return cell is None or (isinstance(cell, float) and cell != cell)


class _Column:
    """The distinct parsed values of one variable over all sheets of a table. Rows hold ids
    into them: each distinct raw cell is parsed once, and two raw spellings of the same
    value (``65`` and ``６５歳``) share one id, which makes repeats cheap to find.

    ``parsed`` (raw cell -> outcome) may be shared by variables parsed alike (the dates):
    a raw cell is then parsed once for all of them."""

    def __init__(self, parse, parsed: dict | None = None):
        self.parse = parse
        self.parsed: dict = {} if parsed is None else parsed  # (type, raw) -> canonical
        self.by_raw: dict = {}  # (type, raw cell) -> id
        self.by_value: dict = {}  # ("ok", value) or ("!", rule, raw text) -> id
        self.values: list = []  # id -> parsed value (None when missing or invalid)
        self.errors: list = []  # id -> rule broken, or None
        self.raws: list = []  # id -> raw text of an invalid cell

    def intern(self, canonical: tuple, value: object, error: str | None, raw: str) -> int:
        i = self.by_value.get(canonical)
        if i is None:
            i = self.by_value[canonical] = len(self.values)
            self.values.append(value)
            self.errors.append(error)
            self.raws.append(raw)
        return i

    def ids(self, uniques) -> np.ndarray:
        out: list[int] = []
        by_raw, parsed, append = self.by_raw, self.parsed, out.append
        for cell in uniques:
            if cell is not None and cell != cell:  # NaN: how pd.factorize returns None
                cell = None
            raw_key = (type(cell), cell)
            i = by_raw.get(raw_key)
            if i is None:
                canonical = parsed.get(raw_key)
                if canonical is None:
                    canonical = parsed[raw_key] = self._parse(cell)
                if canonical[0] == "ok":
                    i = self.intern(canonical, canonical[1], None, "")
                else:
                    i = self.intern(canonical, None, canonical[1], canonical[2])
                by_raw[raw_key] = i
            append(i)
        return np.array(out, dtype=np.int64)

    def _parse(self, cell) -> tuple:
        """("ok", value) or ("!", rule, raw text)."""
        if isinstance(cell, FlaggedCell):
            return ("!", cell.rule, cell.text)
        if isinstance(cell, str) and undefined_character(cell):
            return ("!", "undefined_character", cell)
        try:
            return ("ok", self.parse(cell))
        except CellError as exc:
            return ("!", exc.rule, _raw_value(cell))


class _Parsed:
    """Parsed cells of all sheets of a table, one row per non-empty data row."""

    def __init__(self, table: Table, codebook: Codebook):
        self.table = table
        self.columns: dict[str, _Column] = {}
        shared: list[tuple[partial, dict]] = []  # parsers with their outcomes
        for var in table.variables.values():
            parse = cell_parser(var, codebook)
            outcomes = next((o for p, o in shared if _same_parser(p, parse)), None)
            if outcomes is None:
                shared.append((parse, outcomes := {}))
            self.columns[var.name] = _Column(parse, outcomes)
        # per variable and sheet: the raw cells (object array), or ids for an absent column
        self.cells: dict[str, list[np.ndarray]] = {name: [] for name in self.columns}
        self.rows: list[np.ndarray] = []
        self.sheet_index: list[np.ndarray] = []
        self.headers: list[Header] = []
        self.sheets: list[SheetReport] = []

    def add(self, sheet: Sheet, codebook: Codebook) -> None:
        where = f"{sheet.file} [{sheet.sheet}]" if sheet.sheet else sheet.file
        header = find_header(sheet.rows, self.table, codebook, where)
        columns = sheet.columns(header.data_start)
        if columns is None:
            body = sheet.rows[header.data_start :]
            empty = np.fromiter(map(_row_is_empty, body), dtype=bool, count=len(body))
            if sheet.merges:
                body = _flag_merged(body, sheet.merges, header, empty)
            keep = self._add_rows(body, header, empty)
        else:
            keep = self._add_columns(columns, header)
        rows = keep + header.data_start + 1
        self.rows.append(rows)
        self.sheet_index.append(np.full(len(keep), len(self.headers)))
        self.headers.append(header)
        report = SheetReport(sheet.file, sheet.sheet, len(keep), header.extras, sheet.encoding)
        if sheet.hidden_sheets:
            report.notices.append(_notice("hidden_sheets", ", ".join(sheet.hidden_sheets)))
        hidden = sorted(set(sheet.hidden_rows) & set(rows.tolist()))
        if hidden:
            report.notices.append(_notice("hidden_rows", "rows " + _ranges(hidden)))
        self.sheets.append(report)

    def _add_absent(self, name: str, n: int) -> None:
        """An optional column absent from a sheet: missing in all ``n`` rows."""
        column = self.columns[name]
        absent = None if self.table.variables[name].type == "mark" else column.parse(None)
        self.cells[name].append(np.full(n, column.intern(("ok", absent), absent, None, "")))

    def _add_columns(self, columns: Columns, header: Header) -> np.ndarray:
        """Cells read column-wise: kept as pyarrow string arrays until ``finish``. Returns
        the positions of the non-empty rows."""
        empty = np.zeros(columns.n_rows, dtype=bool)
        empty[_blank_rows(columns)] = True
        keep = np.flatnonzero(~empty)
        for name, column in self.columns.items():
            j = header.columns.get(name)
            if j is None:
                self._add_absent(name, len(keep))
            elif j < len(columns.cells):
                cells = columns.cells[j]
                self.cells[name].append(cells if len(keep) == len(cells) else cells.take(keep))
            else:  # beyond the last cell of every row: blank, as a short row reads
                self.cells[name].append(np.full(len(keep), column.ids([None])[0]))
        return keep

    def _add_rows(self, body: list, header: Header, empty: np.ndarray) -> np.ndarray:
        """Cells read row-wise: kept raw (object arrays) until ``finish``; only the columns
        of the codebook are taken (rows may be of any length: a row ends at its last
        cell). Returns the positions of the non-empty rows."""
        keep = np.flatnonzero(~empty)
        kept = [body[i] for i in keep]
        for name in self.columns:
            j = header.columns.get(name)
            if j is None:
                self._add_absent(name, len(keep))
                continue
            cells = np.empty(len(kept), dtype=object)
            cells[:] = [r[j] if j < len(r) else None for r in kept]
            self.cells[name].append(cells)
        return keep

    def finish(self) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """(ids per variable, 1-based row numbers, sheet index) over all sheets.

        The cells of a variable are factorised over all sheets at once (few large calls
        are much cheaper than one per sheet): those read row-wise (object arrays) together,
        those read column-wise (pyarrow arrays) together; an absent column already holds
        ids. Each variable's raw cells are let go once parsed (at scale 100 they hold
        hundreds of megabytes the steps after this one do without), so this is called once."""
        ids = {}
        for name, column in self.columns.items():
            parts = self.cells.pop(name)
            rowwise = [p for p in parts if isinstance(p, np.ndarray) and p.dtype == object]
            columnwise = [p for p in parts if not isinstance(p, np.ndarray)]
            parsed = {}
            if rowwise:
                codes, uniques = pd.factorize(np.concatenate(rowwise), use_na_sentinel=False)
                parsed |= _split(rowwise, column.ids(uniques)[codes])
            if columnwise:
                chunks = [chunk for part in columnwise for chunk in part.chunks]
                text = pyarrow.concat_arrays(chunks) if chunks else pyarrow.array([], "string")
                encoded = text.dictionary_encode()
                taken = column.ids(encoded.dictionary.to_pylist())[encoded.indices.to_numpy()]
                parsed |= _split(columnwise, taken)
            ids[name] = _concat([parsed.get(id(p), p) for p in parts], np.int64)
        frame = pd.DataFrame(ids)
        return frame, _concat(self.rows, np.int64), _concat(self.sheet_index, np.int64)


def _row_is_empty(row) -> bool:
    return all(map(_is_empty, row.values() if isinstance(row, SparseRow) else row))


def _flag_merged(body: list, merges, header: Header, empty: np.ndarray) -> list:
    """The body with every cell of a codebook column that a merged range covers in a
    non-empty data row replaced by a ``merged_cells`` flag holding the merged value: a
    merged cell shows one value over several rows, but the file holds it in the first
    only, and reading the others as blank would turn a mark into "no"."""
    start = header.data_start
    used = sorted(set(header.columns.values()))
    body = list(body)
    for r1, c1, r2, c2 in merges:
        if r2 < start or (r1 == r2 and c1 == c2):
            continue
        columns = [j for j in used if c1 <= j <= c2]
        top = body[r1 - start] if r1 >= start else ()
        value = cell_text(top[c1]) if c1 < len(top) else ""
        for i in range(max(r1, start) - start, min(r2 - start + 1, len(body))):
            if empty[i] or not columns:
                continue
            row = list(body[i])
            row += [None] * (max(columns) + 1 - len(row))
            for j in columns:
                row[j] = FlaggedCell("merged_cells", value)
            body[i] = row
    return body


def _notice(rule: str, detail: str) -> dict:
    return {"rule": rule, "detail": detail}


def _ranges(numbers: list[int]) -> str:
    """``[3, 4, 5, 9]`` -> ``"3-5, 9"``."""
    out, first = [], None
    for k, n in enumerate(numbers):
        if first is None:
            first = n
        if k + 1 == len(numbers) or numbers[k + 1] != n + 1:
            out.append(str(first) if first == n else f"{first}-{n}")
            first = None
    return ", ".join(out)


def _same_parser(a, b) -> bool:
    """Two cell parsers that give every cell the same outcome (same function, arguments)."""
    if not (isinstance(a, partial) and isinstance(b, partial)):
        return a is b
    return a.func is b.func and a.args == b.args and a.keywords == b.keywords


def _split(parts: list, ids: np.ndarray) -> dict[int, np.ndarray]:
    """The ids of the cells of ``parts`` (concatenated in ``ids``), by ``id`` of each part."""
    bounds = np.cumsum([len(p) for p in parts])[:-1]
    return {id(p): part_ids for p, part_ids in zip(parts, np.split(ids, bounds), strict=True)}


def _blank_rows(columns: Columns) -> np.ndarray:
    """Positions of the rows whose cells are all blank. Each column is checked on the rows
    still blank, on their distinct cells: after the first column few rows are left."""
    rows = np.arange(columns.n_rows)
    for cells in columns.cells:
        if not len(rows):
            break
        cells = cells if len(rows) == len(cells) else cells.take(rows)
        uniques = cells.unique()
        blank = np.fromiter(map(_is_empty, uniques.to_pylist()), dtype=bool, count=len(uniques))
        rows = rows[blank[pyarrow.compute.index_in(cells, value_set=uniques).to_numpy()]]
    return rows


def _row_keys(ids: pd.DataFrame, sizes: dict[str, int]) -> np.ndarray:
    """One integer per row, equal for two rows exactly when all their ids are equal: the
    ids as digits of a mixed-radix number (``sizes``: ids per variable), renumbered densely
    whenever the next digit could overflow. Much faster than ``DataFrame.duplicated``."""
    key = np.zeros(len(ids), dtype=np.int64)
    span = 1  # key < span
    for name in ids.columns:
        size = max(sizes[name], 1)
        if span > np.iinfo(np.int64).max // size:
            key, uniques = pd.factorize(key)
            span = max(len(uniques), 1)
        key = key * size + ids[name].to_numpy(dtype=np.int64)
        span *= size
    return key


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype=dtype)


def _typed(parsed: _Parsed, ids: pd.DataFrame, codebook: Codebook, table: str) -> pd.DataFrame:
    """Rows of ids -> the clean dtypes: each variable's distinct values are typed once and
    taken by id (case_ref is kept as text here; it is pseudonymised later)."""
    dtypes = clean_columns(codebook, table)
    out: dict[str, object] = {}
    for name, column in parsed.columns.items():
        var = parsed.table.variables[name]
        take = ids[name].to_numpy()
        values = column.values
        if var.type == "iq":
            pairs = [v if v is not None else (None, None) for v in values]
            out[name] = pd.array([p[0] for p in pairs], dtype="Float64").take(take)
            out["iq_status"] = _categorical([p[1] for p in pairs], dtypes["iq_status"], take)
        elif var.personal:
            out[name] = np.asarray(values, dtype=object)[take]
        elif var.type == "category":
            out[name] = _categorical(values, dtypes[name], take)
        elif var.type == "date":
            dates = pd.to_datetime(pd.Series(values, dtype=object)).astype(dtypes[name])
            out[name] = dates.to_numpy()[take]
        else:
            out[name] = pd.array(values, dtype=dtypes[name]).take(take)
    return pd.DataFrame(out, index=ids.index)


def _categorical(values: list, dtype: pd.CategoricalDtype, take: np.ndarray) -> pd.Categorical:
    codes = dtype.categories.get_indexer(pd.Index(values, dtype=object))
    return pd.Categorical.from_codes(codes[take], dtype=dtype)


def clean_table(
    table_name: str,
    sheets: list[Sheet],
    codebook: Codebook,
    *,
    key: bytes | None = None,
    roster_centers: list[str] | None = None,
    rejected_centers: list[str] = (),
    set_missing: frozenset[str] = frozenset(),
) -> TableResult:
    """Clean every sheet of one table. ``key`` is the pseudonym key (cases);
    ``roster_centers`` the centers with a valid roster row (cases, awareness) and
    ``rejected_centers`` those whose roster rows were all rejected; ``set_missing`` the
    variables whose invalid cells become missing instead of rejecting the row
    (:mod:`teichaku.ingest.policy`)."""
    table = codebook.tables[table_name]
    parsed = _Parsed(table, codebook)
    for sheet in sheets:
        parsed.add(sheet, codebook)
    ids, rows, sheet_index = parsed.finish()
    typed = _typed(parsed, ids, codebook, table_name)
    failures = _Failures(ids.index)
    noted = _Failures(ids.index)  # invalid cells set missing, warnings: rows kept
    cell_errors = _cell_failures(parsed, ids, failures, noted, set_missing, typed)
    note = _blank_keys(table, typed, cell_errors, failures)
    duplicate = _repeats(table, parsed, ids, typed, cell_errors, failures)
    _center_rules(table, typed, roster_centers, rejected_centers, failures)
    if table_name == "cases":
        _cross_column_errors(codebook, typed, cell_errors, failures)
    failure = failures.frame(duplicate, note)
    clean, failure = _kept_rows(
        typed, duplicate, failure, codebook, table_name, key, roster_centers, noted
    )
    report = partial(
        _report_rows,
        rows=rows,
        sheet_index=sheet_index,
        parsed=parsed,
        table=table,
        table_name=table_name,
        context=typed,
        codebook=codebook,
        roster_centers=roster_centers,
    )
    rejected = report(failure)
    noted_report = report(noted.frame(duplicate, note, keep_on_notes=False))
    noted_report["outcome"] = pd.array(
        np.where(noted_report["rule"].isin(WARNINGS), "flagged", "set_missing"), dtype="string"
    )
    result = TableResult(
        table_name,
        clean,
        rejected,
        rows_read=len(ids),
        rows_duplicate=int(duplicate.sum()),
        sheets=parsed.sheets,
        centers_parsed=sorted(set(typed["center_id"].dropna())) if table_name == "roster" else [],
        noted=noted_report,
    )
    check_conservation(result)
    return result


class _Failures:
    """The failures found so far: (position of the row, variable, rule, raw value)."""

    def __init__(self, index: pd.Index):
        self.index = index
        self.parts: list[pd.DataFrame] = []

    def add_at(self, at: np.ndarray, variable: str, rule, value) -> None:
        self.parts.append(
            pd.DataFrame({"pos": at, "variable": variable, "rule": rule, "value": value})
        )

    def add(self, mask: pd.Series, variable: str, rule: str, value="", text=False) -> None:
        """Failures where ``mask``; ``text``: report ``value`` as ``str`` of each object."""
        positions = self.index[mask.to_numpy(dtype=bool)]
        if len(positions):
            vals = value[mask] if isinstance(value, pd.Series) else value
            vals = vals.astype(object).astype(str) if text else vals
            vals = vals.to_numpy() if isinstance(vals, pd.Series) else vals
            self.add_at(positions, variable, rule, vals)

    def frame(self, duplicate: pd.Series, note: pd.Series, keep_on_notes=True) -> pd.DataFrame:
        """All failures, less those of repeats (counted as duplicates) and, on a row without
        a case number (a note), all but ``missing_case_ref`` (``keep_on_notes`` false: all)."""
        failure = (
            pd.concat(self.parts, ignore_index=True)
            if self.parts
            else pd.DataFrame({c: pd.Series(dtype=object) for c in _FAILURE_COLUMNS})
        )
        at = failure["pos"].to_numpy(dtype=np.int64)
        on_note = note.to_numpy()[at]
        if keep_on_notes:
            on_note &= failure["rule"].ne("missing_case_ref").to_numpy()
        drop = duplicate.to_numpy()[at] | on_note
        return failure[~drop]


def _cell_failures(
    parsed: _Parsed, ids: pd.DataFrame, failures: _Failures, noted: _Failures, set_missing, typed
) -> dict:
    """Step 2: a failure for every cell that did not parse, or, for a variable of
    ``set_missing``, a noted problem (the cell is missing in ``typed`` already; an IQ's
    status becomes unknown). Returns variable -> mask of the rows whose cell failed (a cell
    set missing is missing, not an error, for every rule after this one)."""
    n = len(ids)
    cell_errors: dict[str, np.ndarray] = {}
    for name, column in parsed.columns.items():
        is_error = np.array([e is not None for e in column.errors], dtype=bool)
        mask = is_error[ids[name].to_numpy()] if n else np.zeros(0, dtype=bool)
        cell_errors[name] = mask if name not in set_missing else np.zeros(n, dtype=bool)
        at = np.flatnonzero(mask)
        if at.size:
            taken = ids[name].to_numpy()[at]
            rules = np.asarray(column.errors, dtype=object)[taken]
            found = noted if name in set_missing else failures
            found.add_at(at, name, rules, np.asarray(column.raws, dtype=object)[taken])
            if name in set_missing and parsed.table.variables[name].type == "iq":
                typed.loc[typed.index[at], "iq_status"] = "unknown"
    return cell_errors


def _had_error(cell_errors: dict, variable: str, index: pd.Index) -> pd.Series:
    return pd.Series(cell_errors[variable], index=index)


def _blank_keys(table: Table, typed, cell_errors, failures: _Failures) -> pd.Series:
    """Step 3: blank keys (center, case number, cohort) are errors. Returns the rows without
    a case number (notes: reported with ``missing_case_ref`` only)."""
    index = typed.index
    required = dict.fromkeys(["center_id", table.key])
    if "cohort" in table.variables:
        required["cohort"] = None
    note = pd.Series(False, index=index)
    for name in required:
        blank = pd.Series(pd.isna(typed[name]), index=index) & ~_had_error(cell_errors, name, index)
        if table.variables[name].personal:
            failures.add(blank, name, "missing_case_ref")
            note = blank
        else:
            failures.add(blank, name, "missing_value")
    return note


def _repeats(table: Table, parsed, ids, typed, cell_errors, failures: _Failures) -> pd.Series:
    """Step 4: the same content (ids) is a duplicate, kept once; the same key with other
    content rejects every copy. Returns the duplicate rows."""
    index = typed.index
    keys = list(dict.fromkeys(["center_id", table.key]))
    has_key = pd.concat(
        [typed[k].notna() | _had_error(cell_errors, k, index) for k in keys], axis=1
    ).all(axis=1)
    keyed = has_key.to_numpy()
    sizes = {name: len(column.values) for name, column in parsed.columns.items()}
    duplicate = pd.Series(False, index=index)
    duplicate[keyed] = _duplicated(_row_keys(ids, sizes)[keyed])
    distinct = keyed & ~duplicate.to_numpy()
    conflict = pd.Series(False, index=index)
    conflict[distinct] = _duplicated(_row_keys(ids[keys], sizes)[distinct], keep=False)
    key_var = table.key
    rule = "conflicting_duplicate_ref" if key_var != "center_id" else "conflicting_duplicate_center"
    failures.add(conflict, key_var, rule, typed[key_var], text=True)
    return duplicate


def _duplicated(keys: np.ndarray, keep: str | bool = "first") -> np.ndarray:
    return pd.Index(keys).duplicated(keep=keep)


def _center_rules(table: Table, typed, roster_centers, rejected_centers, failures) -> None:
    """Step 5a: roster centers beyond C<max>; in the other tables, centers whose roster rows
    were rejected (``center_rejected_in_roster``) and centers not in the roster."""
    center = typed["center_id"]
    highest = table.variables["center_id"].max
    if roster_centers is None and highest is not None:
        number = pd.to_numeric(center.str.slice(1), errors="coerce")
        failures.add(
            number.gt(highest).fillna(False).astype(bool),
            "center_id",
            "out_of_range",
            center.astype(str),
        )
    if roster_centers is not None:
        rejected = center.notna() & center.isin(list(rejected_centers))
        failures.add(
            rejected.astype(bool), "center_id", "center_rejected_in_roster", center.astype(str)
        )
        unknown = center.notna() & ~center.isin(roster_centers) & ~rejected
        failures.add(unknown.astype(bool), "center_id", "unknown_center", center.astype(str))


def _cross_column_errors(codebook: Codebook, typed, cell_errors, failures: _Failures) -> None:
    """Step 5b: the error rules across columns of a case row; a cell error in one of a
    rule's inputs suppresses it (the row is rejected for that cell already)."""
    errors, _ = cross_rules(codebook)
    index = typed.index
    for rule in errors:
        suppressed = pd.concat([_had_error(cell_errors, c, index) for c in rule.inputs], axis=1)
        failures.add(rule.breaks(typed) & ~suppressed.any(axis=1), rule.column, rule.name)


def _kept_rows(typed, duplicate, failure, codebook, table_name, key, roster_centers, noted):
    """Step 6: the rows left are flagged with warnings (each added to ``noted``),
    pseudonymised and validated against the Pandera schema (lazily); a schema failure
    rejects its row too. Returns (clean table, all failures)."""
    table = codebook.tables[table_name]
    index = typed.index
    keep = ~duplicate & ~index.isin(failure["pos"].to_numpy(dtype=np.int64))
    clean = typed[keep.to_numpy()]  # a new frame (copy-on-write: typed stays as it is)
    _, warnings = cross_rules(codebook) if table_name == "cases" else ([], [])
    for rule in warnings:
        flagged = rule.breaks(clean).to_numpy()
        clean[f"warn_{rule.name}"] = pd.array(flagged, dtype="boolean")
        noted.add_at(clean.index[flagged], rule.column, rule.name, "")
    clean = _finish(clean, codebook, table_name, key)
    schema = table_schema(codebook, table_name, roster_centers)
    try:
        # inplace: no copy of the frame (a temporary one; the schema coerces nothing)
        schema.validate(clean.drop(columns="_pos"), lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        if exc.failure_cases["index"].isna().any():  # dtype or column failures: a bug here
            raise AssertionError(f"{table_name}: clean table breaks its schema: {exc}") from None
        cases = exc.failure_cases
        at_clean = cases["index"].astype(np.int64).to_numpy()
        schema_failures = pd.DataFrame(
            {
                "pos": clean["_pos"].to_numpy()[at_clean],
                "variable": [c if c in table.variables else table.key for c in cases["column"]],
                "rule": cases["check"].astype(str).to_numpy(),
                "value": "",
            }
        )
        failure = pd.concat([failure, schema_failures], ignore_index=True)
        clean = clean[~clean.index.isin(at_clean)]
    return clean.drop(columns="_pos").reset_index(drop=True), failure


def _finish(clean: pd.DataFrame, codebook: Codebook, table: str, key: bytes | None):
    """Pseudonymise, order columns and rows; ``_pos`` keeps the link to the raw row."""
    clean = clean.assign(_pos=clean.index)
    tbl = codebook.tables[table]
    personal = [v.name for v in tbl.variables.values() if v.personal]
    for name in personal:
        if key is None:
            raise ValueError(f"{table}: a pseudonym key is needed for {name}")
        ids = pseudonym.case_ids(key, clean["center_id"], clean[name])
        clean["case_id"] = pd.array(ids, dtype="str")
    order = list(clean_columns(codebook, table))
    clean = clean[[*order, "_pos"]]  # without the personal columns
    for column, dtype in clean_columns(codebook, table).items():
        if column.startswith("warn_") or column == "case_id":
            continue
        clean[column] = clean[column].astype(dtype)
    sort = ["center_id", "case_id"] if "case_id" in order else ["center_id"]
    clean = clean.take(_stable_order(clean, sort))
    return clean.set_index(pd.RangeIndex(len(clean)))


def _stable_order(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Positions that sort ``frame`` by text ``columns`` (code point order, missing last,
    ties in place): ``sort_values(columns, kind="stable")``, done by pyarrow."""
    table = pyarrow.table({c: pyarrow.array(frame[c], type=pyarrow.string()) for c in columns})
    keys = [(c, "ascending", "at_end") for c in columns]
    return pyarrow.compute.sort_indices(table, sort_keys=keys).to_numpy()


def _report_rows(
    failure,
    rows: np.ndarray,
    sheet_index: np.ndarray,
    parsed: _Parsed,
    table: Table,
    table_name: str,
    context: pd.DataFrame,
    codebook: Codebook,
    roster_centers: list[str] | None,
) -> pd.DataFrame:
    """The report rows of ``failure``; each message names what the rule expected, from the
    codebook, the roster, or (rules across columns) the row's other values in ``context``."""
    columns = [
        "table",
        "file",
        "sheet",
        "row",
        "column",
        "value",
        "rule",
        "message_ja",
        "message_en",
    ]
    if failure.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="Int64" if c == "row" else "string") for c in columns}
        )
    pos = failure["pos"].to_numpy(dtype=np.int64)
    sheet_index = sheet_index[pos]
    personal = {v.name for v in table.variables.values() if v.personal}
    variables = failure["variable"].tolist()  # iterating a text column itself is slow
    column_label = [
        parsed.headers[s].labels.get(var, table.variables[var].header)
        for s, var in zip(sheet_index.tolist(), variables, strict=True)
    ]
    value = [
        MASK if var in personal and val not in ("", None) else ("" if val is None else str(val))
        for var, val in zip(variables, failure["value"].tolist(), strict=True)
    ]
    rules = failure["rule"].astype(str).to_numpy()
    out = pd.DataFrame(
        {
            "table": table_name,
            "file": [parsed.sheets[s].file for s in sheet_index.tolist()],
            "sheet": [parsed.sheets[s].sheet for s in sheet_index.tolist()],
            "row": pd.array(rows[pos], dtype="Int64"),
            "column": column_label,
            "value": value,
            "rule": rules,
            **_messages(failure, context, codebook, table, roster_centers),
        }
    )
    out = out.astype({c: "string" for c in columns if c != "row"})
    return out.sort_values(["file", "sheet", "row", "column", "rule"], kind="stable").reset_index(
        drop=True
    )


def _messages(failure, context, codebook, table, roster_centers) -> dict[str, list[str]]:
    """message_ja and message_en of each failure, written once per rule, variable and
    (for a rule that quotes the row) the values it quotes: at scale 100 tens of thousands
    of rows share a few such messages."""
    out: dict[str, list[str]] = {"message_ja": [], "message_en": []}
    once: dict[tuple, tuple[str, str]] = {}
    rules = failure["rule"].astype(str).to_numpy()
    quoted = _quoted_rows(rules, failure["pos"].to_numpy(dtype=np.int64), context)
    for k, (var, rule) in enumerate(zip(failure["variable"].tolist(), rules, strict=True)):
        row = quoted.get(k)
        key = (rule, var) if row is None else (rule, var, *row.values())
        texts = once.get(key)
        if texts is None:
            variable = table.variables.get(var)
            texts = once[key] = tuple(
                messages.message(rule, variable, codebook, lang, row, roster_centers)
                for lang in ("ja", "en")
            )
        out["message_ja"].append(texts[0])
        out["message_en"].append(texts[1])
    return out


def _quoted_rows(rules: np.ndarray, positions: np.ndarray, context: pd.DataFrame) -> dict:
    """Failure (its place in ``rules``) -> the values of the row its rule quotes
    (``QUOTES_ROW``), for the failures of such rules; a column absent from ``context`` is
    left out (the message then reads it as unknown)."""
    out: dict[int, dict] = {}
    for rule, columns in QUOTES_ROW.items():
        at = np.flatnonzero(rules == rule)
        if not at.size:
            continue
        present = [c for c in columns if c in context.columns]
        values = [_scalars(context[c].array, positions[at]) for c in present]
        for k, *row in zip(at.tolist(), *values, strict=True):
            out[k] = dict(zip(present, row, strict=True))
    return out


def _scalars(values, positions: np.ndarray) -> list:
    """The values at ``positions``, each the scalar ``Series.iat`` gives, boxed in one pass
    (``Timestamp``/``NaT`` from a DatetimeArray, the category or NaN from a Categorical,
    as iterating them gives), any other array's one by one."""
    if isinstance(values, pd.arrays.DatetimeArray | pd.Categorical):
        return list(values.take(positions))
    return [values[int(pos)] for pos in positions]


def check_conservation(result: TableResult) -> None:
    """rows_read = rows_valid + rows_rejected + rows_duplicate, or the code is wrong."""
    total = result.rows_valid + result.rows_rejected + result.rows_duplicate
    if total != result.rows_read:
        raise AssertionError(
            f"{result.name}: {result.rows_read} rows read but {result.rows_valid} valid + "
            f"{result.rows_rejected} rejected + {result.rows_duplicate} duplicates = {total}"
        )
