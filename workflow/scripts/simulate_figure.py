"""Rule simulation_figure: performance table -> power against the number of cases."""

from pathlib import Path

from teichaku.ingest.run import setup_logging
from teichaku.simulation.stage import load_simulation, write_power_figure

setup_logging(snakemake.log[0])
write_power_figure(
    load_simulation(snakemake.params.study, snakemake.params.config),
    snakemake.input.performance,
    snakemake.input.scenarios,
    Path(snakemake.output.png).with_suffix(""),
)
