"""Rule report_tables: processed data and model results -> results/tables/*.{csv,md,tex}."""

from teichaku.report import run

run.setup_logging(snakemake.log[0])
settings = snakemake.params.settings
inputs = run.load_inputs(dict(snakemake.input.items()), settings["thresholds"])
run.run_tables(
    inputs, settings, snakemake.input.codebook, snakemake.input.labels, snakemake.params.out_dir
)
