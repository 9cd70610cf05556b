"""Codebook-driven cleaning of one table read from one or more sheets.

Order of work (every data row read ends up in exactly one of: the clean table, the
rejected rows, or the duplicate count):

1. fully empty rows are dropped (not counted as read);
2. each column is parsed once per DISTINCT raw value, then mapped back (vectorised);
3. blank keys (center, case number, cohort) are errors;
4. exact repeats of a row (same center, key and content) are kept once and counted as
   duplicates; the same key with different content rejects every copy;
5. centers not in the roster, then the cross-column rules (cases);
6. the rows left are typed, pseudonymised, flagged with warnings and validated against the
   Pandera schema (lazily); any schema failure rejects its row too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from teichaku import pseudonym
from teichaku.codebook import Codebook, Table
from teichaku.ingest.crosscheck import cross_rules
from teichaku.ingest.headers import Header, find_header
from teichaku.ingest.parsers import cell_parser
from teichaku.ingest.readers import Sheet
from teichaku.ingest.values import CellError, cell_text
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


@dataclass
class TableResult:
    name: str
    clean: pd.DataFrame
    rejected: pd.DataFrame  # one row per failure, columns of rejected_rows.parquet
    rows_read: int
    rows_duplicate: int
    sheets: list[SheetReport] = field(default_factory=list)
    centers_parsed: list[str] = field(default_factory=list)  # roster: every readable center

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
    return cell is None or (isinstance(cell, str) and not cell.strip())


class _Parsed:
    """Parsed cells of all sheets of a table, one row per non-empty data row."""

    def __init__(self, table: Table, codebook: Codebook):
        self.table = table
        self.parsers = {v.name: cell_parser(v, codebook) for v in table.variables.values()}
        self.cache: dict[str, dict] = {name: {} for name in self.parsers}
        self.frames: list[pd.DataFrame] = []
        self.failures: list[pd.DataFrame] = []
        self.headers: list[Header] = []
        self.sheets: list[SheetReport] = []
        self.offset = 0

    def add(self, sheet: Sheet, codebook: Codebook) -> None:
        header = find_header(sheet.rows, self.table, codebook, sheet.file)
        body = sheet.rows[header.data_start :]
        keep = [i for i, row in enumerate(body) if not all(_is_empty(c) for c in row)]
        rows = [body[i] for i in keep]
        n = len(rows)
        frame = pd.DataFrame(
            {
                "_sheet_index": np.full(n, len(self.headers)),
                "_row": np.asarray(keep, dtype=np.int64) + header.data_start + 1,
            },
            index=pd.RangeIndex(self.offset, self.offset + n),
        )
        values: dict[str, np.ndarray] = {}
        for name in self.parsers:
            j = header.columns.get(name)
            if j is None:  # an optional column absent from this file: missing
                values[name] = np.full(n, None, dtype=object)
                if self.table.variables[name].type == "iq":
                    values["iq_status"] = np.full(n, "unknown", dtype=object)
                continue
            cells = [row[j] if j < len(row) else None for row in rows]
            parsed, errors, raws = self._parse_column(name, cells)
            if self.table.variables[name].type == "iq":
                values[name] = np.array([p[0] if p else None for p in parsed], dtype=object)
                values["iq_status"] = np.array([p[1] if p else None for p in parsed], dtype=object)
            else:
                values[name] = parsed
            bad = np.flatnonzero(errors != None)  # noqa: E711 (object array)
            if bad.size:
                self.failures.append(
                    pd.DataFrame(
                        {
                            "pos": bad + self.offset,
                            "variable": name,
                            "rule": errors[bad],
                            "value": raws[bad],
                        }
                    )
                )
        for name, array in values.items():
            frame[name] = array
        self.frames.append(frame)
        self.headers.append(header)
        self.sheets.append(SheetReport(sheet.file, sheet.sheet, n, header.extras, sheet.encoding))
        self.offset += n

    def _parse_column(self, name: str, cells: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, error rules, raw texts), parsing each distinct cell once."""
        codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=False)
        parse, cache = self.parsers[name], self.cache[name]
        u_values = np.empty(len(uniques), dtype=object)
        u_errors = np.empty(len(uniques), dtype=object)
        u_raws = np.empty(len(uniques), dtype=object)
        for k, cell in enumerate(uniques):
            key = (type(cell).__name__, cell)
            if key not in cache:
                try:
                    cache[key] = (parse(cell), None)
                except CellError as exc:
                    cache[key] = (None, exc.rule)
            u_values[k], u_errors[k] = cache[key]
            u_raws[k] = _raw_value(cell)
        return u_values[codes], u_errors[codes], u_raws[codes]

    def frame(self) -> pd.DataFrame:
        columns = ["_sheet_index", "_row", *self._value_columns()]
        if not self.frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(self.frames)[columns]

    def _value_columns(self) -> list[str]:
        out = []
        for var in self.table.variables.values():
            out.append(var.name)
            if var.type == "iq":
                out.append("iq_status")
        return out

    def failure_frame(self) -> pd.DataFrame:
        if not self.failures:
            return pd.DataFrame(columns=_FAILURE_COLUMNS)
        return pd.concat(self.failures, ignore_index=True)


