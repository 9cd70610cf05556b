"""Rule simulation_figure: performance table -> power against the number of cases."""

from pathlib import Path

from teichaku.entry import setup_logging
from teichaku.simulation.stage import load_simulation, write_power_figure

setup_logging(snakemake.log[0])
write_power_figure(
    sim=load_simulation(study_config=snakemake.params.study, config=snakemake.params.config),
    performance_path=snakemake.input.performance,
    scenarios_path=snakemake.input.scenarios,
    stem=Path(snakemake.output.png).with_suffix(""),
)
