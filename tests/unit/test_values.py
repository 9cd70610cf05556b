"""Cell parsers: every spelling FORMAT.md allows parses back to its value; everything else
names the rule it breaks."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teichaku.codebook import load_codebook
from teichaku.ingest import values as V
from teichaku.ingest.parsers import cell_parser

CB = load_codebook()
EARLIEST, LATEST = CB.date_min, CB.survey["period_end"]
MISSING = V.spelling_set(CB.missing_codes)
YES, NO = V.spelling_set(CB.mark_yes), V.spelling_set(CB.mark_no)


def parse_date(value):
    return V.parse_date(value, eras=CB.eras, earliest=EARLIEST, latest=LATEST, missing=MISSING)


def to_fullwidth(text: str) -> str:
    """ASCII digits and letters to their full-width forms (NFKC maps them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def era_of(date: dt.date) -> tuple[str, str, int]:
    """(kanji era, abbreviation, era year) of a date from the codebook's eras."""
    for name, spec in sorted(CB.eras.items(), key=lambda kv: str(kv[1]["start"]), reverse=True):
        if date >= dt.date.fromisoformat(str(spec["start"])):
            return name, spec["abbrev"], date.year - spec["offset"]
    raise AssertionError("no era")


def spellings(date: dt.date) -> list[object]:
    y, m, d = date.year, date.month, date.day
    era, abbrev, ey = era_of(date)
    era_year = "元" if ey == 1 else str(ey)
    out = [
        date,
        dt.datetime(y, m, d),
        f"{y}/{m}/{d}",
        f"{y}-{m:02d}-{d:02d}",
        f"{y}.{m}.{d}",
        f"{y}{m:02d}{d:02d}",
        f"{era}{era_year}年{m}月{d}日",
        f"{abbrev}{ey}.{m}.{d}",
        f"{abbrev}{ey}/{m}/{d}",
        f"{era}{ey}年{m}月{d}日",
    ]
    return out + [to_fullwidth(s) for s in out if isinstance(s, str)]


@given(st.dates(min_value=EARLIEST, max_value=LATEST))
def test_any_valid_date_in_any_spelling_parses_back(date):
    for spelling in spellings(date):
        assert parse_date(spelling) == date, spelling


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和2年3月15日", dt.date(2020, 3, 15)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("平成31年4月1日", dt.date(2019, 4, 1)),
        ("平成32年4月1日", dt.date(2020, 4, 1)),  # = 令和2年, allowed
        ("R2.3.15", dt.date(2020, 3, 15)),
        ("r2/3/15", dt.date(2020, 3, 15)),
        ("H31.4.1", dt.date(2019, 4, 1)),
        (" 2020/3/15 ", dt.date(2020, 3, 15)),
        ("2020-03-15 00:00:00", dt.date(2020, 3, 15)),
    ],
)
def test_date_examples_of_format_md(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("令和2年2月30日", "invalid_date"),
        ("2021/2/29", "invalid_date"),
        ("2020/13/1", "invalid_date"),
        ("昨年の春", "invalid_date"),
        ("2020/3", "invalid_date"),
        ("1999/12/31", "date_out_of_range"),
        ("2021/12/8", "date_out_of_range"),
        ("令和4年1月1日", "date_out_of_range"),
        (dt.datetime(1998, 1, 1), "date_out_of_range"),
    ],
)
def test_bad_dates_name_their_rule(text, rule):
    with pytest.raises(V.CellError) as err:
        parse_date(text)
    assert err.value.rule == rule


@pytest.mark.parametrize("code", [None, "", "  ", *CB.missing_codes])
def test_missing_codes_mean_missing_for_dates_and_integers(code):
    assert parse_date(code) is None
    assert V.parse_integer(code, missing=MISSING) is None


