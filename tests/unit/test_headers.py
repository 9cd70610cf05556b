"""Header detection: title rows, aliases, normalisation, one- and two-row grouped headers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teichaku.codebook import load_codebook
from teichaku.ingest.errors import IngestError
from teichaku.ingest.headers import HeaderIndex, find_header

CB = load_codebook()
CASES = CB.tables["cases"]
AWARENESS = CB.tables["awareness"]
INDEX = HeaderIndex.build(CASES, CB)
REQUIRED = [v.header for v in CASES.variables.values() if v.required]


@pytest.mark.parametrize(
    ("label", "variable"),
    [
        ("ＩＱ相当値", "iq"),
        ("IQ 相当値", "iq"),
        ("IQ", "iq"),
        ("出所日", "release_date"),
        (" 対象者Ｎｏ ", "case_ref"),
        ("対応:定期的な訪問・面談", "act_regular_contact"),
        ("対応：定期的な訪問・面談", "act_regular_contact"),
        ("対応・定期的な訪問・面談", "act_regular_contact"),
        ("対応_定期的な訪問・面談", "act_regular_contact"),
        ("対応/定期的な訪問・面談", "act_regular_contact"),
        ("対応／定期的な訪問・面談", "act_regular_contact"),
        ("対応\n定期的な訪問・面談", "act_regular_contact"),
        ("対応\r\n定期的な訪問・面談", "act_regular_contact"),
        ("身元引受的な対応・入院・手術", "guar_hospital"),
        ("センターの対応状況：トラブル対応", "act_trouble"),
        ("支援上の課題 / 本人が定着以外の関与を拒否", "barrier_refuses_other_support"),
        ("備考", None),
        ("対応:存在しない項目", None),
    ],
)
def test_one_row_labels(label, variable):
    assert INDEX.match(label) == variable


@given(st.sampled_from([*list(CB.group_separators), "\n"]))
def test_items_with_a_middle_dot_split_at_the_group(sep):
    index = HeaderIndex.build(AWARENESS, CB)
    assert index.match(f"必要な連携先{sep}ケアマネ・包括支援センター") == "need_care_manager"


def test_title_rows_above_the_header_and_any_column_order():
    rows = [
        ("令和3年度 フォローアップ実態調査 ○○県地域生活定着支援センター",),
        (),
        (None, "記入者:"),
        (*tuple(reversed(REQUIRED)), "メモ"),
        ("data",),
    ]
    header = find_header(rows, CASES, CB, "f.xlsx")
    assert header.data_start == 4
    assert header.columns["center_id"] == len(REQUIRED) - 1
    assert header.extras == ["メモ"]


def test_two_row_header_with_merged_group_cells():
    first = [*REQUIRED, "対応", None, "課題", None, "支援回数"]
    second = [None] * len(REQUIRED) + [
        "定期的な訪問・面談",
        "トラブル対応",
        "関係機関の協力が得られない",
        "本人が定着以外の関与を拒否",
        None,
    ]
    rows = [("タイトル",), tuple(first), tuple(second), ("C01",)]
    header = find_header(rows, CASES, CB, "f.xlsx")
    n = len(REQUIRED)
    assert header.data_start == 3
    assert header.columns["act_regular_contact"] == n
    assert header.columns["act_trouble"] == n + 1
    assert header.columns["barrier_no_agency_cooperation"] == n + 2
    assert header.columns["barrier_refuses_other_support"] == n + 3
    assert header.columns["contacts"] == n + 4
    assert header.labels["act_trouble"] == "対応:トラブル対応"


def test_missing_required_column_names_file_and_column():
    rows = [tuple(h for h in REQUIRED if h != "性別")]
    with pytest.raises(IngestError, match=r"f\.csv.*性別"):
        find_header(rows, CASES, CB, "f.csv")


def test_no_header_row_names_the_key_column():
    with pytest.raises(IngestError, match=r"f\.csv.*対象者番号"):
        find_header([("a", "b"), ("c",)], CASES, CB, "f.csv")


def test_a_column_given_twice_is_an_error():
    rows = [(*REQUIRED, "年齢")]
    with pytest.raises(IngestError, match="appears twice"):
        find_header(rows, CASES, CB, "f.csv")


def test_a_column_headed_with_a_group_word_keeps_a_one_row_header():
    from teichaku.codebook import load_codebook
    from teichaku.ingest.headers import find_header

    codebook = load_codebook()
    table = codebook.tables["cases"]
    header = [table.variables[v].header for v in table.variables if table.variables[v].required]
    rows = [
        [*header, "課題"],
        ["C01", "A001", *(["x"] * (len(header) - 2)), "関係機関の協力が得られない"],
    ]
    found = find_header(rows, table, codebook, "f.csv")
    assert found.data_start == 1 and found.extras == ["課題"]
