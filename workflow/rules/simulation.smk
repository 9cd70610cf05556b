# Simulation study and power analysis (config/simulation.yaml, key simulation.study):
#
#   snakemake simulation --cores 2                   locally
#   snakemake --profile profiles/slurm simulation    on a SLURM cluster (one job per chunk)
#
# Not part of `all`. Scenarios and chunks of replicates are wildcards: every chunk is an
# independent job writing results/simulation/replicates/<scenario>/chunk-<nnnn>.tsv, gathered
# into the performance table, the power figure and a Markdown section for the summary. The
# models without a generator truth get it from one large population per scenario
# (results/simulation/truth/<scenario>.tsv, one job each, kept when replicates change).

import copy

import yaml

from teichaku.simulation.study import override_replicates, study_from_config

# The validated study (schema defaults filled in), with the replicates override of config.yaml.
with open(config["simulation"]["study"], encoding="utf-8") as _fh:
    SIM_STUDY = yaml.safe_load(_fh)
validate(SIM_STUDY, Path(workflow.basedir) / "workflow/schemas/simulation.schema.yaml")
SIM_STUDY = override_replicates(SIM_STUDY, config["simulation"]["replicates"])
SIM_RESOURCES = SIM_STUDY["resources"]
SIM_CHUNK = paths.SIMULATION_CHUNK
SIM_BENCHMARK = paths.simulation_benchmark("{scenario}/chunk-{chunk}")
SIM_CHUNKS = [(c.scenario, c.wildcard) for c in study_from_config(SIM_STUDY).chunks()]
SIM_CHUNK_FILES = [SIM_CHUNK.format(scenario=s, chunk=c) for s, c in SIM_CHUNKS]
SIM_BENCHMARK_FILES = [SIM_BENCHMARK.format(scenario=s, chunk=c) for s, c in SIM_CHUNKS]
SIM_TRUTH_FILES = [
    paths.fill(paths.SIMULATION_TRUTH, scenario=s.name)
    for s in study_from_config(SIM_STUDY).scenarios
]
# The targets of `snakemake simulation`.
SIM_FIGURE = {ext: paths.fill(paths.SIMULATION_FIGURE, ext=ext) for ext in ("png", "pdf")}
SIM_OUTPUTS = [
    paths.SIMULATION_PERFORMANCE,
    paths.SIMULATION_SCENARIOS,
    *SIM_FIGURE.values(),
    paths.SIMULATION_SECTION,
    paths.SIMULATION_TIMING,
]
# (The study's design rests on the main run's published figures: a run without them,
# published: null, has no simulation study.)
SIM_INPUTS = dict(
    codebook=config["codebook"],
    published=config["published"] or [],
    synthetic=config["input"]["synthetic_config"],
    models=config["analysis"]["models"],
)
# What load_simulation reads of the workflow's config (paths and the analysis settings).
SIM_PARAMS = dict(
    study=SIM_STUDY,
    config={
        "codebook": config["codebook"],
        "published": config["published"],
        "input": {"synthetic_config": config["input"]["synthetic_config"]},
        "analysis": copy.deepcopy(config["analysis"]),
    },
)


# Gathering is light: it runs beside Snakemake (on a cluster's login node); only the chunks
# become cluster jobs. Its threads and resources still bound it under `--cores`.
localrules:
    simulation_performance,
    simulation_figure,
    simulation_summary,
    simulation_timing,


wildcard_constraints:
    scenario=r"[A-Za-z0-9_-]+",
    chunk=r"\d{4}",


rule simulation:
    input:
        SIM_OUTPUTS,
    message:
        "The simulation study is complete"