def _typed(frame: pd.DataFrame, codebook: Codebook, table: str) -> pd.DataFrame:
    """Object columns of parsed values -> the clean dtypes (case_ref kept as string)."""
    out = pd.DataFrame(index=frame.index)
    tbl = codebook.tables[table]
    dtypes = clean_columns(codebook, table)
    for column in frame.columns:
        if column.startswith("_"):
            continue
        var = tbl.variables.get(column)
        if var is not None and var.personal:
            out[column] = frame[column].astype("string")
        elif var is not None and var.type == "date":
            out[column] = pd.to_datetime(frame[column]).astype(dtypes[column])
        elif var is not None and var.type in ("integer", "iq", "boolean", "mark"):
            out[column] = pd.array(frame[column].tolist(), dtype=dtypes[column])
        else:
            out[column] = frame[column].astype(dtypes[column])
    return out


def clean_table(
    table_name: str,
    sheets: list[Sheet],
    codebook: Codebook,
    *,
    key: bytes | None = None,
    roster_centers: list[str] | None = None,
) -> TableResult:
    """Clean every sheet of one table. ``key`` is the pseudonym key (cases);
    ``roster_centers`` the centers of the roster (cases, awareness)."""
    table = codebook.tables[table_name]
    parsed = _Parsed(table, codebook)
    for sheet in sheets:
        parsed.add(sheet, codebook)
    raw = parsed.frame()
    failures = [parsed.failure_frame()]
    cell_errors = {}
    for variable, group in failures[0].groupby("variable"):
        mask = np.zeros(len(raw), dtype=bool)
        mask[group["pos"].to_numpy(dtype=np.int64)] = True
        cell_errors[variable] = mask

    def add(mask: pd.Series, variable: str, rule: str, value: pd.Series | str = "") -> None:
        positions = raw.index[mask.to_numpy(dtype=bool)]
        if len(positions):
            vals = value[mask].to_numpy() if isinstance(value, pd.Series) else value
            failures.append(
                pd.DataFrame({"pos": positions, "variable": variable, "rule": rule, "value": vals})
            )

    def had_error(variable: str) -> pd.Series:
        mask = cell_errors.get(variable, np.zeros(len(raw), dtype=bool))
        return pd.Series(mask, index=raw.index)

    # 3. blank keys
    key_var = table.key
    required = dict.fromkeys(["center_id", key_var])
    if "cohort" in table.variables:
        required["cohort"] = None
    note = pd.Series(False, index=raw.index)  # no case number: a note, reported as such only
    for name in required:
        blank = raw[name].isna() & ~had_error(name)
        if table.variables[name].personal:
            add(blank, name, "missing_case_ref")
            note = blank
        else:
            add(blank, name, "missing_value")

    # 4. duplicates and conflicting repeats, on content (parsed value, or raw text if invalid)
    content = raw.drop(columns=["_sheet_index", "_row"]).astype(str)
    fail0 = failures[0]
    for variable, group in fail0.groupby("variable"):
        content.loc[group["pos"].to_numpy(), variable] = "!" + group["value"].astype(str).to_numpy()
    keys = list(dict.fromkeys(["center_id", key_var]))
    has_key = pd.concat([raw[k].notna() | had_error(k) for k in keys], axis=1).all(axis=1)
    digest = pd.util.hash_pandas_object(content, index=False)
    keyed = content.loc[has_key, keys].assign(_digest=digest[has_key])
    duplicate = pd.Series(False, index=raw.index)
    duplicate[keyed.index] = keyed.duplicated()
    distinct = keyed[~duplicate[keyed.index]]
    repeated = distinct.duplicated(subset=keys, keep=False)
    conflict = pd.Series(False, index=raw.index)
    conflict[repeated.index] = repeated
    rule = "conflicting_duplicate_ref" if key_var != "center_id" else "conflicting_duplicate_center"
    add(conflict, key_var, rule, raw[key_var].astype(str))

    # 5. centers missing from the roster; cross-column rules
    typed = _typed(raw, codebook, table_name)
    if roster_centers is not None:
        unknown = typed["center_id"].notna() & ~typed["center_id"].isin(roster_centers)
        add(unknown.astype(bool), "center_id", "unknown_center", typed["center_id"].astype(str))
    errors, warnings = cross_rules(codebook) if table_name == "cases" else ([], [])
    for rule_ in errors:
        suppressed = pd.concat([had_error(c) for c in rule_.inputs], axis=1).any(axis=1)
        add(rule_.breaks(typed) & ~suppressed, rule_.column, rule_.name)

    # 6. the rows left
    failure = pd.concat(failures, ignore_index=True)
    at = failure["pos"].to_numpy(dtype=np.int64)
    drop = duplicate.to_numpy()[at] | (note.to_numpy()[at] & failure["rule"].ne("missing_case_ref"))
    failure = failure[~drop]
    rejected_pos = set(failure["pos"])
    keep = ~duplicate & ~raw.index.isin(list(rejected_pos))
    clean = typed[keep.to_numpy()].copy()
    for rule_ in warnings:
        clean[f"warn_{rule_.name}"] = pd.array(rule_.breaks(clean).to_numpy(), dtype="boolean")
    clean = _finish(clean, codebook, table_name, key)
    schema = table_schema(codebook, table_name, roster_centers)
    try:
        schema.validate(clean.drop(columns="_pos"), lazy=True)
    except pa.errors.SchemaErrors as exc:
        if exc.failure_cases["index"].isna().any():  # dtype or column failures: a bug here
            raise AssertionError(f"{table_name}: clean table breaks its schema: {exc}") from None
        cases = exc.failure_cases
        bad = clean.index.isin(cases["index"].astype(np.int64))
        for _, fc in cases.iterrows():
            column = fc["column"] if fc["column"] in table.variables else key_var
            failure = pd.concat(
                [
                    failure,
                    pd.DataFrame(
                        {
                            "pos": [int(clean.loc[fc["index"], "_pos"])],
                            "variable": [column],
                            "rule": [str(fc["check"])],
                            "value": [""],
                        }
                    ),
                ],
                ignore_index=True,
            )
        clean = clean[~bad]
    rows_duplicate = int(duplicate.sum())
    rejected = _report_rows(failure, raw, parsed, table, table_name)
    clean = clean.drop(columns="_pos").reset_index(drop=True)
    result = TableResult(
        table_name,
        clean,
        rejected,
        rows_read=len(raw),
        rows_duplicate=rows_duplicate,
        sheets=parsed.sheets,
        centers_parsed=sorted(set(raw["center_id"].dropna())) if table_name == "roster" else [],
    )
    check_conservation(result)
    return result


