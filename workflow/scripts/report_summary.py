"""Rule report_summary: numbers.json, tables, figures and configuration ->
results/summary/summary.{md,html,pdf}."""

from teichaku.report import run

run.setup_logging(snakemake.log[0])
config = snakemake.params.config
inputs = run.load_inputs(dict(snakemake.input.items()), config["analysis"]["thresholds"])
extra = (
    {"synthetic": run.read_yaml(config["input"]["synthetic_config"])}
    if config["input"]["source"] == "synthetic"
    else {}
)
run.run_summary(
    inputs=inputs,
    config=config,
    label_file=snakemake.input.labels,
    template_dir=snakemake.params.template_dir,
    css=snakemake.input.css,
    tables_dir=snakemake.params.tables_dir,
    figures_dir=snakemake.params.figures_dir,
    hashed_inputs=[*snakemake.input.raw, *snakemake.input.hashed],
    extra_configs=extra,
    repo_dir=snakemake.params.repo_dir,
    out_md=snakemake.output.md,
    out_html=snakemake.output.html,
    out_pdf=snakemake.output.pdf,
    simulation_md=snakemake.params.simulation if snakemake.params.simulation_digest else None,
)
