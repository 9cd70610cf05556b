"""Rule simulation_performance: all chunks and the scenarios' population truths -> bias,
SEs, coverage and power per term."""

from teichaku.entry import setup_logging
from teichaku.simulation.stage import load_simulation, write_performance

setup_logging(snakemake.log[0])
write_performance(
    sim=load_simulation(study_config=snakemake.params.study, config=snakemake.params.config),
    chunks=list(snakemake.input.chunks),
    truths=list(snakemake.input.truths),
    performance_path=snakemake.output.performance,
    scenarios_path=snakemake.output.scenarios,
)