@given(
    st.integers(min_value=14, max_value=110),
    st.sampled_from(["", "歳", "才"]),
    st.booleans(),
    st.booleans(),
)
def test_any_integer_with_or_without_unit_and_fullwidth_parses_back(n, unit, fullwidth, pad):
    text = f"{n}{unit}"
    text = to_fullwidth(text) if fullwidth else text
    text = f" {text} " if pad else text
    age = cell_parser(CB.variable("cases", "age"), CB)
    assert age(text) == n
    assert age(n) == n and age(float(n)) == n  # Excel number cells


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("六十五", "invalid_integer"),
        ("65.5", "invalid_integer"),
        ("65回", "invalid_integer"),
        ("120", "out_of_range"),
        ("13歳", "out_of_range"),
        ("-3", "out_of_range"),
    ],
)
def test_bad_integers_name_their_rule(text, rule):
    age = cell_parser(CB.variable("cases", "age"), CB)
    with pytest.raises(V.CellError) as err:
        age(text)
    assert err.value.rule == rule


@given(st.integers(20, 150), st.integers(20, 150), st.sampled_from(["～", "-", "〜", "~"]))
def test_iq_range_is_its_midpoint(a, b, sep):
    low, high = min(a, b), max(a, b)
    iq = cell_parser(CB.variable("cases", "iq"), CB)
    assert iq(f"{low}{sep}{high}") == ((low + high) / 2, "range")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("65", (65.0, "measured")),
        ("６５", (65.0, "measured")),
        (70, (70.0, "measured")),
        ("50～55", (52.5, "range")),
        ("測定不能", (None, "unmeasurable")),
        ("", (None, "unknown")),
        (None, (None, "unknown")),
        ("不明", (None, "unknown")),
    ],
)
def test_iq_status(cell, expected):
    assert cell_parser(CB.variable("cases", "iq"), CB)(cell) == expected


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("19", "out_of_range"),
        ("10～25", "out_of_range"),
        ("55～50", "invalid_integer"),
        ("高い", "invalid_integer"),
    ],
)
def test_bad_iq(text, rule):
    with pytest.raises(V.CellError) as err:
        cell_parser(CB.variable("cases", "iq"), CB)(text)
    assert err.value.rule == rule


@given(st.sampled_from(CB.mark_yes + CB.mark_no + ("", None)), st.booleans())
def test_marks(mark, fullwidth):
    text = to_fullwidth(mark) if (fullwidth and mark) else mark
    assert V.parse_mark(text, yes=YES, no=NO) is (mark in CB.mark_yes)


@pytest.mark.parametrize("text", ["△", "不明", "?", "2"])
def test_anything_else_is_an_invalid_mark(text):
    with pytest.raises(V.CellError) as err:
        V.parse_mark(text, yes=YES, no=NO)
    assert err.value.rule == "invalid_mark"


def test_every_codebook_spelling_parses_to_its_code():
    for table in CB.tables.values():
        for var in table.variables.values():
            if var.type != "category":
                continue
            parse = cell_parser(var, CB)
            for level in var.levels:
                for spelling in level.spellings:
                    assert parse(spelling) == level.code
                    assert parse(unicodedata.normalize("NFKC", spelling) + " ") == level.code


def test_category_missing_and_invalid():
    sex = cell_parser(CB.variable("cases", "sex"), CB)
    assert sex("不明") is None and sex("") is None
    with pytest.raises(V.CellError) as err:
        sex("不詳")
    assert err.value.rule == "invalid_category"


def test_welfare_blank_and_dash_are_missing_but_marks_count():
    welfare = cell_parser(CB.variable("cases", "welfare"), CB)
    assert welfare("") is None and welfare("-") is None and welfare("不明") is None
    assert welfare("受給") is True and welfare("有") is True and welfare("〇") is True
    assert welfare("非受給") is False and welfare("無") is False and welfare("×") is False


def test_roster_booleans_blank_is_no():
    member = cell_parser(CB.variable("roster", "member"), CB)
    assert member("会員") is True and member("非会員") is False
    assert member("○") is True and member("") is False


@given(
    st.integers(1, 99), st.sampled_from(["C{:02d}", "C{}", "{}", "{:02d}", "c{}"]), st.booleans()
)
def test_center_ids(n, fmt, fullwidth):
    text = fmt.format(n)
    text = to_fullwidth(text) if fullwidth else text
    assert V.parse_center_id(text) == f"C{n:02d}"


@pytest.mark.parametrize("text", ["センターA", "C", "C0", "0", "CX1"])
def test_bad_center_ids(text):
    with pytest.raises(V.CellError) as err:
        V.parse_center_id(text)
    assert err.value.rule == "invalid_center_id"
