"""Rule report_summary: numbers.json, tables, figures, provenance.txt and configuration ->
results/<run>/summary/summary.<lang>.{md,html,pdf}."""

from teichaku.entry import setup_logging
from teichaku.report import stage
from teichaku.report.spec import parse_report_spec

setup_logging(snakemake.log[0])
config = snakemake.params.config
stage.run_summary(
    inputs=stage.load_inputs(
        paths=dict(snakemake.input.items()), thresholds=config["analysis"]["thresholds"]
    ),
    config=config,
    language=snakemake.params.language,
    codebook=snakemake.input.codebook,
    label_file=snakemake.input.labels,
    template_dir=snakemake.params.template_dir,
    css=snakemake.input.css,
    tables_dir=snakemake.params.tables_dir,
    figures_dir=snakemake.params.figures_dir,
    provenance_file=snakemake.input.provenance,
    out_md=snakemake.output.md,
    out_html=snakemake.output.html,
    out_pdf=snakemake.output.pdf,
    report=parse_report_spec(snakemake.params.report),
    simulation_md=snakemake.params.simulation if snakemake.params.simulation_digest else None,
)
