"""Rule report_tables: processed data and model results -> results/tables/*.{csv,md,tex}."""

from teichaku.report import run

run.setup_logging(snakemake.log[0])
inputs = run.load_inputs(dict(snakemake.input.items()), snakemake.params.config)
run.run_tables(inputs, snakemake.params.config, snakemake.input.labels,
               snakemake.params.out_dir)
