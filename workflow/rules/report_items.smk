# The report rules' helpers (included by report.smk): the tables and figures of each run's
# config/report.yaml (report_spec, common.smk), the inputs, params, captions and categories of
# each {table} / {figure} job and the files the summary embeds.

from dataclasses import replace

from teichaku.report import catalog
from teichaku.report.facts import analysis_facts
from teichaku.report.inputs import FIGURE_READS, TABLE_READS
from teichaku.report.labels import item_title, load_labels
from teichaku.runs import language_free

# Templates, labels and CSS belong to the workflow, not to the data: resolve them from the
# workflow's own folder so that --directory elsewhere still finds them.
REPORT_ASSETS = Path(workflow.basedir) / paths.REPORT_ASSETS
REPORT_SUMMARY = {ext: paths.fill(paths.SUMMARY, ext=ext) for ext in catalog.SUMMARY_FORMATS}
# The names of every run's tables and figures (the {table} and {figure} wildcards).
REPORT_TABLE_NAMES = sorted({n for run in RUNS for n in report_spec(run).table_names()})
REPORT_FIGURE_NAMES = sorted({n for run in RUNS for n in report_spec(run).figure_names()})
REPORT_TABLE = [f"{paths.TABLES_DIR}/{{table}}.{ext}" for ext in catalog.TABLE_FORMATS]
REPORT_FIGURE = [f"{paths.FIGURES_DIR}/{{figure}}.{ext}" for ext in catalog.FIGURE_FORMATS]


def report_outputs(run):
    """Every table, figure and summary file of ``run``, in each of its languages."""
    spec = report_spec(run)
    return expand(
        [
            *REPORT_TABLE,
            *REPORT_FIGURE,
            *REPORT_SUMMARY.values(),
            paths.TABLES_WORKBOOK,
            paths.PROVENANCE,
        ],
        run=run,
        lang=languages(run),
        table=spec.table_names(),
        figure=spec.figure_names(),
    )


def item_inputs(kind):
    """The input function of a {table} / {figure} job: the files its builder reads."""
    reads = TABLE_READS if kind == "table" else FIGURE_READS

    def inputs(wildcards):
        item = report_item(wildcards, kind)
        files = input_paths(RUNS[wildcards.run], REPORT_ASSETS)
        return builder_inputs(files, reads[item.builder])

    return inputs


def report_item(wildcards, kind):
    """The entry of report.yaml of a {table} / {figure} job."""
    spec = report_spec(wildcards.run)
    return spec.table(wildcards.table) if kind == "table" else spec.figure(wildcards.figure)


def item_params(kind):
    """What a {table} / {figure} job knows (a change reruns it): its entry of report.yaml,
    the models of the main text (tables of models only), the facts of the analysis it reads
    and the report settings of its language."""
    reads = TABLE_READS if kind == "table" else FIGURE_READS
    settings = table_settings if kind == "table" else figure_settings

    def params(wildcards):
        item = report_item(wildcards, kind)
        item_reads = reads[item.builder]
        spec = report_spec(wildcards.run)
        return {
            "item": item.plain(),
            "models_main": list(spec.models_main) if "models" in item_reads.facts else [],
            "facts": analysis_facts(SPECS[wildcards.run][1], item_reads.facts),
            "settings": settings(wildcards),
        }

    return params


def report_category(kind):
    """The Snakemake report's category of a {table} / {figure}, in the run's first report
    language (ja and en files of one table side by side)."""

    def category(wildcards):
        item = report_item(wildcards, kind)
        labels = report_labels(wildcards.run, languages(wildcards.run)[0])
        return labels.entry("report_categories", item.category)

    return category


def marked(path, kind):
    """``path``, marked for the Snakemake report (captioned by its entry of report.yaml or
    labels.yaml in its language, in its category) when it is a CSV, PNG or PDF file."""
    if not path.endswith((".csv", ".png", ".pdf")):
        return path
    return report(
        path,
        caption="../report/captions/item.rst",
        category=report_category(kind),
        subcategory="{lang}",
        labels={
            "name": f"{{{kind}}}",
            "language": "{lang}",
            "format": Path(path).name.split(".", 1)[1],
        },
    )


def run_tables_in(ext):
    """The input function of the run's tables in format ``ext`` (in the job's language)."""

    def files(wildcards):
        names = report_spec(wildcards.run).table_names()
        return [paths.fill(f"{paths.TABLES_DIR}/{name}.{ext}", **wildcards) for name in names]

    return files


def run_figures_in(ext):
    """The input function of the run's figures in format ``ext`` (in the job's language)."""

    def files(wildcards):
        names = report_spec(wildcards.run).figure_names()
        return [paths.fill(f"{paths.FIGURES_DIR}/{name}.{ext}", **wildcards) for name in names]

    return files


@cache
def report_labels(run, language):
    """The report's words in ``language`` for run ``run`` (labels.yaml, its codebook and
    confidence level; its round without published figures: their captions)."""
    labels = load_labels(
        language,
        REPORT_ASSETS / "labels.yaml",
        load_codebook(RUNS[run]["codebook"]),
        RUNS[run]["analysis"]["confidence"],
    )
    return replace(labels, published=RUNS[run]["published"] is not None)


def report_caption(wildcards, kind):
    """The Snakemake report's caption of a {table} / {figure} job, in its language: the
    entry's caption of report.yaml, else its title; and the suppression rule."""
    item = report_item(wildcards, kind)
    labels = report_labels(wildcards.run, wildcards.lang)
    text = item.caption[wildcards.lang] if item.caption else item_title(item, labels, f"{kind}s")
    note = labels.text(
        "suppressed_figure_note", min_cell=RUNS[wildcards.run]["privacy"]["min_cell"]
    )
    return rst_text(f"{text} {note}")


def rst_text(text):
    """``text`` as plain reStructuredText (its markup characters escaped)."""
    return re.sub(r"([\\*`|_\[\]<>])", r"\\\1", text)
