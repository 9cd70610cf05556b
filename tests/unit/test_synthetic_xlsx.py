"""The generator's xlsx writer writes the bytes openpyxl writes for the same sheets."""

import datetime as dt
import io
import re
import zipfile

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from teichaku.synthetic.xlsx import ZIP_TIME, SheetData, write_xlsx

STAMP = dt.datetime(2021, 12, 7)


def openpyxl_xlsx(sheets: list[SheetData], stamp: dt.datetime, date_format: str) -> bytes:
    """The workbook as openpyxl writes it, cell by cell, re-packed with fixed times (the
    generator's writer before it wrote the cells itself)."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        for row in sheet.rows:
            ws.append(row)
        for r in range(sheet.first_data_row, len(sheet.rows) + 1):
            for c, value in enumerate(sheet.rows[r - 1], start=1):
                if isinstance(value, dt.datetime):
                    ws.cell(r, c).number_format = date_format
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    wb.properties.created = wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + text, content
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, content)
    return out.getvalue()


def _same_bytes(tmp_path, sheets, date_format="yyyy/m/d", stamp=STAMP):
    path = tmp_path / "book.xlsx"
    write_xlsx(path, sheets, stamp, date_format)
    expected = openpyxl_xlsx(sheets, stamp, date_format)
    if path.read_bytes() != expected:  # name the part that differs
        with zipfile.ZipFile(path) as ours, zipfile.ZipFile(io.BytesIO(expected)) as theirs:
            assert ours.namelist() == theirs.namelist()
            for name in theirs.namelist():
                assert ours.read(name) == theirs.read(name), name
        raise AssertionError("same parts, different zip bytes")


TEXTS = [
    "対象者",
    " leading",
    "trailing ",
    "\u3000全角空白\u3000",
    "line\nbreak",
    "carriage\rreturn",
    "tab\there",
    "a & b < c > d \"q\" 's'",
    "😀 beyond the BMP",
    "",
    "=",
    "x" * 40000,
    "\x7f delete",
]
NUMBERS = [0, 1, -3, 10**17, 2**70, 2.5, 1e-7, -0.0, 1 / 3, float("nan"), float("inf"), True, False]
DATES = [dt.datetime(2021, 10, 21), dt.datetime(1900, 1, 15, 12, 30), dt.datetime(1900, 3, 1)]


def test_every_kind_of_cell(tmp_path):
    rows = [
        ["令和3年度 フォローアップ実態調査"],
        [],
        ["group", None, None, "alone", None],
        ["item 1", "item 2", "item 3", None],
        TEXTS,
        NUMBERS,
        [None, *DATES, None],
        [None, None],
        [],
    ]
    merges = [(3, 1, 3, 3), (3, 4, 4, 4), (3, 5, 4, 7), (8, 3, 9, 4)]
    _same_bytes(tmp_path, [SheetData("対象者", rows, merges, first_data_row=5)])


@pytest.mark.parametrize(
    "sheets",
    [
        [SheetData("Sheet1")],
        [SheetData("Sheet1", rows=[[], []])],
        [SheetData("empty", rows=[[], [None]])],
        [SheetData("merged only", merges=[(2, 2, 3, 3)])],
        [SheetData("merge beyond", rows=[["a"]], merges=[(1, 1, 1, 30), (40, 2, 41, 2)])],
        [
            SheetData("記入例", rows=[["対象者の記入例"], ["（省略）"]]),
            SheetData("対象者", rows=[["日付"], [DATES[0]], [None, DATES[1]]], first_data_row=2),
            SheetData("集計", rows=[["件数"], [3]]),
        ],
        [SheetData("late start", rows=[[], [], [None, None, "c3"]])],
    ],
    ids=["no rows", "blank rows", "none only", "merge only", "merge beyond", "three", "late"],
)
def test_layouts(tmp_path, sheets):
    _same_bytes(tmp_path, sheets)


@pytest.mark.parametrize("date_format", ["yyyy/m/d", "yyyy-mm-dd h:mm:ss", "m/d/yy", "ge.m.d"])
def test_date_formats(tmp_path, date_format):
    _same_bytes(tmp_path, [SheetData("d", rows=[["head"], DATES], first_data_row=2)], date_format)


def test_random_sheets(tmp_path):
    """Sheets drawn at random from every kind of cell, header merges and blank rows."""
    rng = np.random.default_rng(20211021)
    pool = [None, None, *TEXTS[:10], *NUMBERS, "○", "男", 42]
    for k in range(25):
        width = int(rng.integers(1, 12))
        head = int(rng.integers(0, 4))
        rows = [[f"title {i}"] for i in range(head)]
        rows += [[f"h{c}" if rng.random() < 0.7 else None for c in range(width)], [None] * width]
        merges = [(head + 1, c, head + 2, c) for c in range(1, width + 1) if rng.random() < 0.3]
        for _ in range(int(rng.integers(0, 15))):
            if rng.random() < 0.1:
                rows.append([])
                continue
            n = int(rng.integers(0, width + 3))
            row = [pool[i] for i in rng.integers(0, len(pool), n)]
            rows.append([DATES[0] if rng.random() < 0.1 else v for v in row])
        sheet = SheetData(f"s{k}", rows, merges, first_data_row=head + 3)
        _same_bytes(tmp_path, [sheet])


def test_the_workbook_reads_back(tmp_path):
    path = tmp_path / "book.xlsx"
    rows = [["名前", "日付", "数"], ["＊ａ", DATES[0], 3], [None, None, 2.5]]
    write_xlsx(path, [SheetData("対象者", rows, first_data_row=2)], STAMP)
    ws = load_workbook(path)["対象者"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == rows
    assert ws.cell(2, 2).number_format == "yyyy/m/d"
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time for info in archive.infolist()} == {ZIP_TIME}


@pytest.mark.parametrize(
    ("sheet", "error"),
    [
        (SheetData("s", rows=[[DATES[0]], ["x"]], first_data_row=2), ValueError),
        (SheetData("s", rows=[["a", "b"]], merges=[(1, 1, 1, 2)]), ValueError),
        (SheetData("s", rows=[[np.int64(3)]]), TypeError),
        (SheetData("s", rows=[[dt.date(2021, 1, 1)]]), TypeError),
        (SheetData("s", rows=[["=SUM(A1:A2)"]]), ValueError),
        (SheetData("s", rows=[["#N/A"]]), ValueError),
        (SheetData("s", rows=[["bell\x07"]]), ValueError),
    ],
    ids=["date above data", "value under merge", "numpy", "date", "formula", "error", "control"],
)
def test_cells_a_survey_file_does_not_hold_are_refused(tmp_path, sheet, error):
    with pytest.raises(error):
        write_xlsx(tmp_path / "book.xlsx", [sheet], STAMP)


def test_a_date_above_the_data_of_a_later_sheet_is_refused(tmp_path):
    dated = SheetData("a", rows=[["head"], [DATES[0]]], first_data_row=2)
    above = SheetData("b", rows=[[DATES[0]], ["x"]], first_data_row=2)
    with pytest.raises(ValueError, match="above the data"):
        write_xlsx(tmp_path / "book.xlsx", [dated, above], STAMP)
