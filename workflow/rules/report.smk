# Report: tables (results/tables: CSV, Markdown, LaTeX), figures (results/figures: PNG at
# report.dpi and vector PDF) and the paper-ready summary (results/summary: Markdown,
# self-contained HTML, PDF), all small-cell suppressed (privacy.min_cell). Every table and
# figure is marked for `snakemake --report results/report.html`, captioned from
# workflow/report/captions/. Needs ingest.smk (PROCESSED) and analysis.smk.

from teichaku.report import catalog
from teichaku.report.stage import input_paths

# Templates, labels and CSS belong to the workflow, not to the data: resolve them from the
# workflow's own folder so that --directory elsewhere still finds them.
REPORT_ASSETS = Path(workflow.basedir) / paths.REPORT_ASSETS
REPORT_INPUTS = input_paths(config, REPORT_ASSETS)
REPORT_TABLES = catalog.table_files()
REPORT_FIGURES = catalog.figure_files()
REPORT_SUMMARY = {ext: paths.fill(paths.SUMMARY, ext=ext) for ext in catalog.SUMMARY_FORMATS}
REPORT_OUTPUTS = [
    *(f for files in REPORT_TABLES.values() for f in files),
    *(f for files in REPORT_FIGURES.values() for f in files),
    *REPORT_SUMMARY.values(),
]


# Every file of every table and figure; the CSV, PNG and PDF ones marked for the report.
REPORT_TABLE_OUTPUTS = [
    report_marked(path, name, catalog.TABLES[name], "Tables")
    for name, files in REPORT_TABLES.items()
    for path in files
]
REPORT_FIGURE_OUTPUTS = [
    report_marked(path, name, catalog.FIGURES[name], "Figures")
    for name, files in REPORT_FIGURES.items()
    for path in files
]
# Params are a rerun trigger, so each rule gets only the settings it reads: changing a
# figure option (report.dpi) reruns the figures and the summary, never the tables. The
# summary takes the whole configuration (its provenance records the configuration's hash).
REPORT_TABLE_SETTINGS = {
    "language": config["report"]["language"],
    "min_cell": config["privacy"]["min_cell"],
    "thresholds": ANALYSIS["thresholds"],
    "confidence": ANALYSIS["confidence"],
}
REPORT_FIGURE_SETTINGS = {**REPORT_TABLE_SETTINGS, "dpi": config["report"]["dpi"]}


rule report_tables:
    input:
        **REPORT_INPUTS,
    output:
        REPORT_TABLE_OUTPUTS,
    log:
        paths.log("report_tables"),
    benchmark:
        paths.benchmark("report_tables")
    conda:
        ENV
    params:
        settings=REPORT_TABLE_SETTINGS,
        out_dir=lambda wildcards, output: str(Path(output[0]).parent),
    message:
        "Writing the report's tables (CSV, Markdown, LaTeX) into {params.out_dir}"
    script:
        "../scripts/report_tables.py"


rule report_figures:
    input:
        **REPORT_INPUTS,
        curves=paths.CURVES,
        predicted=paths.CIF_PREDICTED,
    output:
        REPORT_FIGURE_OUTPUTS,
    log:
        paths.log("report_figures"),
    benchmark:
        paths.benchmark("report_figures")
    conda:
        ENV
    params:
        settings=REPORT_FIGURE_SETTINGS,
        out_dir=lambda wildcards, output: str(Path(output[0]).parent),
    message:
        "Drawing the report's figures (PNG, PDF) into {params.out_dir}"
    script:
        "../scripts/report_figures.py"


rule report_summary:
    input:
        **REPORT_INPUTS,
        tables=[REPORT_TABLES[name][1] for name in catalog.TABLES],  # the Markdown tables
        figures=[REPORT_FIGURES[name][0] for name in catalog.FIGURES],  # the PNG figures
        template=REPORT_ASSETS / f"summary.{config['report']['language']}.md.j2",
        css=REPORT_ASSETS / "summary.css",
        raw=RAW_INPUTS,
        hashed=[config["codebook"], config["published"], ANALYSIS["models"]]
        + ([config["input"]["synthetic_config"]] if SYNTHETIC else []),
    output:
        md=REPORT_SUMMARY["md"],
        html=report(
            REPORT_SUMMARY["html"],
            caption="../report/captions/summary.rst",
            category="Summary",
            labels={"name": "summary", "format": "html"},
        ),
        pdf=report(
            REPORT_SUMMARY["pdf"],
            caption="../report/captions/summary.rst",
            category="Summary",
            labels={"name": "summary", "format": "pdf"},
        ),
    log:
        paths.log("report_summary"),
    benchmark:
        paths.benchmark("report_summary")
    conda:
        ENV
    params:
        config=config,
        template_dir=lambda wildcards, input: str(Path(input.template).parent),
        tables_dir=lambda wildcards, input: str(Path(input.tables[0]).parent),
        figures_dir=lambda wildcards, input: str(Path(input.figures[0]).parent),
        repo_dir=lambda wildcards: workflow.basedir,  # git commit of the workflow's code
        simulation=str(SIMULATION_SECTION),
        simulation_digest=simulation_digest,
    message:
        "Writing the summary {output.md}, {output.html} and {output.pdf}"
    script:
        "../scripts/report_summary.py"
