"""A filled-in entry template goes through ingestion: rows entered as the template's drop-downs
and limits allow are all kept; rows that break a rule are each rejected with that rule.

The same workbook is placed as roster.xlsx, awareness.xlsx and cases/<center>.xlsx: ingestion
picks the sheet named for each table (名簿, 認識調査, 対象者)."""

import datetime as dt

import pytest

from teichaku.codebook import load_codebook
from teichaku.dictionary import must_be_filled
from teichaku.ingest.survey import ingest_survey
from teichaku.template import build_template, dropdown_options, first_data_row, workbook_bytes

pytestmark = pytest.mark.slow  # the module's fixtures take seconds

KEY = b"template-test-key"
CENTERS = 3  # centers in the filled-in roster


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


def _option(var, cb, i: int):
    options = dropdown_options(var, cb)
    return options[i % len(options)]


def _case_row(cb, i: int, center: str) -> dict[str, object]:
    """A valid case row (variable -> cell) built from the codebook and the template's lists."""
    table = cb.tables["cases"]
    cohort_var = table.variables["cohort"]
    cohort = cohort_var.levels[i % len(cohort_var.levels)]
    ended = cohort.code in cb.fiscal_years
    fy_start = cb.fiscal_years[cohort.code][0] if ended else max(cb.fiscal_years.values())[0]
    row: dict[str, object] = {}
    for name, var in table.variables.items():
        if var.type == "center_id":
            row[name] = center
        elif var.type == "text":
            row[name] = f"{i:03d}"
        elif var.type in ("category", "boolean"):
            row[name] = _option(var, cb, i)
        elif var.type in ("integer", "iq"):
            row[name] = min(var.min + 3 * i, var.max)
        elif var.type == "mark":
            row[name] = dropdown_options(var, cb)[0] if i % 2 else None
    row["cohort"] = cohort.ja
    row["release_date"] = dt.datetime.combine(fy_start - dt.timedelta(days=30), dt.time())
    row["followup_start"] = dt.datetime.combine(fy_start, dt.time())
    row["followup_end"] = row["followup_start"] + dt.timedelta(days=90) if ended else None
    end_reason = table.variables["end_reason"]
    death = end_reason.level_label("death")
    reasons = [lv.ja for lv in end_reason.levels if lv.ja != death]
    row["end_reason"] = reasons[i % len(reasons)] if ended else None
    # a current residence other than "deceased" (that would flag a warning, not an error)
    residences = [
        o
        for o in dropdown_options(table.variables["current_residence"], cb)
        if o != table.variables["current_residence"].level_label("deceased")
    ]
    row["current_residence"] = residences[i % len(residences)]
    return row


def _fill(ws, table, rows: list[dict]) -> None:
    first = first_data_row(table)
    names = list(table.variables)
    for r, values in enumerate(rows):
        for name, value in values.items():
            ws.cell(first + r, names.index(name) + 1, value)


def _filled_workbook(cb, case_rows: list[dict]) -> bytes:
    wb = build_template(cb, rows=50)
    centers = [f"C{i:02d}" for i in range(1, CENTERS + 1)]
    roster_rows = []
    for i, center in enumerate(centers):
        row = {}
        for name, var in cb.tables["roster"].variables.items():
            row[name] = (
                center
                if var.type == "center_id"
                else (_option(var, cb, i) if var.type in ("category", "boolean") else var.min + i)
            )
        roster_rows.append(row)
    _fill(wb[cb.tables["roster"].sheet], cb.tables["roster"], roster_rows)
    awareness_rows = [
        {
            name: (
                center
                if var.type == "center_id"
                else dropdown_options(var, cb)[0]
                if (i + j) % 2
                else None
            )
            for j, (name, var) in enumerate(cb.tables["awareness"].variables.items())
        }
        for i, center in enumerate(centers)
    ]
    _fill(wb[cb.tables["awareness"].sheet], cb.tables["awareness"], awareness_rows)
    _fill(wb[cb.tables["cases"].sheet], cb.tables["cases"], case_rows)
    return workbook_bytes(wb)


def _ingest(tmp_path, cb, case_rows):
    data = _filled_workbook(cb, case_rows)
    (tmp_path / "cases").mkdir()
    for name in ("roster.xlsx", "awareness.xlsx", "cases/centers.xlsx"):
        (tmp_path / name).write_bytes(data)
    return ingest_survey(tmp_path, cb, KEY)


def _valid_rows(cb, n: int = 12) -> list[dict]:
    return [_case_row(cb, i, f"C{i % CENTERS + 1:02d}") for i in range(n)]


