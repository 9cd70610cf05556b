"""Rule simulation_chunk: one chunk of replicates of one scenario -> its replicate table."""

from teichaku.ingest.run import setup_logging
from teichaku.simulation.stage import load_simulation, write_chunk

setup_logging(snakemake.log[0])
write_chunk(
    load_simulation(snakemake.params.study, snakemake.params.config),
    snakemake.wildcards.scenario,
    snakemake.wildcards.chunk,
    snakemake.output[0],
)
