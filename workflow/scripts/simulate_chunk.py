"""Rule simulation_chunk: one chunk of replicates of one scenario -> its replicate table."""

from teichaku.entry import setup_logging
from teichaku.simulation.stage import load_simulation, write_chunk

setup_logging(snakemake.log[0])
write_chunk(
    sim=load_simulation(study_config=snakemake.params.study, config=snakemake.params.config),
    scenario=snakemake.wildcards.scenario,
    chunk=snakemake.wildcards.chunk,
    output=snakemake.output[0],
)
