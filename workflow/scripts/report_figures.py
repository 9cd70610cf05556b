"""Rule report_figures: processed data, model results and curves ->
results/figures/*.{png,pdf}."""

from teichaku.report import run

run.setup_logging(snakemake.log[0])
settings = snakemake.params.settings
inputs = run.load_inputs(dict(snakemake.input.items()), settings["thresholds"])
run.run_figures(
    inputs, settings, snakemake.input.codebook, snakemake.input.labels, snakemake.params.out_dir
)
