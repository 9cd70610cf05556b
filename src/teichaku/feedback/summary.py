"""Validation counts per center and per file, for the coordinator (under ``data/``: a count
per center or file of a small survey can point at a person; the publishable aggregate is
``results/validation/``). Long form: one row per (center or file, table, measure), the
measures being ``rows_read``, ``rows_rejected`` and ``error:<rule>`` / ``warning:<rule>``
(problems per rule)."""

from __future__ import annotations

import csv
import io
from collections import Counter

from teichaku.feedback.validate import Validation

HEADER_CENTER = ["center", "table", "measure", "value"]
HEADER_FILE = ["file", "sheet", "table", "measure", "value"]


def _counts(validation: Validation, by_center: bool) -> dict[tuple, Counter]:
    out: dict[tuple, Counter] = {}
    for sheet_map in validation.maps.values():
        table = sheet_map.table.name
        for row in sheet_map.data_rows:
            key = (
                (sheet_map.recipient(row), table)
                if by_center
                else (sheet_map.sheet.file, sheet_map.sheet.sheet, table)
            )
            out.setdefault(key, Counter())["rows_read"] += 1
    problems = validation.problems
    for p in problems.itertuples(index=False):
        key = (p.center, p.table) if by_center else (p.file, p.sheet, p.table)
        counter = out.setdefault(key, Counter(rows_read=0))
        kind = "error" if p.outcome == "rejected" else "warning"
        counter[f"{kind}:{p.rule}"] += 1
    rejected = problems[problems["outcome"] == "rejected"].drop_duplicates(
        ["center", "file", "sheet", "row"]
    )
    for p in rejected.itertuples(index=False):
        key = (p.center, p.table) if by_center else (p.file, p.sheet, p.table)
        out[key]["rows_rejected"] += 1
    return out


def _render(header: list[str], counts: dict[tuple, Counter]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for key in sorted(counts):
        counter = counts[key]
        measures = [
            "rows_read",
            "rows_rejected",
            *sorted(m for m in counter if m not in ("rows_read", "rows_rejected")),
        ]
        for measure in measures:
            writer.writerow([*key, measure, counter.get(measure, 0)])
    return buf.getvalue()


def by_center_csv(validation: Validation) -> str:
    return _render(HEADER_CENTER, _counts(validation, by_center=True))


def by_file_csv(validation: Validation) -> str:
    return _render(HEADER_FILE, _counts(validation, by_center=False))
