"""tables.xlsx (teichaku.report.workbook) read back with openpyxl: a sheet per table in
order, numbers stored as numbers with the display's number format, estimates split into
estimate and bounds, suppressed cells as the marker text, notes below, fixed bytes."""

import io
import zipfile
from dataclasses import replace

import pytest
import report_fixtures as fx
from openpyxl import load_workbook

from teichaku.report import workbook
from teichaku.report.cells import Kind
from teichaku.report.suppress import Privacy

pytestmark = pytest.mark.slow  # the fixture tables take seconds (their suppression)

P = Privacy(5)
LOWER, UPPER = "95% CI lower", "95% CI upper"


@pytest.fixture(scope="module")
def tables():
    return fx.every_table(fx.bundle(), "ja")


@pytest.fixture(scope="module")
def data(tables):
    return workbook.workbook_bytes(tables, LOWER, UPPER)


@pytest.fixture(scope="module")
def book(data):
    return load_workbook(io.BytesIO(data))


def test_one_sheet_per_table_in_order_with_title_header_and_notes(tables, book):
    assert book.sheetnames == [t.name for t in tables]
    for table in tables:
        ws = book[table.name]
        assert ws.cell(workbook.TITLE_ROW, 1).value == table.title
        headings = [c.value for c in ws[workbook.HEADER_ROW]]
        assert headings == [c.heading for c in workbook.sheet_columns(table, LOWER, UPPER)]
        last = workbook.HEADER_ROW + len(table.cells)
        notes = [ws.cell(last + 2 + k, 1).value for k in range(len(table.notes))]
        assert notes == table.notes
        assert ws.max_row == last + 1 + len(table.notes)
        assert all(ws.column_dimensions[chr(65 + j)].width >= 8 for j in range(len(headings)))


def test_numbers_are_numbers_with_the_display_format(tables, book):
    numbers = suppressed = 0
    for table in tables:
        ws = book[table.name]
        columns = workbook.sheet_columns(table, LOWER, UPPER)
        for i, row in enumerate(table.cells.itertuples(index=False)):
            for j, column in enumerate(columns, start=1):
                source = row[column.source]
                got = ws.cell(workbook.HEADER_ROW + 1 + i, j)
                if column.part != "cell":
                    expected = getattr(source, column.part)
                    if expected is None:
                        assert got.value is None
                    else:  # Excel keeps 15 significant digits
                        assert got.value == pytest.approx(expected, rel=1e-14)
                        assert isinstance(got.value, float) and got.number_format == "0.00"
                elif source.is_number:
                    assert isinstance(got.value, int | float) and not isinstance(got.value, bool)
                    assert got.value == pytest.approx(source.value, rel=1e-14)
                    assert got.number_format == source.format
                    numbers += 1
                elif source.kind is Kind.SUPPRESSED:
                    assert got.value == P.marker and got.data_type == "s"
                    suppressed += 1
                elif source.kind is Kind.LABEL:
                    assert got.value == source.label
                    assert got.alignment.indent == 2 * source.level
                elif source.kind is Kind.EMPTY:
                    assert got.value is None
                else:
                    assert got.value == source.text
    assert numbers > 300 and suppressed > 0


def test_estimate_columns_are_split_into_the_estimate_and_its_bounds(tables):
    models = next(t for t in tables if t.name == "table4_models")
    headings = [c.heading for c in workbook.sheet_columns(models, LOWER, UPPER)]
    estimate = models.cells.columns[1]
    assert headings[1:4] == [estimate, f"{estimate} {LOWER}", f"{estimate} {UPPER}"]
    assert len(headings) == len(models.cells.columns) + 2


def test_the_workbook_bytes_are_fixed(tables, data):
    assert workbook.workbook_bytes(tables, LOWER, UPPER) == data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {info.date_time for info in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2


def test_sheet_names_are_cut_to_excels_limit_and_unique(tables):
    long = [replace(tables[0], name="x" * 40), replace(tables[1], name="x" * 40)]
    names = workbook.sheet_names(long)
    assert len(set(names)) == 2 and all(len(n) <= 31 for n in names)
