"""Ingestion of small hand-written raw folders (tests/data/ingest): every acceptance and
every error of FORMAT.md, each asserting the rule and its location (file, sheet, row, column).
"""

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from teichaku.codebook import load_codebook
from teichaku.ingest.errors import IngestError
from teichaku.ingest.survey import check_rejected_share, ingest_survey
from teichaku.schemas import table_schema

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
CB = load_codebook()
KEY = b"test-key"


def raw_folder(tmp_path: Path, *case_files: str) -> Path:
    """A raw folder with the test roster and awareness and the given cases files."""
    raw = tmp_path / "raw"
    (raw / "cases").mkdir(parents=True)
    shutil.copy(DATA / "roster.csv", raw)
    shutil.copy(DATA / "awareness.csv", raw)
    for name in case_files:
        shutil.copy(DATA / "cases" / name, raw / "cases")
    return raw


def located(result, table="cases"):
    rej = result.tables[table].rejected
    return sorted(
        zip(rej["file"], rej["sheet"], rej["row"], rej["column"], rej["rule"], strict=True)
    )


# file -> the failures expected: (row, column as in the file, rule); row 2 is always valid
ERRORS = {
    "err_unknown_center.csv": [(3, "センター番号", "unknown_center")],
    "err_invalid_center_id.csv": [(3, "センター番号", "invalid_center_id")],
    "err_missing_value.csv": [(3, "センター番号", "missing_value")],
    "err_missing_case_ref.csv": [(3, "対象者番号", "missing_case_ref")],
    "err_end_before_start.csv": [(3, "フォローアップ終了日", "end_before_start")],
    "err_end_present_for_continuing.csv": [
        (3, "フォローアップ終了日", "end_present_for_continuing")
    ],
    "err_end_missing_for_ended.csv": [(3, "フォローアップ終了日", "end_missing_for_ended")],
    "err_reason_missing_for_ended.csv": [(3, "終了理由", "reason_missing_for_ended")],
    "err_reason_present_for_continuing.csv": [(3, "終了理由", "reason_present_for_continuing")],
    "err_conflicting_duplicate_ref.csv": [
        (3, "対象者番号", "conflicting_duplicate_ref"),
        (4, "対象者番号", "conflicting_duplicate_ref"),
    ],
    "err_out_of_range.csv": [(3, "相談時年齢", "out_of_range")],
    "err_invalid_integer.csv": [(3, "刑務所入所回数", "invalid_integer")],
    "err_invalid_date.csv": [(3, "釈放日", "invalid_date")],
    "err_date_out_of_range.csv": [
        (3, "釈放日", "date_out_of_range"),
        (4, "フォローアップ開始日", "date_out_of_range"),
    ],
    "err_invalid_mark.csv": [(3, "対応:定期的な訪問・面談", "invalid_mark")],
    "err_invalid_category.csv": [(3, "釈放時の帰住先", "invalid_category")],
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_each_error_is_rejected_with_its_rule_and_location(tmp_path, name):
    result = ingest_survey(raw_folder(tmp_path, name), CB, KEY)
    expected = sorted((f"cases/{name}", "", row, col, rule) for row, col, rule in ERRORS[name])
    assert located(result) == expected
    cases = result.tables["cases"]
    rejected_rows = len({row for row, _, _ in ERRORS[name]})
    assert (cases.rows_read, cases.rows_valid, cases.rows_rejected, cases.rows_duplicate) == (
        1 + rejected_rows,
        1,
        rejected_rows,
        0,
    )


@pytest.mark.slow
def test_rejected_rows_carry_raw_value_and_messages_but_mask_case_refs(tmp_path):
    result = ingest_survey(
        raw_folder(tmp_path, "err_invalid_date.csv", "err_conflicting_duplicate_ref.csv"), CB, KEY
    )
    rej = result.tables["cases"].rejected.set_index("rule")
    assert rej.loc["invalid_date", "value"] == "令和2年2月30日"
    assert rej.loc["invalid_date", "message_en"].startswith("not a date")
    assert set(rej.loc["conflicting_duplicate_ref", "value"]) == {"<masked>"}
    everything = pd.concat(
        [result.rejected().astype(str), result.tables["cases"].clean.astype(str)]
    )
    assert not everything.isin(["A001", "A002"]).any().any()


def test_exact_and_respelled_repeats_are_kept_once_and_counted(tmp_path):
    result = ingest_survey(raw_folder(tmp_path, "dup_exact.csv"), CB, KEY)
    cases = result.tables["cases"]
    assert (cases.rows_read, cases.rows_valid, cases.rows_rejected, cases.rows_duplicate) == (
        3,
        1,
        0,
        2,
    )


def test_warnings_keep_the_row_and_set_a_flag(tmp_path):
    clean = ingest_survey(raw_folder(tmp_path, "warnings.csv"), CB, KEY).tables["cases"].clean
    assert len(clean) == 5
    flags = clean.filter(like="warn_").sum().to_dict()
    assert flags == {
        "warn_start_before_release": 1,
        "warn_end_outside_cohort_fy": 1,
        "warn_deceased_without_death": 1,
        "warn_death_not_deceased": 1,
    }


def test_every_spelling_of_format_md_is_accepted(tmp_path):
    result = ingest_survey(raw_folder(tmp_path, "acc_spellings.csv", "acc_minimal.csv"), CB, KEY)
    cases = result.tables["cases"]
    assert cases.rejected.empty and cases.rows_valid == 6
    assert [s.extra_columns for s in cases.sheets] == [[], ["備考"]]  # sorted by file name
    c = cases.clean
    assert sorted(c["center_id"]) == ["C01", "C01", "C01", "C02", "C02", "C02"]
    assert sorted(c["iq_status"].astype(str)) == [
        "measured",
        "measured",
        "range",
        "range",
        "unknown",
        "unmeasurable",
    ]
    assert sorted(c["iq"].dropna()) == [52.5, 52.5, 60.0, 98.0]
    assert c["release_date"].min() == pd.Timestamp("2019-04-01")  # H31.4.1
    assert pd.Timestamp("2020-04-01") in set(c["release_date"])  # 平成32年4月1日
    # marks: blank = False where the column exists, <NA> where it does not (acc_minimal)
    minimal = c[c["cohort"].eq("r2_continuing") & c["center_id"].eq("C02")]
    assert minimal["act_daily_life"].isna().all() and minimal["contacts"].isna().all()
    assert c["act_daily_life"].notna().sum() == 5
    assert c["act_daily_life"].sum() == 1 and c["link_money"].sum() == 1


@pytest.mark.slow
def test_clean_tables_follow_the_schemas(tmp_path):
    result = ingest_survey(raw_folder(tmp_path, "valid.csv", "acc_spellings.csv"), CB, KEY)
    for name, table in result.tables.items():
        table_schema(CB, name, ["C01", "C02", "C03"]).validate(table.clean)
    roster = result.tables["roster"].clean
    assert list(roster["center_id"]) == ["C01", "C02", "C03"]
    assert list(roster["n_target"]) == [10, 5, 0]
    assert list(roster["member"]) == [True, True, False]
    assert list(roster["responded"]) == [True, True, False]
    aw = result.tables["awareness"].clean
    assert aw.set_index("center_id").loc["C01"].tolist() == [
        True,
        True,
        True,
        False,
        False,
        True,
        False,
        True,
    ]


def test_case_id_is_the_hmac_of_center_and_reference(tmp_path):
    from teichaku.pseudonym import case_id

    clean = ingest_survey(raw_folder(tmp_path, "valid.csv"), CB, KEY).tables["cases"].clean
    assert set(clean["case_id"]) == {case_id(KEY, "C01", "A001"), case_id(KEY, "C02", "A001")}
    assert "case_ref" not in clean.columns


def test_same_reference_in_two_centers_is_two_cases(tmp_path):
    clean = ingest_survey(raw_folder(tmp_path, "valid.csv"), CB, KEY).tables["cases"].clean
    assert clean["case_id"].nunique() == 2


# --- encodings and file failures ------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_encodings(tmp_path, encoding):
    raw = raw_folder(tmp_path)
    text = (DATA / "cases" / "valid.csv").read_text(encoding="utf-8")
    (raw / "cases" / "enc.csv").write_bytes(text.encode(encoding))
    result = ingest_survey(raw, CB, KEY)
    assert result.tables["cases"].rows_valid == 2
    assert result.tables["cases"].sheets[0].encoding == (
        "cp932" if encoding == "cp932" else "utf-8-sig"
    )


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("bad.csv", b"\xff\xfe\xfa\xfb\x80\x81", "undecodable_text"),
        ("empty.csv", b"", "empty_file"),
        ("blank.csv", b"\r\n \r\n", "empty_file"),
        ("broken.xlsx", b"PK\x03\x04 this is not a workbook", "unreadable_workbook"),
        ("text.xlsx", b"hello", "unreadable_workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "unsupported_file_type"),
    ],
)
def test_unreadable_files_stop_with_one_message_naming_the_file(tmp_path, name, content, rule):
    raw = raw_folder(tmp_path, "valid.csv")
    (raw / "cases" / name).write_bytes(content)
    with pytest.raises(IngestError, match=rule) as err:
        ingest_survey(raw, CB, KEY)
    assert err.value.rule == rule
    assert f"cases/{name}" in str(err.value)


