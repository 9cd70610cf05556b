"""The disclosure scanner (results_scanner.py) reads the Word and Excel files of results/
and finds a leak planted in them: a small count in a count column of tables.xlsx and of a
tidy CSV, and "n = 3" in the text of summary.docx."""

from __future__ import annotations

from teichaku.report import cells as cl
from teichaku.report import tables as tb
from teichaku.report import word, workbook

from .conftest import DEFAULT_RUN as paths
from .results_scanner import _in, check_summary_text, check_tables, read_texts

COUNT_WORDS = {"n", "Valid n"}


def _results(tmp_path, small: int):
    results = tmp_path / paths.RESULTS_DIR
    table = tb.Table.from_rows(
        "table2_support_by_cohort",
        "Table 2",
        [{"Item": cl.label("Visits"), "Overall n": cl.count(small), "Overall %": cl.decimal(1, 1)}],
    )
    tables_dir = _in(results, paths.TABLES_DIR).parent / "en"
    tb.write_table(table, tables_dir)
    workbook.write_workbook([table], tables_dir / "tables.xlsx", "lower", "upper")
    summary = results / "summary"
    summary.mkdir(parents=True)
    (summary / "summary.en.md").write_text(f"# Summary\n\nThe model (n = {small}).\n", "utf-8")
    word.write_docx(summary / "summary.en.md", summary / "summary.en.docx")
    (summary / "summary.en.md").unlink()  # the count in the docx only
    return results


def test_the_scanner_finds_small_counts_in_the_workbook_the_tidy_csv_and_the_docx(tmp_path):
    results = _results(tmp_path, 3)
    findings = check_tables(results, 5, COUNT_WORDS)
    assert any("tables.xlsx/table2_support_by_cohort: Overall n" in f for f in findings)
    assert any(".tidy.csv: Overall n" in f for f in findings)
    assert any(f.startswith("tables/en/table2_support_by_cohort.csv") for f in findings)
    texts = read_texts(results)
    assert "The model (n = 3)." in texts["summary/summary.en.docx"]
    assert check_summary_text(texts, 5) == ["summary/summary.en.docx: 'n = 3'"]


def test_the_scanner_passes_the_same_files_with_a_count_it_may_show(tmp_path):
    results = _results(tmp_path, 30)
    assert check_tables(results, 5, COUNT_WORDS) == []
    texts = read_texts(results)
    assert check_summary_text(texts, 5) == []
    sheet = texts["tables/en/tables.xlsx/table2_support_by_cohort"]
    assert "30" in sheet.split("\n")  # the number itself, read from the sheet
