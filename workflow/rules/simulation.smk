# Simulation study and power analysis (config/simulation.yaml, key simulation.study):
#
#   snakemake simulation --cores 2                   locally
#   snakemake --profile profiles/slurm simulation    on a SLURM cluster (one job per chunk)
#
# Not part of `all`. Scenarios and chunks of replicates are wildcards: every chunk is an
# independent job writing results/simulation/replicates/<scenario>/chunk-<nnnn>.tsv, gathered
# into the performance table, the power figure and a Markdown section for the summary.

import copy

import yaml

from teichaku.simulation.study import override_replicates, study_from_config

SIM_DIR = Path("results/simulation")
# The validated study (schema defaults filled in), with the replicates override of config.yaml.
with open(config["simulation"]["study"], encoding="utf-8") as _fh:
    SIM_STUDY = yaml.safe_load(_fh)
validate(SIM_STUDY, "../schemas/simulation.schema.yaml")
SIM_STUDY = override_replicates(SIM_STUDY, config["simulation"]["replicates"])
SIM_RESOURCES = SIM_STUDY["resources"]
SIM_CHUNK = str(SIM_DIR / "replicates/{scenario}/chunk-{chunk}.tsv")
SIM_BENCHMARK = "benchmarks/simulation/{scenario}/chunk-{chunk}.tsv"
SIM_CHUNKS = [(c.scenario, c.wildcard) for c in study_from_config(SIM_STUDY).chunks()]
SIM_CHUNK_FILES = [SIM_CHUNK.format(scenario=s, chunk=c) for s, c in SIM_CHUNKS]
SIM_BENCHMARK_FILES = [SIM_BENCHMARK.format(scenario=s, chunk=c) for s, c in SIM_CHUNKS]
# The targets of `snakemake simulation`.
SIM_OUTPUTS = [
    SIM_DIR / "performance.tsv",
    SIM_DIR / "scenarios.tsv",
    SIM_DIR / "power_by_cases.png",
    SIM_DIR / "power_by_cases.pdf",
    SIM_DIR / "summary.md",
    SIM_DIR / "timing.tsv",
]
SIM_INPUTS = dict(
    codebook=config["codebook"],
    published=config["published"],
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


rule simulation_chunk:
    input:
        **SIM_INPUTS,
    output:
        SIM_CHUNK,
    params:
        **SIM_PARAMS,
    log:
        "logs/simulation/{scenario}/chunk-{chunk}.log",
    benchmark:
        SIM_BENCHMARK
    threads: SIM_RESOURCES["chunk"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["chunk"]["mem_mb"],
        runtime=SIM_RESOURCES["chunk"]["runtime"],
    conda:
        ENV
    script:
        "../scripts/simulate_chunk.py"


rule simulation_performance:
    input:
        **SIM_INPUTS,
        chunks=SIM_CHUNK_FILES,
    output:
        performance=SIM_DIR / "performance.tsv",
        scenarios=SIM_DIR / "scenarios.tsv",
    params:
        **SIM_PARAMS,
    log:
        "logs/simulation/performance.log",
    benchmark:
        "benchmarks/simulation/performance.tsv"
    threads: SIM_RESOURCES["gather"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["gather"]["mem_mb"],
        runtime=SIM_RESOURCES["gather"]["runtime"],
    conda:
        ENV
    script:
        "../scripts/simulate_performance.py"


rule simulation_figure:
    input:
        **SIM_INPUTS,
        performance=SIM_DIR / "performance.tsv",
        scenarios=SIM_DIR / "scenarios.tsv",
    output:
        png=SIM_DIR / "power_by_cases.png",
        pdf=SIM_DIR / "power_by_cases.pdf",
    params:
        **SIM_PARAMS,
    log:
        "logs/simulation/figure.log",
    benchmark:
        "benchmarks/simulation/figure.tsv"
    threads: SIM_RESOURCES["gather"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["gather"]["mem_mb"],
        runtime=SIM_RESOURCES["gather"]["runtime"],
    conda:
        ENV
    script:
        "../scripts/simulate_figure.py"


rule simulation_summary:
    input:
        **SIM_INPUTS,
        performance=SIM_DIR / "performance.tsv",
        scenarios=SIM_DIR / "scenarios.tsv",
        figure=SIM_DIR / "power_by_cases.png",
    output:
        SIM_DIR / "summary.md",
    params:
        **SIM_PARAMS,
    log:
        "logs/simulation/summary.log",
    benchmark:
        "benchmarks/simulation/summary.tsv"
    threads: SIM_RESOURCES["gather"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["gather"]["mem_mb"],
        runtime=SIM_RESOURCES["gather"]["runtime"],
    conda:
        ENV
    script:
        "../scripts/simulate_summary.py"


rule simulation_timing:
    input:
        **SIM_INPUTS,
        benchmarks=SIM_BENCHMARK_FILES,
        chunks=SIM_CHUNK_FILES,
    output:
        SIM_DIR / "timing.tsv",
    params:
        **SIM_PARAMS,
    log:
        "logs/simulation/timing.log",
    benchmark:
        "benchmarks/simulation/timing.tsv"
    threads: SIM_RESOURCES["gather"]["threads"]
    resources:
        mem_mb=SIM_RESOURCES["gather"]["mem_mb"],
        runtime=SIM_RESOURCES["gather"]["runtime"],
    conda:
        ENV
    script:
        "../scripts/simulate_timing.py"