rule simulation_chunk:
    input:
        **SIM_INPUTS,
    output:
        SIM_CHUNK,
    log:
        paths.simulation_log("{scenario}/chunk-{chunk}"),
    benchmark:
        SIM_BENCHMARK
    conda:
        ENV
    threads: SIM_RESOURCES["chunk"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["chunk"]["mem_mb"],
        runtime=SIM_RESOURCES["chunk"]["runtime"],
    params:
        **SIM_PARAMS,
    message:
        "Simulating scenario {wildcards.scenario}, chunk {wildcards.chunk} of the simulation study"
    script:
        "../scripts/simulate_chunk.py"


rule simulation_truth:
    input:
        **SIM_INPUTS,
    output:
        paths.SIMULATION_TRUTH,
    log:
        paths.simulation_log("{scenario}/truth"),
    benchmark:
        paths.simulation_benchmark("{scenario}/truth")
    conda:
        ENV
    threads: SIM_RESOURCES["gather"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["gather"]["mem_mb"],
        runtime=SIM_RESOURCES["gather"]["runtime"],
    params:
        **SIM_PARAMS,
    message:
        "Fitting the models without a generator truth to the population of scenario {wildcards.scenario}"
    script:
        "../scripts/simulate_truth.py"


rule simulation_performance:
    input:
        **SIM_INPUTS,
        chunks=SIM_CHUNK_FILES,
        truths=SIM_TRUTH_FILES,
    output:
        performance=paths.SIMULATION_PERFORMANCE,
        scenarios=paths.SIMULATION_SCENARIOS,
    log:
        paths.simulation_log("performance"),
    benchmark:
        paths.simulation_benchmark("performance")
    conda:
        ENV
    threads: SIM_RESOURCES["gather"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["gather"]["mem_mb"],
        runtime=SIM_RESOURCES["gather"]["runtime"],
    params:
        **SIM_PARAMS,
    message:
        "Gathering the simulation chunks into {output.performance}"
    script:
        "../scripts/simulate_performance.py"


rule simulation_figure:
    input:
        **SIM_INPUTS,
        performance=paths.SIMULATION_PERFORMANCE,
        scenarios=paths.SIMULATION_SCENARIOS,
    output:
        png=SIM_FIGURE["png"],
        pdf=SIM_FIGURE["pdf"],
    log:
        paths.simulation_log("figure"),
    benchmark:
        paths.simulation_benchmark("figure")
    conda:
        ENV
    threads: SIM_RESOURCES["gather"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["gather"]["mem_mb"],
        runtime=SIM_RESOURCES["gather"]["runtime"],
    params:
        **SIM_PARAMS,
    message:
        "Drawing the power figure {output.png}"
    script:
        "../scripts/simulate_figure.py"


rule simulation_summary:
    input:
        **SIM_INPUTS,
        performance=paths.SIMULATION_PERFORMANCE,
        scenarios=paths.SIMULATION_SCENARIOS,
        figure=SIM_FIGURE["png"],
    output:
        paths.SIMULATION_SECTION,
    log:
        paths.simulation_log("summary"),
    benchmark:
        paths.simulation_benchmark("summary")
    conda:
        ENV
    threads: SIM_RESOURCES["gather"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["gather"]["mem_mb"],
        runtime=SIM_RESOURCES["gather"]["runtime"],
    params:
        **SIM_PARAMS,
    message:
        "Writing the simulation study's summary section {output}"
    script:
        "../scripts/simulate_summary.py"


rule simulation_timing:
    input:
        **SIM_INPUTS,
        benchmarks=SIM_BENCHMARK_FILES,
        chunks=SIM_CHUNK_FILES,
    output:
        paths.SIMULATION_TIMING,
    log:
        paths.simulation_log("timing"),
    benchmark:
        paths.simulation_benchmark("timing")
    conda:
        ENV
    threads: SIM_RESOURCES["gather"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["gather"]["mem_mb"],
        runtime=SIM_RESOURCES["gather"]["runtime"],
    params:
        **SIM_PARAMS,
    message:
        "Timing the simulation chunks into {output}"
    script:
        "../scripts/simulate_timing.py"
