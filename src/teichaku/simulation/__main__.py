"""``python -m teichaku.simulation {chunks,truth,performance,figure,summary,timing}``: the
simulation rules on the workflow's paths (``chunks`` runs every chunk in turn, ``truth``
every scenario's population; ``timing`` reads the benchmark files that only a Snakemake run
writes)."""

import copy
from pathlib import Path

from teichaku import paths
from teichaku.entry import config_schema, main, read_yaml
from teichaku.simulation import stage
from teichaku.simulation.study import override_replicates

CHUNK_LOG = "{scenario}/chunk-{chunk}"


def _simulation(config: dict) -> stage.Simulation:
    """The study as simulation.smk reads it: validated (defaults filled), replicates
    overridden by config.yaml's simulation.replicates."""
    from snakemake.utils import validate

    study = read_yaml(config["simulation"]["study"])
    validate(study, str(config_schema().with_name("simulation.schema.yaml")))
    study = override_replicates(study, config["simulation"]["replicates"])
    return stage.load_simulation(study_config=study, config=copy.deepcopy(config))


def _chunks(config: dict) -> list[tuple[str, str]]:
    return [(c.scenario, c.wildcard) for c in _simulation(config).study.chunks()]


def _chunk_files(config: dict) -> list[str]:
    return [paths.fill(paths.SIMULATION_CHUNK, scenario=s, chunk=c) for s, c in _chunks(config)]


def chunks(config: dict) -> None:
    sim = _simulation(config)
    for scenario, chunk in _chunks(config):
        output = paths.fill(paths.SIMULATION_CHUNK, scenario=scenario, chunk=chunk)
        stage.write_chunk(sim=sim, scenario=scenario, chunk=chunk, output=output)


def _truth_files(sim: stage.Simulation) -> list[str]:
    return [paths.fill(paths.SIMULATION_TRUTH, scenario=s.name) for s in sim.study.scenarios]


def truth(config: dict) -> None:
    sim = _simulation(config)
    for scenario, output in zip(sim.study.scenarios, _truth_files(sim), strict=True):
        stage.write_truth(sim=sim, scenario=scenario.name, output=output)


def performance(config: dict) -> None:
    sim = _simulation(config)
    stage.write_performance(
        sim=sim,
        chunks=_chunk_files(config),
        truths=_truth_files(sim),
        performance_path=paths.SIMULATION_PERFORMANCE,
        scenarios_path=paths.SIMULATION_SCENARIOS,
    )


def figure(config: dict) -> None:
    stage.write_power_figure(
        sim=_simulation(config),
        performance_path=paths.SIMULATION_PERFORMANCE,
        scenarios_path=paths.SIMULATION_SCENARIOS,
        stem=Path(paths.fill(paths.SIMULATION_FIGURE, ext="png")).with_suffix(""),
    )


def summary(config: dict) -> None:
    stage.write_summary(
        sim=_simulation(config),
        performance_path=paths.SIMULATION_PERFORMANCE,
        scenarios_path=paths.SIMULATION_SCENARIOS,
        figure=paths.fill(paths.SIMULATION_FIGURE, ext="png"),
        output=paths.SIMULATION_SECTION,
    )


def timing(config: dict) -> None:
    stage.write_timing(
        sim=_simulation(config),
        benchmarks=[
            paths.simulation_benchmark(CHUNK_LOG.format(scenario=s, chunk=c))
            for s, c in _chunks(config)
        ],
        output=paths.SIMULATION_TIMING,
    )


main(
    "simulation",
    {
        "chunks": chunks,
        "truth": truth,
        "performance": performance,
        "figure": figure,
        "summary": summary,
        "timing": timing,
    },
)
