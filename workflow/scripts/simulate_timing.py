"""Rule simulation_timing: benchmark files of the chunks -> seconds per replicate."""

from teichaku.entry import setup_logging
from teichaku.simulation.stage import load_simulation, write_timing

setup_logging(snakemake.log[0])
write_timing(
    sim=load_simulation(study_config=snakemake.params.study, config=snakemake.params.config),
    benchmarks=list(snakemake.input.benchmarks),
    output=snakemake.output[0],
)
