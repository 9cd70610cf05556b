"""Rule simulation_timing: benchmark files of the chunks -> seconds per replicate."""

from teichaku.ingest.run import setup_logging
from teichaku.simulation.stage import load_simulation, write_timing

setup_logging(snakemake.log[0])
write_timing(
    load_simulation(snakemake.params.study, snakemake.params.config),
    list(snakemake.input.benchmarks),
    snakemake.output[0],
)
