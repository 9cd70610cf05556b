"""The validation summary: per table the row counts (with the conservation identity), the
failures per rule, warnings per rule, and per file the unknown extra columns. It holds no
personal value and no raw cell value, so it may be published (results/validation/)."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from teichaku.ingest.clean import TableResult
from teichaku.ingest.rules import RULES


def table_summary(result: TableResult) -> dict:
    rejected = result.rejected
    errors = rejected["rule"].value_counts().sort_index() if not rejected.empty else pd.Series()
    rows_per_rule = (
        rejected.drop_duplicates(["file", "sheet", "row", "rule"])["rule"]
        .value_counts()
        .sort_index()
        if not rejected.empty
        else pd.Series()
    )
    warnings = {
        column.removeprefix("warn_"): int(result.clean[column].sum())
        for column in result.clean.columns
        if column.startswith("warn_")
    }
    noted = result.noted
    if not noted.empty:  # invalid cells set missing (validation.invalid_cell): rows kept
        set_missing = noted[noted["outcome"] == "set_missing"]["rule"].value_counts()
        for rule, count in set_missing.sort_index().items():
            warnings[str(rule)] = warnings.get(str(rule), 0) + int(count)
    return {
        "rows_read": result.rows_read,
        "rows_valid": result.rows_valid,
        "rows_rejected": result.rows_rejected,
        "rows_duplicate": result.rows_duplicate,
        "errors": {str(k): int(v) for k, v in errors.items()},
        "rows_per_error": {str(k): int(v) for k, v in rows_per_rule.items()},
        "warnings": warnings,
        "files": [_file_summary(s) for s in result.sheets],
    }


def _file_summary(sheet) -> dict:
    """One file read: ``notices`` (hidden sheets, hidden rows) only where there are some."""
    out = {
        "file": sheet.file,
        "sheet": sheet.sheet,
        "encoding": sheet.encoding,
        "rows_read": sheet.rows_read,
        "extra_columns": sheet.extra_columns,
    }
    if sheet.notices:
        out["notices"] = sheet.notices
    return out


def summary(results: dict[str, TableResult], ignored_files: list[str]) -> dict:
    cases = results["cases"]
    share = cases.rows_rejected / cases.rows_read if cases.rows_read else 0.0
    return {
        "tables": {name: table_summary(r) for name, r in results.items()},
        "ignored_files": ignored_files,
        "rejected_share_cases": round(share, 6),
        "rules": {
            name: {"severity": r.severity, "message_ja": r.message_ja, "message_en": r.message_en}
            for name, r in RULES.items()
        },
    }


def summary_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def summary_csv(data: dict) -> str:
    """Long form: table, kind (count | error | warning), name, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "kind", "name", "value"])
    for table, t in data["tables"].items():
        for name in ("rows_read", "rows_valid", "rows_rejected", "rows_duplicate"):
            writer.writerow([table, "count", name, t[name]])
        for name, value in t["errors"].items():
            writer.writerow([table, "error", name, value])
        for name, value in t["warnings"].items():
            writer.writerow([table, "warning", name, value])
        for f in t["files"]:
            for column in f["extra_columns"]:
                writer.writerow([table, "extra_column", f"{f['file']}:{column}", 1])
    return out.getvalue()
