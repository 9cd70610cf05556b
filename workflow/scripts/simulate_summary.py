"""Rule simulation_summary: performance table and figure -> the summary's Markdown section."""

from teichaku.ingest.run import setup_logging
from teichaku.simulation.stage import load_simulation, write_summary

setup_logging(snakemake.log[0])
write_summary(
    load_simulation(snakemake.params.study, snakemake.params.config),
    snakemake.input.performance,
    snakemake.input.scenarios,
    snakemake.input.figure,
    snakemake.output[0],
)