def test_valid_rows_entered_in_the_template_are_all_kept(tmp_path, cb):
    rows = _valid_rows(cb)
    result = _ingest(tmp_path, cb, rows)
    for name, expected in (("roster", CENTERS), ("awareness", CENTERS), ("cases", len(rows))):
        table = result.tables[name]
        assert table.rejected.empty, table.rejected.to_dict("records")
        assert (table.rows_read, len(table.clean), table.rows_duplicate) == (expected, expected, 0)
    cases = result.tables["cases"].clean
    warnings = [c for c in cases.columns if c.startswith("warn_")]
    assert not cases[warnings].any().any()
    # what was chosen from the drop-downs comes back as the codebook's codes
    sex = cb.variable("cases", "sex")
    assert set(cases["sex"].astype(str)) == set(sex.codes)
    marks = [v for v in cb.tables["cases"].variables.values() if v.type == "mark"]
    assert cases[marks[0].name].sum() == sum(1 for r in rows if r[marks[0].name])
    assert set(cases["cohort"].astype(str)) == set(cb.variable("cases", "cohort").codes)


#: (column, value entered, rule that rejects the row); each goes into a copy of an ended
#: case, except the ones of a rule "..._for_continuing", into a continuing case.
INVALID = [
    ("age", 200, "out_of_range"),
    ("age", "六十五", "invalid_integer"),
    ("sex", "おとこ", "invalid_category"),
    ("act_trouble", "?", "invalid_mark"),
    ("release_date", dt.datetime(2031, 1, 1), "date_out_of_range"),
    ("center_id", "C40", "unknown_center"),
    ("followup_end", dt.datetime(2000, 1, 2), "end_before_start"),
    ("followup_end", None, "end_missing_for_ended"),
    ("end_reason", None, "reason_missing_for_ended"),
    ("followup_end", dt.datetime(2021, 3, 1), "end_present_for_continuing"),
    # the columns the instructions say must be filled
    ("cohort", None, "missing_value"),
    ("center_id", None, "missing_value"),
    ("case_ref", None, "missing_case_ref"),
]


def _invalid_row(cb, i: int) -> dict:
    column, value, rule = INVALID[i]
    continuing = rule.endswith("_for_continuing")
    base = len(cb.fiscal_years) if continuing else 0  # cohorts cycle: the last is continuing
    row = _case_row(cb, base, "C01")
    ended = [lv.ja for lv in cb.variable("cases", "cohort").levels if lv.code in cb.fiscal_years]
    assert (row["cohort"] in ended) != continuing
    row["case_ref"] = f"bad{i}"
    row[column] = value
    return row


@pytest.fixture(scope="module")
def mixed(cb, tmp_path_factory):
    """Valid rows, then one row per entry of INVALID: (number of valid rows, cases result)."""
    valid = _valid_rows(cb)
    rows = [*valid, *(_invalid_row(cb, i) for i in range(len(INVALID)))]
    return len(valid), _ingest(tmp_path_factory.mktemp("mixed"), cb, rows).tables["cases"]


def test_only_the_invalid_rows_are_rejected(mixed):
    n_valid, table = mixed
    assert (len(table.clean), table.rows_rejected) == (n_valid, len(INVALID))
    assert table.rows_read == n_valid + len(INVALID)


@pytest.mark.parametrize("i", range(len(INVALID)), ids=[f"{c}-{r}" for c, _, r in INVALID])
def test_each_invalid_row_is_rejected_with_its_rule(cb, mixed, i):
    column, value, rule = INVALID[i]
    n_valid, table = mixed
    row = first_data_row(cb.tables["cases"]) + n_valid + i
    rejected = table.rejected[table.rejected["row"] == row]
    assert rule in set(rejected["rule"]), rejected.to_dict("records")
    assert (rejected["sheet"] == cb.tables["cases"].sheet).all()
    if value is None:  # a blank rejects the row exactly where the instructions say so
        blank_rejected = rule in ("missing_value", "missing_case_ref")
        assert must_be_filled(cb.variable("cases", column), cb) == blank_rejected


def test_iq_entries_the_template_warns_about_but_allows_are_read(tmp_path, cb):
    """The IQ column warns outside whole numbers but lets a range or "unmeasurable" through."""
    iq = cb.variable("cases", "iq")
    rows = _valid_rows(cb, 3)
    rows[1]["iq"] = f"{iq.min + 30}～{iq.min + 35}"
    rows[2]["iq"] = iq.unmeasurable[0]
    cases = _ingest(tmp_path, cb, rows).tables["cases"].clean.sort_values("center_id")
    assert cases["iq_status"].astype(str).tolist() == ["measured", "range", "unmeasurable"]
    assert cases["iq"].iloc[1] == iq.min + 32.5
    assert cases["iq"].isna().tolist() == [False, False, True]
