"""Rule simulation_performance: all chunks -> bias, SEs, coverage and power per term."""

from teichaku.ingest.run import setup_logging
from teichaku.simulation.stage import load_simulation, write_performance

setup_logging(snakemake.log[0])
write_performance(
    load_simulation(snakemake.params.study, snakemake.params.config),
    list(snakemake.input.chunks),
    snakemake.output.performance,
    snakemake.output.scenarios,
)
