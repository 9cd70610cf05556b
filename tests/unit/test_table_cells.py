"""The numbers behind the report tables' cells (teichaku.report.cells), the tidy CSV and
the table's JSON: every builder fills them, each number re-renders to the cell's display
text, and a suppressed cell carries its marker and nothing else."""

import io
import json
import re

import pandas as pd
import pytest
import report_fixtures as fx

from teichaku.report import cells as cl
from teichaku.report import tables as tb
from teichaku.report import tidy
from teichaku.report.cells import Kind
from teichaku.report.suppress import Privacy

pytestmark = pytest.mark.slow  # the fixture tables take seconds (their suppression)

P = Privacy(5)


@pytest.fixture(scope="module")
def bundle():
    return fx.bundle()


@pytest.fixture(scope="module", params=["ja", "en"])
def tables(request, bundle):
    return {t.name: t for t in fx.every_table(bundle, request.param)}


def _cells(table):
    return [c for row in table.cells.itertuples(index=False) for c in row]


def _render(cell) -> str:
    """The display of a number cell from its value and Excel number format alone."""
    fmt, v = cell.format, cell.value
    if cell.kind is Kind.ESTIMATE:
        assert fmt == "0.00"
        if cell.low is None:
            return f"{v:.2f}"
        return f"{v:.2f} ({cell.low:.2f}–{cell.high:.2f})"
    if fmt == "#,##0":
        return f"{v:,}"
    if fmt == "0":
        return str(v)
    if m := re.fullmatch(r"0\.(0+)", fmt):
        return f"{v:.{len(m.group(1))}f}"
    if m := re.fullmatch(r'0"/(\d+)"', fmt):
        assert int(m.group(1)) == cell.denominator
        return f"{v}/{cell.denominator}"
    if fmt == cl.P_VALUE:
        return "<0.001" if v < 0.001 else f"{v:.3f}"
    raise AssertionError(f"unknown number format {fmt!r}")


def test_every_builder_gives_every_cell_its_kind(tables):
    assert len(tables) == 6  # one table of each builder
    for table in tables.values():
        kinds = {c.kind for c in _cells(table)}
        assert Kind.NUMBER in kinds, table.name
        for row in table.cells.itertuples(index=False):
            assert all(c.kind is Kind.LABEL for c in row[: table.text_columns])
            assert all(c.kind is not Kind.LABEL for c in row[table.text_columns :])
    # the fixture survey is small enough for suppressed cells in tables 2 to 4b
    for name in ("table2_support_by_cohort", "table3_barriers", "table4_models"):
        assert Kind.SUPPRESSED in {c.kind for c in _cells(tables[name])}, name
    models = {c.kind for c in _cells(tables["table4_models"])}
    assert models >= {Kind.ESTIMATE, Kind.TEXT, Kind.EMPTY}
    assert Kind.ESTIMATE in {c.kind for c in _cells(tables["table4b_sensitivity_primary"])}


def test_every_number_renders_from_its_value_and_format_to_its_display(tables):
    checked = 0
    for table in tables.values():
        for cell in _cells(table):
            if cell.is_number:
                assert isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
                assert _render(cell) == cell.text, (table.name, cell)
                checked += 1
    assert checked > 300


def test_no_number_is_left_as_text(tables):
    numeric = re.compile(r"^-?[\d,]+(\.\d+)?$|^\d+/\d+$|^<0\.001$")
    for table in tables.values():
        for cell in _cells(table):
            if numeric.match(cell.text):
                assert cell.is_number, (table.name, cell)
            if cell.kind is Kind.TEXT:
                assert cell.value is None and cell.format is None


def test_a_suppressed_cell_carries_its_marker_and_no_number(tables):
    for table in tables.values():
        for cell in (c for c in _cells(table) if c.kind is Kind.SUPPRESSED):
            assert cell.text == P.marker
            assert (cell.value, cell.low, cell.high, cell.p, cell.denominator) == (None,) * 5


