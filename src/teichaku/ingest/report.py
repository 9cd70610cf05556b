"""The validation summary: per table the row counts (with the conservation identity), the
failures per rule, warnings per rule, and per file the number of unknown extra columns.

What is published (results/validation/summary.json and .csv, :func:`published`) holds no
personal value, no raw cell value and no file name: files are named by a neutral label
(table and index, in file-name order; the mapping is :func:`file_labels`, kept under
data/), and rows are counted per table, never per file (files are usually per center, and
a center may send a handful of cases). The warnings per rule count rows that are kept, that
is people of the published tables with what the rule found (an end reason "death", a
residence "deceased", a date outside the cohort's year): a count of fewer than
``privacy.min_cell`` of them, or of all but fewer, is the marker ``<min_cell``, as in the
tables (docs/disclosure.md). The full summary (:func:`summary`, with file names, extra
column headers and every count) is for the log only."""

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


def file_labels(data: dict) -> dict[str, str]:
    """Raw file name -> neutral label (``cases-1``, ``roster-1``, ``ignored-1``), numbered in
    file-name order within each table."""
    labels: dict[str, str] = {}
    for table, t in data["tables"].items():
        for i, name in enumerate(sorted({f["file"] for f in t["files"]}), start=1):
            labels.setdefault(name, f"{table}-{i}")
    for i, name in enumerate(sorted(data.get("ignored_files", [])), start=1):
        labels.setdefault(name, f"ignored-{i}")
    return labels


def published_warnings(table: dict, min_cell: int) -> dict:
    """The warnings per rule of a table as published: a count k of the rows kept with
    ``0 < k < min_cell`` or ``0 < rows_valid - k < min_cell`` is the marker."""
    valid = table["rows_valid"]
    return {
        rule: f"<{min_cell}" if 0 < k < min_cell or 0 < valid - k < min_cell else k
        for rule, k in table["warnings"].items()
    }


def published(data: dict, min_cell: int) -> dict:
    """The summary as published: files by label, without per-file row counts, sheet names
    or extra column headers (only how many extra columns a file has); the warnings per rule
    under the small-count rule (:func:`published_warnings`)."""
    labels = file_labels(data)
    tables = {}
    for name, t in data["tables"].items():
        files = {}
        for f in t["files"]:
            entry = files.setdefault(
                labels[f["file"]], {"file": labels[f["file"]], "extra_columns": 0}
            )
            entry["extra_columns"] += len(f["extra_columns"])
            if "encoding" in f:
                entry["encoding"] = f["encoding"]
        tables[name] = {
            **t,
            "warnings": published_warnings(t, min_cell),
            "files": list(files.values()),
        }
    return {
        **data,
        "tables": tables,
        "ignored_files": sorted(labels[n] for n in data.get("ignored_files", [])),
    }


def summary_json(data: dict, min_cell: int) -> str:
    return (
        json.dumps(published(data, min_cell), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    )


def file_labels_csv(data: dict) -> str:
    """label, file: the mapping of the published labels to the raw files (data/ only)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["label", "file"])
    for name, label in sorted(file_labels(data).items(), key=lambda kv: kv[1]):
        writer.writerow([label, name])
    return out.getvalue()


def summary_csv(data: dict, min_cell: int) -> str:
    """Long form: table, kind (count | error | warning | extra_columns), name, value."""
    data = published(data, min_cell)
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
            if f["extra_columns"]:
                writer.writerow([table, "extra_columns", f["file"], f["extra_columns"]])
    return out.getvalue()
