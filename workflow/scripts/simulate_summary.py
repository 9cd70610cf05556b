"""Rule simulation_summary: performance table and figure -> the summary's Markdown section."""

from teichaku.entry import setup_logging
from teichaku.simulation.stage import load_simulation, write_summary

setup_logging(snakemake.log[0])
write_summary(
    sim=load_simulation(study_config=snakemake.params.study, config=snakemake.params.config),
    performance_path=snakemake.input.performance,
    scenarios_path=snakemake.input.scenarios,
    figure=snakemake.input.figure,
    output=snakemake.output[0],
)