def test_missing_required_column_stops_naming_file_and_column(tmp_path):
    raw = raw_folder(tmp_path, "err_missing_column.csv")
    with pytest.raises(IngestError) as err:
        ingest_survey(raw, CB, KEY)
    message = str(err.value)
    assert "cases/err_missing_column.csv" in message
    assert "性別" in message and "釈放時の帰住先" in message


def test_missing_roster_is_named(tmp_path):
    raw = raw_folder(tmp_path, "valid.csv")
    (raw / "roster.csv").unlink()
    with pytest.raises(IngestError, match=r"roster\.xlsx"):
        ingest_survey(raw, CB, KEY)


def test_lock_files_and_notes_in_cases_are_ignored_and_listed(tmp_path):
    raw = raw_folder(tmp_path, "valid.csv")
    (raw / "cases" / "~$valid.xlsx").write_bytes(b"lock")
    (raw / "cases" / "README.txt").write_text("notes")
    result = ingest_survey(raw, CB, KEY)
    assert result.ignored_files == ["cases/README.txt", "cases/~$valid.xlsx"]


def test_rejected_share_above_the_limit_stops(tmp_path):
    from teichaku.ingest.report import summary

    result = ingest_survey(raw_folder(tmp_path, "err_invalid_date.csv"), CB, KEY)
    data = summary(result.tables, result.ignored_files)
    assert data["rejected_share_cases"] == 0.5
    check_rejected_share(data, 0.5)
    with pytest.raises(IngestError, match=r"1 of 2 case rows rejected"):
        check_rejected_share(data, 0.05)


