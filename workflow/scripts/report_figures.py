"""Rule report_figures: processed data, model results and curves ->
results/figures/*.{png,pdf}."""

from teichaku.report import run

run.setup_logging(snakemake.log[0])
inputs = run.load_inputs(dict(snakemake.input.items()), snakemake.params.config)
run.run_figures(inputs, snakemake.params.config, snakemake.input.labels,
                snakemake.params.out_dir)
