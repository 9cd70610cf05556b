"""The feedback workbook of a center holds exactly its problems, each annotated cell at the
right row and column (read back with openpyxl); a file of two centers is split; the
summaries per center and per file count what the validation found."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from teichaku.cli import main
from teichaku.codebook import load_codebook
from teichaku.feedback.validate import validate_files

# whole-command runs (codebook, ingestion, workbook writing per test): the full suite,
# not the edit loop of `make test-fast`
pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
ROSTER = DATA / "roster.csv"
CB = load_codebook()


def _rows(name: str) -> list[list[str]]:
    with open(DATA / "cases" / name, encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.fixture
def two_centers(tmp_path) -> Path:
    """A workbook with a title row and the cases of C01 and C02 mixed: C01 has an invalid
    category (row 4) and an invalid date (row 6), C02 an age out of range (row 5)."""
    header, good = _rows("valid.csv")[:2]
    c02_good = _rows("valid.csv")[2]
    col = {label: j for j, label in enumerate(header)}

    def changed(row, **cells):
        row = list(row)
        for label, value in cells.items():
            row[col[label]] = value
        return row

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "対象者"
    ws.append(["令和3年度 フォローアップ実態調査"])
    ws.append(header)
    ws.append(good)  # row 3
    ws.append(changed(good, 対象者番号="A002", 釈放時の帰住先="ホテル"))  # row 4
    ws.append(changed(c02_good, 対象者番号="B002", 相談時年齢="130"))  # row 5
    ws.append(changed(good, 対象者番号="A003", 釈放日="令和2年2月30日"))  # row 6
    ws.append(c02_good)  # row 7
    path = tmp_path / "prefecture.xlsx"
    wb.save(path)
    return path


def _letter(label: str) -> str:
    header = _rows("valid.csv")[0]
    return openpyxl.utils.get_column_letter(header.index(label) + 1)


def _problem_rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)["不備一覧"]
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "No.") + 1
    header = rows[start - 1]
    return [dict(zip(header, r, strict=True)) for r in rows[start:] if r[0] is not None]


def test_each_center_gets_exactly_its_problems_annotated_at_row_and_column(tmp_path, two_centers):
    out = tmp_path / "fb"
    assert main(["check", str(two_centers), "--roster", str(ROSTER), "--out", str(out)]) == 1
    expected = {
        "C01": {(4, _letter("釈放時の帰住先"), "ホテル"), (6, _letter("釈放日"), "令和2年2月30日")},
        "C02": {(5, _letter("相談時年齢"), "130")},
    }
    assert sorted(p.name for p in out.iterdir()) == ["C01.xlsx", "C02.xlsx"]
    for center, cells in expected.items():
        path = out / f"{center}.xlsx"
        listed = _problem_rows(path)
        assert {(r["行"], r["列"], r["入力された値"]) for r in listed} == cells
        assert all(r["ファイル"] == "prefecture.xlsx" and r["シート"] == "対象者" for r in listed)
        assert all(r["入力できる値"] and r["内容"] and r["対応のお願い"] for r in listed)
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == ["不備一覧", "対象者"]
        copy = wb["対象者"]
        commented = {
            (c.row, c.column_letter, c.value) for row in copy.iter_rows() for c in row if c.comment
        }
        assert commented == cells
        for row, letter, _ in cells:
            cell = copy[f"{letter}{row}"]
            assert cell.fill.fgColor.rgb.endswith("FFC7CE")
            rule_text = {"ホテル": "選択肢にない値", "令和2年2月30日": "日付", "130": "範囲外"}
            assert rule_text[cell.value] in cell.comment.text
        # the other center's rows are emptied and hidden; row numbers stay the file's
        other = {"C01": [5, 7], "C02": [3, 4, 6]}[center]
        for row in other:
            assert all(c.value is None for c in copy[row]) and copy.row_dimensions[row].hidden
        mine = {"C01": [3, 4, 6], "C02": [5, 7]}[center]
        for row in mine:
            assert copy[f"A{row}"].value == center
        assert copy["A1"].value == "令和3年度 フォローアップ実態調査"


def test_a_center_without_problems_gets_a_workbook_saying_so(tmp_path):
    out = tmp_path / "fb"
    assert (
        main(
            ["check", str(DATA / "cases" / "valid.csv"), "--roster", str(ROSTER), "--out", str(out)]
        )
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == ["C01.xlsx", "C02.xlsx"]
    ws = openpyxl.load_workbook(out / "C01.xlsx")["不備一覧"]
    assert "不備はありませんでした" in ws["A2"].value
    copy = openpyxl.load_workbook(out / "C01.xlsx")["valid"]  # a CSV copied as its cells
    assert copy["B2"].value == "A001" and copy.row_dimensions[3].hidden


def test_problem_list_links_to_the_annotated_cell(tmp_path, two_centers):
    out = tmp_path / "fb"
    main(["check", str(two_centers), "--roster", str(ROSTER), "--out", str(out)])
    ws = openpyxl.load_workbook(out / "C02.xlsx")["不備一覧"]
    links = [c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink]
    assert links == [f"'対象者'!{_letter('相談時年齢')}5"]


def test_feedback_after_a_run_writes_one_workbook_per_center_and_the_summaries(tmp_path, capsys):
    raw = tmp_path / "run" / "raw"
    (raw / "cases").mkdir(parents=True)
    shutil.copy(ROSTER, raw)
    shutil.copy(DATA / "awareness.csv", raw)
    # C09 (not in the roster) goes to C01, the one center of its file
    for name in ("valid.csv", "err_invalid_category.csv", "err_unknown_center.csv"):
        shutil.copy(DATA / "cases" / name, raw / "cases")
    config = tmp_path / "run" / "config.yaml"
    config.write_text(
        f"codebook: {Path('config/codebook.yaml').resolve()}\ninput: {{raw_dir: raw}}\n",
        encoding="utf-8",
    )
    args = ["feedback", "--directory", str(tmp_path / "run"), "--config", "config.yaml"]
    assert main([*args, "--run", "round1"]) == 0
    out = tmp_path / "run" / "data" / "feedback" / "round1"
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["C01.xlsx", "C02.xlsx"]
    listed = _problem_rows(out / "C01.xlsx")
    assert sorted((r["ファイル"], r["行"], r["項目"]) for r in listed) == [
        ("cases/err_invalid_category.csv", 3, "釈放時の帰住先"),
        ("cases/err_unknown_center.csv", 3, "センター番号"),
    ]
    wb = openpyxl.load_workbook(out / "C01.xlsx")
    # one annotated copy per file holding C01 rows: the awareness file and three case files
    assert wb.sheetnames == [
        "不備一覧",
        "awareness",
        "err_invalid_category",
        "err_unknown_center",
        "valid",
    ]
    by_center = list(csv.DictReader(io.StringIO((out / "summary_by_center.csv").read_text())))
    counts = {(r["center"], r["table"], r["measure"]): int(r["value"]) for r in by_center}
    assert counts[("C01", "cases", "rows_read")] == 5  # 1 + 2 + 2 rows
    assert counts[("C01", "cases", "rows_rejected")] == 2
    assert counts[("C01", "cases", "error:invalid_category")] == 1
    assert counts[("C02", "cases", "rows_rejected")] == 0
    by_file = list(csv.DictReader(io.StringIO((out / "summary_by_file.csv").read_text())))
    files = {(r["file"], r["measure"]): int(r["value"]) for r in by_file}
    assert files[("cases/err_unknown_center.csv", "error:unknown_center")] == 1
    assert files[("cases/valid.csv", "rows_rejected")] == 0
    assert "C01" not in (tmp_path / "run").joinpath("results").as_posix()
    assert not (tmp_path / "run" / "results").exists()


def test_problems_of_one_file_are_found_once_whatever_else_is_checked(two_centers):
    alone = validate_files([two_centers], CB, ROSTER).problems
    assert len(alone) == 3 and set(alone["center"]) == {"C01", "C02"}
