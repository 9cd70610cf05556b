"""The file formats of every table, figure and summary, and their file names (no heavy
imports: the Snakefile reads this module to declare outputs). Which tables and figures
exist is declared in config/report.yaml (:mod:`teichaku.report.spec`)."""

from __future__ import annotations

from collections.abc import Iterable

from teichaku import paths

#: the display table (CSV, Markdown, LaTeX), then the machine-readable ones: the tidy CSV and
#: the table's JSON with the number behind every cell (teichaku.report.tidy)
TABLE_FORMATS = ("csv", "md", "tex", "tidy.csv", "json")
FIGURE_FORMATS = ("png", "pdf")
#: the rendered Markdown, HTML and PDF (rule report_summary), and Word (rule report_docx)
SUMMARY_FORMATS = ("md", "html", "pdf", "docx")


def table_files(names: Iterable[str], out_dir: str = paths.TABLES_DIR) -> dict[str, list[str]]:
    """name -> its file in each of TABLE_FORMATS under ``out_dir``."""
    return {name: [f"{out_dir}/{name}.{ext}" for ext in TABLE_FORMATS] for name in names}


def figure_files(names: Iterable[str], out_dir: str = paths.FIGURES_DIR) -> dict[str, list[str]]:
    """name -> its file in each of FIGURE_FORMATS under ``out_dir``."""
    return {name: [f"{out_dir}/{name}.{ext}" for ext in FIGURE_FORMATS] for name in names}
