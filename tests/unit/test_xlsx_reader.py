"""The streaming xlsx reader gives the cells openpyxl's data_only mode gives (values and
types) on workbooks openpyxl writes, keeps only the cells present, and names what
openpyxl would read silently: formulas without a value, error values, hidden sheets and
rows, merged ranges."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from teichaku.ingest.errors import IngestError
from teichaku.ingest.readers import SparseRow
from teichaku.ingest.values import FlaggedCell
from teichaku.ingest.xlsx import read_workbook

CELLS = [
    ["センター番号", "対象者番号", "年齢", "日付", "比率", "真偽", None, "備考"],
    ["C01", "A-1", 65, dt.datetime(2020, 4, 10), 0.5, True, None, "  空白つき  "],
    ["Ｃ０２", "A-2", 70.0, dt.datetime(2021, 3, 1, 12, 30), -1e-7, False, None, "改行\nあり"],
    [None, None, None, None, None, None, None, None],
    ["C03", 3, "=1+2", "2020/4/10", 12345678901, None, None, "x005F_y"],
]


def trimmed(rows):
    out = [list(r) for r in rows]
    for r in out:
        while r and r[-1] is None:
            r.pop()
    while out and not out[-1]:
        out.pop()
    return out


def test_same_cells_as_openpyxl(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "対象者"
    for row in CELLS:
        ws.append(row)
    ws["D2"].number_format = "yyyy/m/d"
    ws["D3"].number_format = "yyyy/m/d h:mm"
    ws.merge_cells("A6:B6")
    other = wb.create_sheet("second")
    other.append(["x"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    reference = openpyxl.load_workbook(path, read_only=True, data_only=True)["対象者"]
    expected = trimmed(reference.iter_rows(values_only=True))
    got = read_workbook(path, "book.xlsx", "対象者")
    assert got.name == "対象者" and got.hidden_sheets == []
    rows = trimmed(got.rows)
    # openpyxl saves a formula without its value: openpyxl reads None, we say so
    assert rows[4][2] == FlaggedCell("formula_without_value", "=1+2")
    assert expected[4][2] is None
    rows[4][2] = None
    assert rows == expected
    assert [[type(c) for c in r] for r in rows] == [[type(c) for c in r] for r in expected]


def test_hidden_sheets_rows_and_merges_are_reported(tmp_path):
    wb = openpyxl.Workbook()
    stale = wb.active
    stale.title = "old"
    stale.append(["stale"])
    stale.sheet_state = "hidden"
    ws = wb.create_sheet("Sheet2")
    for i in range(1, 6):
        ws.append([f"r{i}", "〇"])
    ws.row_dimensions[3].hidden = True
    ws.merge_cells("B2:B4")
    path = tmp_path / "book.xlsx"
    wb.save(path)
    got = read_workbook(path, "book.xlsx", "対象者")
    assert got.name == "Sheet2" and got.hidden_sheets == ["old"]
    assert got.hidden_rows == [3]
    assert got.merges == [(1, 1, 3, 1)]


def test_only_cells_present_are_kept(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "a"
    ws["XFD1048576"] = "far"
    path = tmp_path / "book.xlsx"
    wb.save(path)
    got = read_workbook(path, "book.xlsx", "x")
    assert len(got.rows) == 1_048_576
    assert sum(1 for r in got.rows if len(r)) == 2  # the empty rows share one empty tuple
    last = got.rows[-1]
    assert isinstance(last, SparseRow) and len(last) == 16_384
    assert last[16_383] == "far" and last[0] is None and list(last.values()) == ["far"]


def test_damaged_parts_are_a_clean_error(tmp_path):
    import zipfile

    wb = openpyxl.Workbook()
    wb.active.append(["a"])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    with pytest.raises(IngestError) as err:
        read_workbook(bad, "bad.xlsx", "x")
    assert err.value.rule == "unreadable_workbook" and "ParseError" in str(err.value)


def test_randomly_damaged_parts_give_only_clean_errors(tmp_path):
    """Bytes of one part overwritten at random (fixed seed): the reader returns or raises
    an IngestError naming a file rule, never anything else."""
    import io
    import random
    import zipfile

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "対象者"
    for row in CELLS:
        ws.append(row)
    ws["D2"].number_format = "yyyy/m/d"
    ws.merge_cells("A6:B6")
    good = tmp_path / "good.xlsx"
    wb.save(good)
    with zipfile.ZipFile(good) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    rng = random.Random(20211021)
    rules = set()
    for _ in range(100):
        name = rng.choice(sorted(parts))
        data = bytearray(parts[name])
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] = rng.choice(b'<>"=/ 0123456789abcdefrstvcx:\x00\xff')
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for part, content in parts.items():
                archive.writestr(part, bytes(data) if part == name else content)
        path = tmp_path / "damaged.xlsx"
        path.write_bytes(out.getvalue())
        try:
            read_workbook(path, "damaged.xlsx", "対象者")
        except IngestError as exc:
            rules.add(exc.rule)
    assert "unreadable_workbook" in rules
