"""Rule simulation_truth: one scenario's large population -> the pseudo-true values of the
models without a generator truth."""

from teichaku.entry import setup_logging
from teichaku.simulation.stage import load_simulation, write_truth

setup_logging(snakemake.log[0])
write_truth(
    sim=load_simulation(study_config=snakemake.params.study, config=snakemake.params.config),
    scenario=snakemake.wildcards.scenario,
    output=snakemake.output[0],
)
