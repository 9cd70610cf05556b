"""The data-entry workbook has FORMAT.md's sheets and headers, validates every entry column as
the codebook says, and is byte-identical across runs."""

import datetime as dt
import io
import os
import subprocess
import sys
import zipfile

import pytest
from openpyxl import load_workbook

from teichaku.codebook import load_codebook
from teichaku.dictionary import value_levels
from teichaku.template import (
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    ZIP_TIMESTAMP,
    build_template,
    dropdown_options,
    first_data_row,
    workbook_bytes,
)

ROWS = 20  # entry rows with validations in these tests


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def data(cb):
    return workbook_bytes(build_template(cb, rows=ROWS))


@pytest.fixture(scope="module")
def wb(data):
    return load_workbook(io.BytesIO(data))


def _merged_at(ws, row, col):
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return rng
    return None


def _validation_of(ws, cell):
    found = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(found) <= 1, cell
    return found[0] if found else None


def _list_values(wb, dv):
    """The options of a list validation that refers to a defined name on the lists sheet."""
    ref = wb.defined_names[dv.formula1].attr_text
    sheet, cells = ref.split("!")
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_sheets(cb, wb):
    sheets = [t.sheet for t in cb.tables.values()]
    assert wb.sheetnames == [INSTRUCTIONS_SHEET, *sheets, LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert wb.active.title == INSTRUCTIONS_SHEET


def test_headers_are_those_of_the_codebook_with_merged_groups(cb, wb):
    for table in cb.tables.values():
        ws = wb[table.sheet]
        for col, var in enumerate(table.variables.values(), start=1):
            top = ws.cell(HEADER_ROW, col)
            if var.group is None:
                assert top.value == var.header
                if table.groups:  # a two-row header: the label spans both rows
                    rng = _merged_at(ws, HEADER_ROW, col)
                    assert (rng.min_row, rng.max_row, rng.min_col, rng.max_col) == (
                        HEADER_ROW, HEADER_ROW + 1, col, col)  # fmt: skip
                continue
            assert ws.cell(HEADER_ROW + 1, col).value == var.item
            rng = _merged_at(ws, HEADER_ROW, col)
            items = table.group_variables(var.group)
            assert ws.cell(rng.min_row, rng.min_col).value == table.groups[var.group].header
            assert rng.max_col - rng.min_col + 1 == len(items)
        assert ws.cell(HEADER_ROW, len(table.variables) + 1).value is None
        assert ws.cell(first_data_row(table), 1).value is None


def test_every_entry_column_is_validated_as_the_codebook_says(cb, wb):
    for table in cb.tables.values():
        ws = wb[table.sheet]
        first, last = first_data_row(table), first_data_row(table) + ROWS - 1
        for col, var in enumerate(table.variables.values(), start=1):
            letter = ws.cell(1, col).column_letter
            dv = _validation_of(ws, f"{letter}{first}")
            assert _validation_of(ws, f"{letter}{last}") is dv
            assert _validation_of(ws, f"{letter}{last + 1}") is None
            assert _validation_of(ws, f"{letter}{first - 1}") is None
            if var.type in ("category", "boolean", "mark", "center_id"):
                assert dv.type == "list", var.name
                assert _list_values(wb, dv) == dropdown_options(var, cb), var.name
            elif var.type in ("integer", "iq"):
                assert (dv.type, dv.formula1, dv.formula2) == ("whole", str(var.min), str(var.max))
            elif var.type == "date":
                lo, hi = cb.date_min, cb.survey["period_end"]
                assert dv.type == "date"
                assert dv.formula1 == f"DATE({lo.year},{lo.month},{lo.day})"
                assert dv.formula2 == f"DATE({hi.year},{hi.month},{hi.day})"
            elif var.type == "text":
                assert dv.type == "custom" and "COUNTIFS" in dv.formula1
            if dv is not None:
                assert dv.allow_blank and dv.showErrorMessage


def test_dropdown_options_are_accepted_spellings(cb):
    for table in cb.tables.values():
        for var in table.variables.values():
            options = dropdown_options(var, cb)
            if var.type == "center_id":
                assert options[0] == "C01" and len(options) == var.max
            elif var.type == "mark":
                assert set(options) <= set(cb.mark_yes)
            elif var.type in ("category", "boolean"):
                levels = value_levels(var, cb)
                assert len(options) == len(levels)
                for option, level in zip(options, levels, strict=True):
                    assert option in level.spellings, (var.name, option)


def test_instructions_name_every_column(cb, wb):
    ws = wb[INSTRUCTIONS_SHEET]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for table in cb.tables.values():
        assert f"シート「{table.sheet}」" in text
        for var in table.variables.values():
            assert (var.item or var.header) in text, var.name
    assert cb.survey["reference_date"].strftime("%Y/%m/%d") in text


def test_no_time_of_creation_in_the_file(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {info.date_time for info in zf.infolist()} == {ZIP_TIMESTAMP}
    props = load_workbook(io.BytesIO(data)).properties
    assert props.created == props.modified == dt.datetime(*ZIP_TIMESTAMP)


@pytest.mark.slow
def test_byte_identical_across_processes_and_hash_seeds(data):
    code = (
        "import sys; from teichaku.codebook import load_codebook;"
        "from teichaku.template import build_template, workbook_bytes;"
        f"sys.stdout.buffer.write(workbook_bytes(build_template(load_codebook(), rows={ROWS})))"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True)
        assert out.stdout == data


def test_the_center_list_is_the_rounds_roster_when_there_is_one(cb):
    """A round's template offers the centers of its roster; without one, every number."""
    roster = ["C02", "C05", "C11"]
    book = load_workbook(io.BytesIO(workbook_bytes(build_template(cb, ROWS, centers=roster))))
    ws = book[cb.tables["cases"].sheet]
    column = list(cb.tables["cases"].variables).index("center_id") + 1
    cell = ws.cell(first_data_row(cb.tables["cases"]), column).coordinate
    assert _list_values(book, _validation_of(ws, cell)) == roster
    var = cb.variable("cases", "center_id")
    assert dropdown_options(var, cb) == [f"C{i:02d}" for i in range(1, var.max + 1)]
