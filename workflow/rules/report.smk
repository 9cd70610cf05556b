# Report: tables (results/<run>/tables/<lang>/: CSV, Markdown, LaTeX), figures
# (results/<run>/figures/<lang>/: PNG at report.dpi and vector PDF) and the paper-ready summary
# (results/<run>/summary/summary.<lang>.{md,html,pdf}), all small-cell suppressed
# (privacy.min_cell), once per language of report.languages: the language is a wildcard, so
# one language never reruns another. Every table and figure is marked for `snakemake
# --report results/<run>/report.html`, captioned from workflow/report/captions/. Needs ingest.smk
# (PROCESSED) and analysis.smk.

from teichaku.report import catalog
from teichaku.runs import language_free

# Templates, labels and CSS belong to the workflow, not to the data: resolve them from the
# workflow's own folder so that --directory elsewhere still finds them.
REPORT_ASSETS = Path(workflow.basedir) / paths.REPORT_ASSETS
REPORT_TABLES = catalog.table_files()
REPORT_FIGURES = catalog.figure_files()
REPORT_SUMMARY = {ext: paths.fill(paths.SUMMARY, ext=ext) for ext in catalog.SUMMARY_FORMATS}
REPORT_PATTERNS = [
    *(f for files in REPORT_TABLES.values() for f in files),
    *(f for files in REPORT_FIGURES.values() for f in files),
    *REPORT_SUMMARY.values(),
    paths.PROVENANCE,
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


rule report_tables:
    input:
        unpack(report_inputs),
    output:
        REPORT_TABLE_OUTPUTS,
    log:
        paths.log("report_tables_{lang}"),
    benchmark:
        paths.benchmark("report_tables_{lang}")
    conda:
        ENV
    params:
        settings=table_settings,
        out_dir=lambda wildcards, output: str(Path(output[0]).parent),
    message:
        "Writing the report's tables (CSV, Markdown, LaTeX) of run {wildcards.run} into {params.out_dir}"
    script:
        "../scripts/report_tables.py"


rule report_figures:
    input:
        unpack(report_inputs),
        curves=paths.CURVES,
        predicted=paths.CIF_PREDICTED,
    output:
        REPORT_FIGURE_OUTPUTS,
    log:
        paths.log("report_figures_{lang}"),
    benchmark:
        paths.benchmark("report_figures_{lang}")
    conda:
        ENV
    params:
        settings=figure_settings,
        out_dir=lambda wildcards, output: str(Path(output[0]).parent),
    message:
        "Drawing the report's figures (PNG, PDF) of run {wildcards.run} into {params.out_dir}"
    script:
        "../scripts/report_figures.py"


rule report_summary:
    input:
        unpack(report_inputs),
        tables=[REPORT_TABLES[name][1] for name in catalog.TABLES],  # the Markdown tables
        figures=[REPORT_FIGURES[name][0] for name in catalog.FIGURES],  # the PNG figures
        template=REPORT_ASSETS / "summary.{lang}.md.j2",
        css=REPORT_ASSETS / "summary.css",
        provenance=paths.PROVENANCE,
    output:
        md=REPORT_SUMMARY["md"],
        html=report(
            REPORT_SUMMARY["html"],
            caption="../report/captions/summary.rst",
            category="Summary",
            labels={"name": "summary", "language": "{lang}", "format": "html"},
        ),
        pdf=report(
            REPORT_SUMMARY["pdf"],
            caption="../report/captions/summary.rst",
            category="Summary",
            labels={"name": "summary", "language": "{lang}", "format": "pdf"},
        ),
    log:
        paths.log("report_summary_{lang}"),
    benchmark:
        paths.benchmark("report_summary_{lang}")
    conda:
        ENV
    params:
        config=lambda wildcards: language_free(RUNS[wildcards.run]),
        language=lambda wildcards: wildcards.lang,
        template_dir=lambda wildcards, input: str(Path(input.template).parent),
        tables_dir=lambda wildcards, input: str(Path(input.tables[0]).parent),
        figures_dir=lambda wildcards, input: str(Path(input.figures[0]).parent),
        simulation=str(SIMULATION_SECTION),
        simulation_digest=simulation_digest,
    message:
        "Writing the summary {output.md}, {output.html} and {output.pdf}"
    script:
        "../scripts/report_summary.py"


# Where the run's results came from (results/<run>/summary/provenance.txt, one per run): the
# code's commit, the configuration's hash, the SHA-256 of every input file (raw files under
# neutral labels), the packages and the seeds. The summaries cite it in a short paragraph.
rule report_provenance:
    input:
        raw=raw_inputs,
        hashed=hashed_inputs,
    output:
        paths.PROVENANCE,
    log:
        paths.log("report_provenance"),
    benchmark:
        paths.benchmark("report_provenance")
    conda:
        ENV
    params:
        config=lambda wildcards: language_free(RUNS[wildcards.run]),
        repo_dir=lambda wildcards: workflow.basedir,  # git commit of the workflow's code
    message:
        "Recording the provenance of run {wildcards.run} in {output}"
    script:
        "../scripts/report_provenance.py"


# --------------------------------------------------------------------------- formats
# tables.xlsx per run and language (every table, a sheet each, in the report's order, built
# from the tables' JSON: numbers as numbers, suppressed cells as the marker), among the
# default targets.
REPORT_PATTERNS.append(paths.TABLES_WORKBOOK)


rule report_workbook:
    input:
        tables=[files[catalog.TABLE_FORMATS.index("json")] for files in REPORT_TABLES.values()],
        labels=REPORT_ASSETS / "labels.yaml",
        codebook=paths.ROUND_CODEBOOK,
    output:
        paths.TABLES_WORKBOOK,
    log:
        paths.log("report_workbook_{lang}"),
    benchmark:
        paths.benchmark("report_workbook_{lang}")
    conda:
        ENV
    params:
        confidence=lambda wildcards: RUNS[wildcards.run]["analysis"]["confidence"],
    message:
        "Writing every table of run {wildcards.run} into the workbook {output}"
    script:
        "../scripts/report_workbook.py"


# summary.<lang>.docx (catalog.SUMMARY_FORMATS, so among the default targets): the rendered
# summary Markdown and the figures it embeds as a Word document.
rule report_docx:
    input:
        md=REPORT_SUMMARY["md"],
        figures=[files[0] for files in REPORT_FIGURES.values()],  # the PNG figures
    output:
        REPORT_SUMMARY["docx"],
    log:
        paths.log("report_docx_{lang}"),
    benchmark:
        paths.benchmark("report_docx_{lang}")
    conda:
        ENV
    message:
        "Writing the summary of run {wildcards.run} as the Word document {output}"
    script:
        "../scripts/report_docx.py"
