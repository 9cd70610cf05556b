# Report: the tables (results/<run>/tables/<lang>/<table>.<format>) and figures
# (results/<run>/figures/<lang>/<figure>.<format>) declared in config/report.yaml
# (report.spec), and the paper-ready summary (results/<run>/summary/summary.<lang>.*), all
# small-cell suppressed (privacy.min_cell), once per language of report.languages.
#
# One job per table, figure and language (rules report_table and report_figure): each reads
# only the files its builder reads (teichaku.report.build) and gets its entry of report.yaml
# and the facts of config/models.yaml it needs as params, so that editing one entry reruns
# that table or figure and the documents that embed it. Every table and figure is marked for
# `snakemake --report results/<run>/report.html`, captioned and categorised in the report's
# language. Needs ingest.smk (PROCESSED) and analysis.smk.


include: "report_items.smk"


rule report_table:
    input:
        unpack(item_inputs("table")),
    output:
        [marked(path, "table") for path in REPORT_TABLE],
    log:
        paths.log("report_table_{table}_{lang}"),
    benchmark:
        paths.benchmark("report_table_{table}_{lang}")
    wildcard_constraints:
        table="|".join(REPORT_TABLE_NAMES),
    conda:
        ENV
    params:
        job=item_params("table"),
        caption=lambda wildcards: report_caption(wildcards, "table"),
        out_dir=lambda wildcards, output: str(Path(output[0]).parent),
    message:
        "Writing table {wildcards.table} ({wildcards.lang}) of run {wildcards.run} into {params.out_dir}"
    script:
        "../scripts/report_table.py"


rule report_figure:
    input:
        unpack(item_inputs("figure")),
    output:
        [marked(path, "figure") for path in REPORT_FIGURE],
    log:
        paths.log("report_figure_{figure}_{lang}"),
    benchmark:
        paths.benchmark("report_figure_{figure}_{lang}")
    wildcard_constraints:
        figure="|".join(REPORT_FIGURE_NAMES),
    conda:
        ENV
    params:
        job=item_params("figure"),
        caption=lambda wildcards: report_caption(wildcards, "figure"),
        out_dir=lambda wildcards, output: str(Path(output[0]).parent),
    message:
        "Drawing figure {wildcards.figure} ({wildcards.lang}) of run {wildcards.run} into {params.out_dir}"
    script:
        "../scripts/report_figure.py"


rule report_summary:
    input:
        unpack(report_inputs),
        tables=run_tables_in("md"),
        figures=run_figures_in("png"),
        template=REPORT_ASSETS / "summary.{lang}.md.j2",
        css=REPORT_ASSETS / "summary.css",
        provenance=paths.PROVENANCE,
    output:
        md=REPORT_SUMMARY["md"],
        html=report(
            REPORT_SUMMARY["html"],
            caption="../report/captions/summary.rst",
            category=report_category_named("summary"),
            labels={"name": "summary", "language": "{lang}", "format": "html"},
        ),
        pdf=report(
            REPORT_SUMMARY["pdf"],
            caption="../report/captions/summary.rst",
            category=report_category_named("summary"),
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
        report=lambda wildcards: report_spec(wildcards.run).plain(),
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
rule report_workbook:
    input:
        tables=run_tables_in("json"),
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
        figures=run_figures_in("png"),
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
