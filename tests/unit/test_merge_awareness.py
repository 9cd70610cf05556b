"""``teichaku merge-awareness``: the centers' awareness sheets (a 認識調査 sheet of a filled-in
entry template beside its 対象者 sheet, a CSV file of another center) merged into one
workbook that ingests to the same table as the separate sheets, problems included."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from teichaku.cli import main
from teichaku.codebook import load_codebook
from teichaku.ingest.clean import clean_table
from teichaku.ingest.readers import read_sheet
from teichaku.template import build_template, first_data_row

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
CB = load_codebook()
ROSTER_CENTERS = ["C01", "C02", "C03"]


def _awareness_rows() -> tuple[list[str], list[list[str]]]:
    with open(DATA / "awareness.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _center_files(tmp_path: Path, bad_mark: bool = False) -> list[Path]:
    """C01: an entry template with its 対象者 and 認識調査 sheets filled in (two-row header);
    C02 and C03: CSV files with a one-row header (C03 holds a note row)."""
    header, rows = _awareness_rows()
    c01, c02 = rows
    if bad_mark:
        c01 = [*c01[:2], "△", *c01[3:]]
    wb = build_template(CB, rows=5)
    ws = wb[CB.tables["awareness"].sheet]
    # the test file's columns are in the codebook's order, as the template's
    first = first_data_row(CB.tables["awareness"])
    for j, value in enumerate(c01, start=1):
        ws.cell(first, j, int(value) if value == "1" else (value or None))
    cases = wb[CB.tables["cases"].sheet]
    with open(DATA / "cases" / "valid.csv", encoding="utf-8") as fh:
        case_rows = list(csv.reader(fh))
    for j, value in enumerate(case_rows[1], start=1):
        cases.cell(first_data_row(CB.tables["cases"]), j, value)
    c01_path = tmp_path / "C01_回答.xlsx"
    wb.save(c01_path)
    c02_path = tmp_path / "C02.csv"
    c02_path.write_text(",".join(header) + "\n" + ",".join(c02) + "\n", encoding="utf-8")
    c03_path = tmp_path / "C03.csv"
    c03_path.write_text(
        ",".join([*header, "備考"])
        + "\n"
        + ",".join(["C03", *[""] * (len(header) - 1), "回答なし"])
        + "\n"
        + ",".join(["", *[""] * (len(header) - 1), "※注記"])
        + "\n",
        encoding="utf-8",
    )
    return [c01_path, c02_path, c03_path]


def _ingest(paths: list[Path]):
    sheets = [read_sheet(p, p.parent, CB.tables["awareness"].sheet) for p in paths]
    return clean_table("awareness", sheets, CB, roster_centers=ROSTER_CENTERS)


def _compare(separate, merged):
    pd.testing.assert_frame_equal(separate.clean, merged.clean)
    assert (separate.rows_read, separate.rows_rejected, separate.rows_duplicate) == (
        merged.rows_read,
        merged.rows_rejected,
        merged.rows_duplicate,
    )
    assert sorted(separate.rejected["rule"]) == sorted(merged.rejected["rule"])


def test_merged_awareness_ingests_to_the_same_table(tmp_path, capsys):
    files = _center_files(tmp_path)
    out = tmp_path / "merged" / "awareness.xlsx"
    assert main(["merge-awareness", *map(str, files), "-o", str(out)]) == 0
    separate, merged = _ingest(files), _ingest([out])
    _compare(separate, merged)
    assert sorted(merged.clean["center_id"]) == ROSTER_CENTERS
    assert merged.rows_rejected == 1  # C03's note row, kept for ingestion to reject
    printed = capsys.readouterr().out
    assert "3 センター" in printed and "備考" in printed


def test_problems_survive_the_merge(tmp_path):
    files = _center_files(tmp_path, bad_mark=True)
    out = tmp_path / "awareness.xlsx"
    assert main(["merge-awareness", *map(str, files), "-o", str(out)]) == 0
    separate, merged = _ingest(files), _ingest([out])
    _compare(separate, merged)
    assert "invalid_mark" in set(merged.rejected["rule"])


def test_a_folder_of_case_workbooks_is_read_and_a_cases_only_file_skipped(tmp_path, capsys):
    files = _center_files(tmp_path)
    (tmp_path / "cases_only.csv").write_text(
        (DATA / "cases" / "valid.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    out = tmp_path / "out" / "awareness.xlsx"
    assert main(["merge-awareness", str(tmp_path), "-o", str(out), "--lang", "en"]) == 0
    assert "skipped (no awareness sheet):" in capsys.readouterr().out  # cases_only.csv
    _compare(_ingest(files), _ingest([out]))
