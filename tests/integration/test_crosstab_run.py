"""Cross-tabulations added only in config/report.yaml (builder crosstab), run end to end on
a copy of the shared small run: each is written as every table is (csv, md, tex, tidy csv,
json, a sheet of tables.xlsx), its counts protected together with those of Tables 1-3.

The expected cells are counted here from the clean cases with pandas, independently of the
protection and of the table builders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from teichaku import paths
from teichaku.codebook import load_codebook
from teichaku.disclosure import audit
from teichaku.report.protection import read_protection, table_cells

from .conftest import ROOT, run_paths, run_snakemake
from .crosstabs import CROSSTABS, add_crosstabs

pytestmark = pytest.mark.slow  # a rerun of the report of the shared small run

MARKER = "<5"


@pytest.fixture(scope="module")
def crosstab_run(small_run, tmp_path_factory) -> Path:
    """A copy of the small run (timestamps kept) whose report adds CROSSTABS, rerun."""
    workdir = tmp_path_factory.mktemp("crosstab_run")
    shutil.copytree(small_run, workdir, symlinks=True, dirs_exist_ok=True)
    add_crosstabs(workdir)
    run_snakemake(workdir)
    return workdir


def _run(workdir: Path):
    return run_paths(workdir)


def _cases(workdir: Path) -> pd.DataFrame:
    return pd.read_parquet(workdir / paths.fill(_run(workdir).PROCESSED["cases"]))


def _analysis(workdir: Path) -> pd.DataFrame:
    return pd.read_parquet(workdir / paths.fill(_run(workdir).ANALYSIS_DATASET))


def _table(workdir: Path, name: str) -> pd.DataFrame:
    path = workdir / _run(workdir).TABLES_DIR / f"{name}.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _shown(text: str, count: int) -> bool:
    """A count printed as itself, or suppressed (never printed when small)."""
    if 0 < count < 5:
        return text == MARKER
    return text in (f"{count:,}", MARKER)


def test_a_crosstab_by_cohort_prints_each_count_or_the_marker(crosstab_run):
    cases = _cases(crosstab_run)
    codebook = load_codebook(str(ROOT / "config" / "codebook.yaml"))
    care = codebook.variable("cases", "care_level")
    cohorts = codebook.variable("cases", "cohort").codes
    table = _table(crosstab_run, "crosstab_care_by_cohort")
    label_col = table.columns[0]
    count_cols = [c for c in table.columns if c.endswith("該当数")]
    valid_cols = [c for c in table.columns if c.endswith("有効回答数")]
    assert len(count_cols) == len(valid_cols) == 1 + len(cohorts)  # overall, then each cohort
    groups = [pd.Series(True, index=cases.index)] + [
        cases["cohort"].astype("string") == c for c in cohorts
    ]
    heading = table[table[label_col] == care.label("ja")].iloc[0]
    for col, mask in zip(valid_cols, groups, strict=True):
        assert _shown(heading[col], int(cases.loc[mask.fillna(False), "care_level"].notna().sum()))
    markers = 0
    for code in care.codes:
        row = table[table[label_col] == "　" + care.level_label(code, "ja")].iloc[0]
        for col, mask in zip(count_cols, groups, strict=True):
            values = cases.loc[mask.fillna(False), "care_level"].astype("string")
            n = int((values == code).sum())
            assert _shown(row[col], n), (code, col, row[col], n)
            markers += row[col] == MARKER
    assert markers > 0  # the small survey has small cells: the check above checks something


def test_a_crosstab_of_shares_by_prolonged_status_shows_them_where_both_counts_are(crosstab_run):
    cases, analysis = _cases(crosstab_run), _analysis(crosstab_run)
    codebook = load_codebook(str(ROOT / "config" / "codebook.yaml"))
    status = analysis["prolonged_12"].reset_index(drop=True)
    table = _table(crosstab_run, "crosstab_guarantor_by_prolonged")
    label_col = table.columns[0]
    pct_cols = [c for c in table.columns if c.endswith("%")]
    valid_cols = [c for c in table.columns if c.endswith("有効回答数")]
    assert len(pct_cols) == len(valid_cols) == 3  # overall, prolonged, ended before
    frame = cases.reset_index(drop=True)
    groups = [pd.Series(True, index=frame.index), status == 1, status == 0]
    for var in codebook.tables["cases"].group_variables("guar"):
        row = table[table[label_col] == "　" + var.label("ja")].iloc[0]
        for pct_col, valid_col, mask in zip(pct_cols, valid_cols, groups, strict=True):
            values = frame.loc[mask.fillna(False).to_numpy(), var.name].dropna().astype(bool)
            k, n = int(values.sum()), len(values)
            assert _shown(row[valid_col], n)
            if 0 < k < 5 or 0 < n - k < 5:  # small itself or by its complement
                assert row[pct_col] == MARKER
            elif row[pct_col] != MARKER:  # else shown, or hidden by secondary suppression
                assert row[pct_col] == f"{100 * k / n:.1f}"
            if row[valid_col] == MARKER:  # a share is shown only where its n is
                assert row[pct_col] == MARKER


def test_a_crosstab_of_means_by_prolonged_status(crosstab_run):
    cases, analysis = _cases(crosstab_run), _analysis(crosstab_run)
    status = analysis["prolonged_12"].reset_index(drop=True)
    table = _table(crosstab_run, "crosstab_age_by_prolonged")
    assert len(table) == 1
    row = table.iloc[0]
    means = [c for c in table.columns if c.endswith("平均")]
    valid = [c for c in table.columns if c.endswith("有効回答数")]
    age = cases.reset_index(drop=True)["age"]
    groups = [pd.Series(True, index=status.index), status == 1, status == 0]
    for m, v, mask in zip(means, valid, groups, strict=True):
        values = age[mask.fillna(False).to_numpy()].dropna().astype(float)
        if row[v] == MARKER:
            assert row[m] == MARKER
        else:
            assert row[v] == f"{len(values):,}"
            assert row[m] == f"{values.mean():.1f}"


def _number(text: str):
    """A displayed number as the workbook stores it: 1,234 -> 1234, 56.7 -> 56.7."""
    plain = text.replace(",", "")
    return float(plain) if "." in plain else int(plain)


def test_the_crosstabs_are_in_every_table_format_and_the_workbook(crosstab_run):
    """The json holds the display CSV's cells and the numbers behind them, the .md and .tex
    its title, and the crosstab's own sheet of tables.xlsx the same cells: numbers as
    numbers, suppressed cells as the marker, empty cells empty."""
    run = _run(crosstab_run)
    tables_dir = crosstab_run / run.TABLES_DIR
    book = load_workbook(crosstab_run / paths.fill(run.TABLES_WORKBOOK), read_only=True)
    for item in CROSSTABS:
        name = item["name"]
        display = _table(crosstab_run, name)
        data = json.loads((tables_dir / f"{name}.json").read_text("utf-8"))
        assert data["columns"] == list(display.columns)
        assert [[c["text"] for c in row] for row in data["rows"]] == display.to_numpy().tolist()
        for row in data["rows"]:
            for cell in row:
                if cell["kind"] == "number":
                    assert cell["value"] == _number(cell["text"])
                elif cell["text"] == MARKER:
                    assert "value" not in cell and cell["kind"] == "suppressed"
        assert f"**{data['title']}**" in (tables_dir / f"{name}.md").read_text("utf-8")
        assert data["title"] in (tables_dir / f"{name}.tex").read_text("utf-8")
        tidy = pd.read_csv(tables_dir / f"{name}.tidy.csv", dtype=str, keep_default_na=False)
        shown = [c for row in data["rows"] for c in row[1:] if c["text"]]
        assert len(tidy) == len(shown)  # one tidy row per shown cell, no more
        assert sorted(tidy["text"]) == sorted(c["text"] for c in shown)
        assert (tidy.loc[tidy["text"] == MARKER, "value"] == "").all()
        rows = list(book[name].iter_rows(values_only=True))
        header = rows.index(tuple(display.columns))
        sheet = rows[header + 1 : header + 1 + len(display)]
        for shown, stored in zip(display.to_numpy().tolist(), sheet, strict=True):
            assert str(stored[0]) == shown[0].lstrip("　")
            for text, value in zip(shown[1:], stored[1:], strict=True):
                if not text:
                    assert value is None
                elif text == MARKER:
                    assert value == MARKER
                else:  # every count the display prints is a number in the workbook
                    assert value == _number(text)


def test_the_joint_protection_holds_with_the_crosstabs(crosstab_run):
    """protection.json names the cross-tabulations; with their cells, the intruder audit of
    what is published (tables 1-3 and the cross-tabulations together) finds nothing."""
    run = _run(crosstab_run)
    text = (crosstab_run / paths.fill(run.PROTECTION)).read_text(encoding="utf-8")
    data = json.loads(text)
    assert [c["rows"] for c in data["crosstabs"]] == [c["options"]["rows"] for c in CROSSTABS]
    codebook = load_codebook(str(ROOT / "config" / "codebook.yaml"))
    cells = table_cells(
        _cases(crosstab_run),
        _analysis(crosstab_run),
        "prolonged_12",
        codebook,
        data["crosstabs"],
    )
    protection = read_protection(text, cells)
    assert ("count", "care_level", codebook.variable("cases", "care_level").codes[0], "all") in (
        protection.status
    )
    findings = audit(cells, protection.published(), protection.min_cell)
    assert findings and all(f.ok for f in findings)


def test_the_crosstabs_are_in_the_summary_md_docx_and_pdf(crosstab_run):
    """Each cross-tabulation is a table of the summary's Markdown and Word document with the
    cells of its own .md, and every cell is in the PDF's text layer."""
    import docx
    import pdfplumber

    from .summaries import header_shown, markdown_tables, squeeze, summary_file

    lang = _run(crosstab_run).lang
    summary_md = summary_file(crosstab_run, lang, "md").read_text(encoding="utf-8")
    in_summary = markdown_tables(summary_md)
    document = docx.Document(summary_file(crosstab_run, lang, "docx"))
    in_word = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    with pdfplumber.open(summary_file(crosstab_run, lang, "pdf")) as pdf:
        pdf_text = "".join(c["text"] for p in pdf.pages for c in p.chars if not c["text"].isspace())
    tables_dir = crosstab_run / _run(crosstab_run).TABLES_DIR
    for item in CROSSTABS:
        (own,) = markdown_tables((tables_dir / f"{item['name']}.md").read_text(encoding="utf-8"))
        assert own in in_summary, item["name"]
        assert [own["header"], *own["rows"]] in [[row for row in t if any(row)] for t in in_word], (
            item["name"]
        )
        for cell in own["header"]:
            assert header_shown(cell, pdf_text), (item["name"], cell)
        for row in own["rows"]:
            assert squeeze("".join(row)) in pdf_text or all(squeeze(c) in pdf_text for c in row)
