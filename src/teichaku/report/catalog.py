"""Names and report categories of every table and figure (no heavy imports: the Snakefile
reads this module to declare outputs)."""

from __future__ import annotations

from teichaku import paths

#: table name -> Snakemake report category
TABLES = {
    "table1_basic_attributes": "Survey",
    "table2_support_by_cohort": "Support",
    "table3_barriers": "Support",
    "table4_models": "Models",
    "table4b_sensitivity_primary": "Models",
    "table4c_sensitivity_logistic": "Models",
    "table5_awareness": "Awareness survey",
}

#: figure name -> Snakemake report category
FIGURES = {
    "fig1_coverage": "Survey",
    "fig2_basic_attributes": "Survey",
    "fig3_support": "Support",
    "fig4_km_followup": "Follow-up",
    "fig5_cif_transition": "Follow-up",
    "fig6_forest": "Models",
    "fig7_threshold_sensitivity": "Models",
    "fig8_awareness": "Awareness survey",
    "fig9_fine_gray_cif": "Models",
}

#: the display table (CSV, Markdown, LaTeX), then the machine-readable ones: the tidy CSV and
#: the table's JSON with the number behind every cell (teichaku.report.tidy)
TABLE_FORMATS = ("csv", "md", "tex", "tidy.csv", "json")
FIGURE_FORMATS = ("png", "pdf")
#: the rendered Markdown, HTML and PDF (rule report_summary), and Word (rule report_docx)
SUMMARY_FORMATS = ("md", "html", "pdf", "docx")


def table_files(out_dir: str = paths.TABLES_DIR) -> dict[str, list[str]]:
    return {name: [f"{out_dir}/{name}.{ext}" for ext in TABLE_FORMATS] for name in TABLES}


def figure_files(out_dir: str = paths.FIGURES_DIR) -> dict[str, list[str]]:
    return {name: [f"{out_dir}/{name}.{ext}" for ext in FIGURE_FORMATS] for name in FIGURES}