def _finish(clean: pd.DataFrame, codebook: Codebook, table: str, key: bytes | None):
    """Pseudonymise, order columns and rows; ``_pos`` keeps the link to the raw row."""
    clean = clean.assign(_pos=clean.index)
    tbl = codebook.tables[table]
    personal = [v.name for v in tbl.variables.values() if v.personal]
    for name in personal:
        if key is None:
            raise ValueError(f"{table}: a pseudonym key is needed for {name}")
        ids = [
            pseudonym.case_id(key, c, r)
            for c, r in zip(clean["center_id"], clean[name], strict=True)
        ]
        clean["case_id"] = pd.array(ids, dtype="str")
        clean = clean.drop(columns=name)
    order = list(clean_columns(codebook, table))
    clean = clean[[*order, "_pos"]]
    for column, dtype in clean_columns(codebook, table).items():
        if column.startswith("warn_") or column == "case_id":
            continue
        clean[column] = clean[column].astype(dtype)
    sort = ["center_id", "case_id"] if "case_id" in order else ["center_id"]
    clean = clean.sort_values(sort, kind="stable")
    return clean.set_index(pd.RangeIndex(len(clean)))


def _report_rows(failure, raw, parsed: _Parsed, table: Table, table_name: str) -> pd.DataFrame:
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
    from teichaku.ingest.rules import RULES

    pos = failure["pos"].to_numpy(dtype=np.int64)
    sheet_index = raw["_sheet_index"].to_numpy()[pos]
    personal = {v.name for v in table.variables.values() if v.personal}
    column_label = [
        parsed.headers[s].labels.get(var, table.variables[var].header)
        for s, var in zip(sheet_index, failure["variable"], strict=True)
    ]
    value = [
        MASK if var in personal and val not in ("", None) else ("" if val is None else str(val))
        for var, val in zip(failure["variable"], failure["value"], strict=True)
    ]
    rules = failure["rule"].astype(str).to_numpy()
    out = pd.DataFrame(
        {
            "table": table_name,
            "file": [parsed.sheets[s].file for s in sheet_index],
            "sheet": [parsed.sheets[s].sheet for s in sheet_index],
            "row": pd.array(raw["_row"].to_numpy()[pos], dtype="Int64"),
            "column": column_label,
            "value": value,
            "rule": rules,
            "message_ja": [RULES[r].message_ja if r in RULES else r for r in rules],
            "message_en": [RULES[r].message_en if r in RULES else r for r in rules],
        }
    )
    out = out.astype({c: "string" for c in columns if c != "row"})
    return out.sort_values(["file", "sheet", "row", "column", "rule"], kind="stable").reset_index(
        drop=True
    )


def check_conservation(result: TableResult) -> None:
    """rows_read = rows_valid + rows_rejected + rows_duplicate, or the code is wrong."""
    total = result.rows_valid + result.rows_rejected + result.rows_duplicate
    if total != result.rows_read:
        raise AssertionError(
            f"{result.name}: {result.rows_read} rows read but {result.rows_valid} valid + "
            f"{result.rows_rejected} rejected + {result.rows_duplicate} duplicates = {total}"
        )