# --- xlsx -------------------------------------------------------------------------------------


def _cases_rows():
    lines = (DATA / "cases" / "valid.csv").read_text(encoding="utf-8").splitlines()
    return [line.split(",") for line in lines]


@pytest.mark.slow
def test_xlsx_two_row_header_merged_groups_excel_dates_and_sheet_choice(tmp_path):
    raw = raw_folder(tmp_path)
    header, *rows = _cases_rows()
    plain = header[:21]
    wb = openpyxl.Workbook()
    wb.active.title = "記入例"
    wb.active.append(["this sheet is not data"])
    ws = wb.create_sheet("対象者")
    ws.append(["令和3年度 フォローアップ実態調査"])
    ws.append([*plain, "対応", None, "課題", None])
    ws.append(
        [None] * len(plain)
        + [
            "定期的な訪問・面談",
            "生活支援",
            "関係機関の協力が得られない",
            "安定したサービス利用に繋がらない",
        ]
    )
    for j in range(1, len(plain) + 1):  # ungrouped labels merged over both header rows
        ws.merge_cells(start_row=2, start_column=j, end_row=3, end_column=j)
    n = len(plain)
    ws.merge_cells(start_row=2, start_column=n + 1, end_row=2, end_column=n + 2)
    ws.merge_cells(start_row=2, start_column=n + 3, end_row=2, end_column=n + 4)
    for row in rows:
        values = [*row[:21], "〇", None, None, "✓"]
        values[5] = int(values[5])  # numbers as numbers
        values[12] = dt.datetime.strptime(values[12], "%Y/%m/%d")  # an Excel date cell
        ws.append(values)
    ws.append([])
    ws.append(["C01", "A009", 2, "特別", "男", 70])  # row 7: incomplete ended case
    wb.save(raw / "cases" / "c.xlsx")
    result = ingest_survey(raw, CB, KEY)
    cases = result.tables["cases"]
    assert cases.rows_valid == 2 and cases.rows_read == 3
    assert {(s.file, s.sheet) for s in cases.sheets} == {("cases/c.xlsx", "対象者")}
    assert sorted(set(located(result))) == [
        ("cases/c.xlsx", "対象者", 7, "フォローアップ終了日", "end_missing_for_ended"),
        ("cases/c.xlsx", "対象者", 7, "終了理由", "reason_missing_for_ended"),
    ]
    clean = cases.clean.sort_values("age")
    assert clean["release_date"].tolist() == [
        pd.Timestamp("2020-06-01"),
        pd.Timestamp("2020-04-10"),
    ]
    assert clean["act_regular_contact"].tolist() == [True, True]
    assert clean["act_daily_life"].tolist() == [False, False]
    assert clean["barrier_no_stable_service"].tolist() == [True, True]
    assert clean["act_trouble"].isna().all()


