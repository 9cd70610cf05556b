"""Rule report_figures: processed data, model results and curves ->
results/<run>/figures/<lang>/*.{png,pdf}."""

from teichaku.entry import setup_logging
from teichaku.report import stage
from teichaku.report.spec import parse_report_spec

setup_logging(snakemake.log[0])
settings = snakemake.params.settings
stage.run_figures(
    inputs=stage.load_inputs(
        paths=dict(snakemake.input.items()), thresholds=settings["thresholds"]
    ),
    settings=settings,
    codebook=snakemake.input.codebook,
    label_file=snakemake.input.labels,
    out_dir=snakemake.params.out_dir,
    report=parse_report_spec(snakemake.params.report),
)