def test_estimate_cells_hold_the_coefficients_unrounded(bundle, tables):
    coefficients = bundle["coefficients"]
    table = tables["table4_models"]
    estimates = [c for c in _cells(table) if c.kind is Kind.ESTIMATE]
    expected = coefficients[coefficients["estimate"].notna()]
    assert len(estimates) == len(expected)
    for cell, r in zip(estimates, expected.itertuples(index=False), strict=True):
        assert (cell.value, cell.p) == (r.estimate, r.p_value)
        assert (cell.low, cell.high) == (
            (None, None) if pd.isna(r.conf_low) else (r.conf_low, r.conf_high)
        )


def test_row_labels_keep_the_display_indent_as_a_level(tables):
    for table in tables.values():
        for cell in (c for c in _cells(table) if c.kind is Kind.LABEL):
            assert cell.text == cl.INDENT * cell.level + cell.label
            assert not cell.label.startswith(cl.INDENT)
    support = tables["table2_support_by_cohort"]
    levels = [row[0].level for row in support.cells.itertuples(index=False)]
    assert levels.count(0) == 3 and set(levels) == {0, 1}  # three groups and their items


def test_the_tidy_csv_has_one_line_per_filled_cell_with_numbers_as_numbers(tables):
    for table in tables.values():
        tidy_frame = pd.read_csv(io.StringIO(tidy.to_tidy_csv(table)), keep_default_na=False)
        assert tuple(tidy_frame.columns) == tidy.TIDY_COLUMNS
        filled = [
            (i + 1, column, cell)
            for i, row in enumerate(table.cells.itertuples(index=False))
            for column, cell in zip(table.cells.columns, row, strict=True)
            if cell.kind not in (Kind.EMPTY, Kind.LABEL)
        ]
        assert len(tidy_frame) == len(filled)
        for line, (row, column, cell) in zip(tidy_frame.itertuples(), filled, strict=True):
            assert (line.table, line.row, line.column, line.text) == (
                table.name,
                row,
                column,
                cell.text,
            )
            assert line.status == cell.kind.value
            assert line.label == table.cells.iloc[row - 1, 0].label
            if cell.is_number:
                assert float(line.value) == cell.value
            else:
                assert line.value == line.low == line.high == line.p == ""
        groups = tidy_frame.loc[tidy_frame["status"] == "suppressed"]
        assert (groups[["value", "low", "high", "p", "denominator"]] == "").all().all()


def test_tidy_groups_name_the_heading_row_of_an_item(tables):
    table = tables["table2_support_by_cohort"]
    support = pd.read_csv(io.StringIO(tidy.to_tidy_csv(table)), keep_default_na=False)
    headings = [r[0].label for r in table.cells.itertuples(index=False) if r[0].level == 0]
    assert list(dict.fromkeys(support["group"])) == headings


def test_the_json_round_trips_to_the_same_table_and_writes_no_suppressed_number(tables):
    for table in tables.values():
        text = tidy.to_json(table)
        back = tidy.from_json(text)
        assert back.cells.equals(table.cells)
        assert (back.title, back.notes, back.count_columns) == (
            table.title,
            table.notes,
            table.count_columns,
        )
        assert tb.to_csv(back) == tb.to_csv(table)
        assert tb.to_markdown(back) == tb.to_markdown(table)
        rows = json.loads(text)["rows"]
        hidden = [c for row in rows for c in row if c["kind"] == "suppressed"]
        assert all(set(c) <= {"text", "kind", "format"} for c in hidden)


def test_write_table_writes_every_format_of_the_catalog(tables, tmp_path):
    from teichaku.report import catalog

    table = tables["table1_basic_attributes"]
    paths = tb.write_table(table, tmp_path)
    assert [p.name for p in paths] == [f"{table.name}.{f}" for f in catalog.TABLE_FORMATS]
    assert (tmp_path / f"{table.name}.csv").read_text(encoding="utf-8") == tb.to_csv(table)
