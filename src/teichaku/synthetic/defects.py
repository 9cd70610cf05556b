"""Rows that ingestion must reject (or count as duplicates), added on purpose.

Each defect is an EXTRA row beyond the valid ones, so the valid rows are untouched and the
published figures still hold. Each kind maps to the rule name ingestion reports; the
writer records where every defect row landed (file, sheet, row) in defects.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from teichaku.codebook import Codebook

# kind (config key) -> (rule ingestion must report, column at fault)
KINDS = {
    "unknown_center": ("unknown_center", "center_id"),
    "end_before_start": ("end_before_start", "followup_end"),
    "end_present_for_continuing": ("end_present_for_continuing", "followup_end"),
    "end_missing_for_ended": ("end_missing_for_ended", "followup_end"),
    "reason_missing_for_ended": ("reason_missing_for_ended", "end_reason"),
    "conflicting_duplicate_ref": ("conflicting_duplicate_ref", "case_ref"),
    "exact_duplicate": ("exact_duplicate", None),
    "out_of_range": ("out_of_range", "age"),
    "iq_out_of_range": ("out_of_range", "iq"),
    "invalid_integer": ("invalid_integer", "prison_admissions"),
    "invalid_date": ("invalid_date", "followup_start"),
    "date_out_of_range": ("date_out_of_range", "release_date"),
    "invalid_mark": ("invalid_mark", "barrier_no_stable_service"),
    "invalid_category": ("invalid_category", None),
    "missing_case_ref": ("missing_case_ref", "case_ref"),
}

# Raw texts that FORMAT.md does not accept, cycled through when a kind has several rows;
# {after_end} is a date after the survey's end, {reference_date} the round's reference date.
BAD_VALUES = {
    "out_of_range": ["150", "8歳"],
    "iq_out_of_range": ["180", "15"],
    "invalid_integer": ["数回", "約3"],
    "invalid_date": ["令和2年2月30日", "2020/13/5"],
    "date_out_of_range": ["1999/12/31", "{after_end}"],
    "invalid_mark": ["△", "?"],
    "invalid_category": [("sex", "不詳"), ("care_level", "要介護6")],
    "missing_case_ref": [
        "※記入上の注意：該当する欄に〇を記入してください",
        "※件数は{reference_date}時点で記入",
    ],
}
UNKNOWN_CENTER = "C{:02d}"  # the first number beyond the roster


@dataclass
class Defect:
    """One extra row: clean ``values`` (a modified copy of a valid row) plus raw overrides."""

    kind: str
    rule: str
    center_id: str  # the file (center) it is written into
    column: str | None
    values: dict | None = None  # None for note rows and exact duplicates
    raw: dict[str, str] = field(default_factory=dict)
    source: int | None = None  # exact duplicate: index (in cases) of the repeated row
    note: str | None = None  # note rows: the text


def _accepted(codebook: Codebook) -> set[str]:
    words = set(codebook.missing_codes) | set(codebook.mark_yes) | set(codebook.mark_no)
    for table in codebook.tables.values():
        for var in table.variables.values():
            for level in var.levels:
                words |= set(level.spellings)
    return words


def _bad_values(kind: str, codebook: Codebook, texts: dict[str, str]) -> list:
    """The kind's bad raw texts with the round's dates filled in."""
    after_end = codebook.survey["period_end"].year + 1
    fill = {**texts, "after_end": f"令和{after_end - 2018}年1月15日"}
    return [v.format(**fill) if isinstance(v, str) else v for v in BAD_VALUES.get(kind, [])]


def plan_defects(
    cases: pd.DataFrame,
    counts: dict[str, int],
    n_roster: int,
    codebook: Codebook,
    rng,
    texts: dict[str, str],
) -> list[Defect]:
    """The defect rows of the configured kinds and numbers, spread over the centers;
    ``texts`` are the round's dates as the survey writes them (raw_writer.survey_texts)."""
    accepted = _accepted(codebook)
    # np.unique's result, hashed first: only the distinct centers are sorted, not every row
    centers = np.sort(pd.unique(cases["center_id"].to_numpy(dtype=object)))
    open_ = cases["end_reason"].isna().to_numpy()
    ended = ~open_
    defects: list[Defect] = []
    serial = 0

    def source(mask=None) -> int:
        center = centers[rng.integers(len(centers))]
        pool = np.flatnonzero(
            (cases["center_id"] == center).to_numpy() & (True if mask is None else mask)
        )
        if len(pool) == 0:
            pool = np.flatnonzero(True if mask is None else mask)
        return int(pool[rng.integers(len(pool))])

    def copy(i: int) -> dict:
        nonlocal serial
        serial += 1
        row = cases.iloc[i].to_dict()
        row["case_ref"] = f"{row['case_ref']}-{serial + 1}"
        return row

    for kind, n in counts.items():
        if kind not in KINDS:
            raise ValueError(f"unknown defect kind {kind!r}")
        rule, column = KINDS[kind]
        bad = _bad_values(kind, codebook, texts)
        for k in range(n):
            if kind in ("end_before_start", "end_missing_for_ended", "reason_missing_for_ended"):
                i = source(ended)
            elif kind == "end_present_for_continuing":
                i = source(open_)
            else:
                i = source()
            center = cases["center_id"].iloc[i]
            d = Defect(kind, rule, center, column)
            if kind == "exact_duplicate":
                d.source = i
            elif kind == "missing_case_ref":
                d.note = bad[k % len(bad)]
            elif kind == "conflicting_duplicate_ref":
                first = copy(i)
                second = dict(first)
                second["age"] = int(first["age"]) + 1 if pd.notna(first["age"]) else 60
                defects.append(Defect(kind, rule, center, column, values=first))
                d.values = second
            else:
                d.values = copy(i)
                _apply(kind, d, k, bad, n_roster, cases.iloc[i])
            for text in d.raw.values():
                if text in accepted:
                    raise ValueError(f"defect value {text!r} is an accepted spelling")
            defects.append(d)
    return defects


def _apply(kind: str, d: Defect, k: int, bad: list, n_roster: int, row: pd.Series) -> None:
    """Turn the copied row into a defect of ``kind``."""
    v = d.values
    day = pd.Timedelta(days=1)
    if kind == "unknown_center":
        v["center_id"] = UNKNOWN_CENTER.format(n_roster + 1 + k)
    elif kind == "end_before_start":
        v["followup_end"] = row["followup_start"] - 30 * day
    elif kind == "end_present_for_continuing":
        v["followup_end"] = row["followup_start"] + 60 * day
    elif kind == "end_missing_for_ended":
        v["followup_end"] = pd.NaT
    elif kind == "reason_missing_for_ended":
        v["end_reason"] = None
    elif kind == "invalid_category":
        column, text = bad[k % len(bad)]
        d.column = column
        d.raw[column] = text
    else:
        d.raw[d.column] = bad[k % len(bad)]
