"""The data dictionary lists every codebook variable with everything a reader needs, and is
generated from the codebook rather than typed in."""

import copy
import csv
import io

import pytest
import yaml

from teichaku.codebook import DEFAULT_PATH, load_codebook, parse_codebook
from teichaku.dictionary import (
    COLUMNS,
    blank_means,
    dictionary_rows,
    missing_spellings,
    must_be_filled,
    render_csv,
    render_markdown,
    value_levels,
    write_dictionary,
)


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def raw_codebook():
    with open(DEFAULT_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def rows(cb):
    return {(r["table"], r["variable"]): r for r in csv.DictReader(io.StringIO(render_csv(cb)))}


def _variables(cb):
    return [var for table in cb.tables.values() for var in table.variables.values()]


def test_one_csv_row_per_variable_with_every_column(cb, rows):
    assert len(rows) == len(_variables(cb))
    for var in _variables(cb):
        row = rows[(var.table, var.name)]
        assert set(row) == set(COLUMNS)
        assert (row["header"], row["label_ja"], row["label_en"], row["type"]) == (
            var.header, var.label_ja, var.label_en, var.type)  # fmt: skip
        assert row["aliases"].split(", ") == list(var.aliases) or not var.aliases


def test_every_level_and_raw_spelling_is_listed(cb, rows):
    for var in _variables(cb):
        row = rows[(var.table, var.name)]
        for level in value_levels(var, cb):
            assert f"{level.code}=" in row["values"], (var.name, level.code)
            listed = row["spellings"].split(f"{level.code}: ", 1)[1].split("; ")[0].split(", ")
            assert set(level.spellings) <= set(listed), (var.name, level.code)


def test_missing_codes_are_listed_except_where_blank_means_no(cb, rows):
    for var in _variables(cb):
        missing = rows[(var.table, var.name)]["missing"]
        if var.type == "mark":
            assert "blank means no" in missing
            continue
        if must_be_filled(var, cb):
            assert "rejects the row" in missing
            continue
        assert all(code in missing for code in missing_spellings(var, cb)), var.name
        assert missing.startswith("blank") == (blank_means(var) == "missing"), var.name


def test_the_center_key_and_cohort_must_be_filled(cb):
    filled = {(v.table, v.name) for v in _variables(cb) if must_be_filled(v, cb)}
    assert filled == {
        ("roster", "center_id"),
        ("awareness", "center_id"),
        ("cases", "center_id"),
        ("cases", "case_ref"),
        ("cases", "cohort"),
    }


def test_welfare_dash_is_missing_and_member_blank_is_no(cb, rows):
    welfare = cb.variable("cases", "welfare")
    no = next(lv for lv in value_levels(welfare, cb) if lv.code == "false")
    assert "-" not in no.spellings and "-" in missing_spellings(welfare, cb)
    assert blank_means(welfare) == "missing"
    member = cb.variable("roster", "member")
    assert blank_means(member) == "false"
    assert "(blank)" in rows[("roster", "member")]["spellings"].split("false: ")[1]


def test_numbers_and_dates_show_their_limits(cb, rows):
    age = cb.variable("cases", "age")
    assert rows[("cases", "age")]["range"] == f"{age.min}–{age.max}"
    assert rows[("cases", "age")]["units"] == ", ".join(age.units)
    start = rows[("cases", "followup_start")]["range"]
    assert start == f"{cb.date_min} … {cb.survey['period_end']}"


def test_markdown_has_a_well_formed_row_per_variable_and_value_set_level(cb):
    md = render_markdown(cb)
    for var in _variables(cb):
        line = next(ln for ln in md.splitlines() if ln.startswith(f"| `{var.name}`"))
        header_cells = 9
        assert line.count(" | ") == header_cells - 1, line
        assert var.header in line
    for name, levels in cb.value_sets.items():
        assert f'id="value-set-{name}"' in md
        for level in levels:
            assert f"| `{level.code}` | {level.ja} | {level.en} |" in md


def test_output_follows_the_codebook(raw_codebook):
    changed = copy.deepcopy(raw_codebook)
    changed["tables"]["cases"]["variables"]["sex"]["values"]["male"]["spellings"].append("おとこ")
    changed["missing_codes"].append("わからない")
    cb = parse_codebook(changed)
    rows = {r["variable"]: r for r in dictionary_rows(cb) if r["table"] == "cases"}
    assert "おとこ" in rows["sex"]["spellings"]
    assert "わからない" in rows["age"]["missing"]
    assert "おとこ" in render_markdown(cb)


def test_written_files_are_identical_across_runs(cb, tmp_path):
    outputs = []
    for run in ("a", "b"):
        md, csv_path = tmp_path / run / "codebook.md", tmp_path / run / "codebook.csv"
        write_dictionary(cb, md, csv_path)
        outputs.append((md.read_bytes(), csv_path.read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][1].startswith("\ufeff".encode())  # Excel needs the BOM for Japanese