# --- roster and awareness -----------------------------------------------------------------------


def test_roster_and_awareness_rules(tmp_path):
    raw = raw_folder(tmp_path, "valid.csv")
    roster = (DATA / "roster.csv").read_text(encoding="utf-8")
    roster += "C49,沖縄県,その他,会員,1,回答\n"  # row 7: beyond C48
    roster += "C03,岩手県,NPO法人,会員,0,未回答\n"  # row 8: C03 again, other content
    roster += "C02,青森県,済生会,○,5,回答\n"  # row 9: C02 again, same content
    (raw / "roster.csv").write_text(roster, encoding="utf-8")
    awareness = (DATA / "awareness.csv").read_text(encoding="utf-8")
    (raw / "awareness.csv").write_text(
        awareness + "C09,〇,,,,,,,\nC01,〇,,,,,,,△\n", encoding="utf-8"
    )
    result = ingest_survey(raw, CB, KEY)
    assert located(result, "roster") == [
        ("roster.csv", "", 6, "センター番号", "conflicting_duplicate_center"),
        ("roster.csv", "", 7, "センター番号", "out_of_range"),
        ("roster.csv", "", 8, "センター番号", "conflicting_duplicate_center"),
    ]
    roster_result = result.tables["roster"]
    assert (
        roster_result.rows_read,
        roster_result.rows_valid,
        roster_result.rows_rejected,
        roster_result.rows_duplicate,
    ) == (6, 2, 3, 1)
    assert located(result, "awareness") == [
        ("awareness.csv", "", 2, "センター番号", "conflicting_duplicate_center"),
        ("awareness.csv", "", 4, "センター番号", "unknown_center"),
        ("awareness.csv", "", 5, "センター番号", "conflicting_duplicate_center"),
        ("awareness.csv", "", 5, "長期化の理由:受入施設等から継続的関与を希望", "invalid_mark"),
    ]
    # cases of a center whose roster rows conflict are still known to the roster
    assert result.tables["cases"].rows_valid == 2


def test_a_header_without_rows_and_short_rows(tmp_path):
    raw = raw_folder(tmp_path)
    header = (DATA / "cases" / "valid.csv").read_text(encoding="utf-8").splitlines()[0]
    (raw / "cases" / "empty_table.csv").write_text(header + "\n", encoding="utf-8")
    (raw / "cases" / "short.csv").write_text(header + "\nC01,S-1,3\n", encoding="utf-8")
    result = ingest_survey(raw, CB, KEY)
    cases = result.tables["cases"]
    assert [s.rows_read for s in cases.sheets] == [0, 1]
    assert cases.rows_valid == 1 and cases.clean["age"].isna().all()
    assert cases.clean["act_regular_contact"].tolist() == [False]  # present and blank: no


@pytest.mark.parametrize(
    ("cell", "value"),
    [("1,000", 1000), ("１，０００", 1000), ("1,200件", 1200), ("12,345,678", 12345678),
     ("65 歳", 65), (" 65 ", 65), (65.0, 65)],
)  # fmt: skip
def test_integers_with_digit_grouping_in_valid_positions(cell, value):
    from teichaku.ingest.values import parse_integer

    assert parse_integer(cell, units=("歳", "件")) == value


@pytest.mark.parametrize("cell", ["1,2", "1 2", "6 5", "12,34", "1,0000", "１　２", "1,000,00"])
def test_digits_apart_are_not_one_number(cell):
    from teichaku.ingest.values import CellError, parse_integer

    with pytest.raises(CellError, match="invalid_integer"):
        parse_integer(cell)


def test_iq_digits_apart_are_an_error_and_ranges_still_read():
    from teichaku.ingest.values import CellError, parse_iq

    assert parse_iq("50 ～ 55", minimum=20, maximum=150, unmeasurable=frozenset()) == (
        52.5,
        "range",
    )
    with pytest.raises(CellError, match="invalid_integer"):
        parse_iq("7 0", minimum=20, maximum=150, unmeasurable=frozenset())


@pytest.mark.parametrize(
    ("text", "undefined"),
    [("山田", False), ("A-1", False), ("\ue000", True), ("髙\U000f0001", True),
     ("\U000e0080", True), ("𠮷", False)],
)  # fmt: skip
def test_undefined_characters(text, undefined):
    from teichaku.ingest.values import undefined_character

    assert undefined_character(text) is undefined
