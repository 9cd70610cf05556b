# Analysis: the analysis dataset, the models and curves declared in config/models.yaml
# (analysis.models) and results/numbers.json. Needs PROCESSED and the validation summary from
# ingest.smk; runs only once the ingestion gate has accepted the data.

import yaml

from teichaku.analysis.specs import load_analysis_spec
from teichaku.codebook import load_codebook

ANALYSIS = config["analysis"]
with open(ANALYSIS["models"], encoding="utf-8") as _fh:
    validate(yaml.safe_load(_fh), "../schemas/models.schema.yaml")
MODEL_NAMES = [
    m.name
    for m in load_analysis_spec(
        ANALYSIS["models"], ANALYSIS["thresholds"], load_codebook(config["codebook"])
    ).models
]
ANALYSIS_DATASET = "data/processed/analysis.parquet"
ANALYSIS_OUTPUTS = [
    "results/models/coefficients.csv",
    "results/models/diagnostics.csv",
    "results/models/reliability.csv",
    "results/models/curves.parquet",
    "results/numbers.json",
    *expand("results/models/fits/{model}.txt", model=MODEL_NAMES),
]


rule analysis_dataset:
    input:
        cases=PROCESSED["cases"],
        roster=PROCESSED["roster"],
        accepted="results/validation/accepted.json",
        models=ANALYSIS["models"],
        codebook=config["codebook"],
    output:
        ANALYSIS_DATASET,
    params:
        analysis=ANALYSIS,
    log:
        "logs/analysis_dataset.log",
    benchmark:
        "benchmarks/analysis_dataset.tsv"
    conda:
        ENV
    script:
        "../scripts/analysis_dataset.py"


rule analysis_models:
    input:
        analysis=ANALYSIS_DATASET,
        awareness=PROCESSED["awareness"],
        models=ANALYSIS["models"],
        codebook=config["codebook"],
    output:
        coefficients="results/models/coefficients.csv",
        diagnostics="results/models/diagnostics.csv",
        reliability="results/models/reliability.csv",
        fits=expand("results/models/fits/{model}.txt", model=MODEL_NAMES),
    params:
        analysis=ANALYSIS,
        min_cell=config["privacy"]["min_cell"],
    log:
        "logs/analysis_models.log",
    benchmark:
        "benchmarks/analysis_models.tsv"
    conda:
        ENV
    script:
        "../scripts/analysis_models.py"


rule analysis_curves:
    input:
        analysis=ANALYSIS_DATASET,
        models=ANALYSIS["models"],
        codebook=config["codebook"],
    output:
        "results/models/curves.parquet",
    params:
        analysis=ANALYSIS,
        min_cell=config["privacy"]["min_cell"],
    log:
        "logs/analysis_curves.log",
    benchmark:
        "benchmarks/analysis_curves.tsv"
    conda:
        ENV
    script:
        "../scripts/analysis_curves.py"


rule analysis_numbers:
    input:
        roster=PROCESSED["roster"],
        cases=PROCESSED["cases"],
        awareness=PROCESSED["awareness"],
        analysis=ANALYSIS_DATASET,
        coefficients="results/models/coefficients.csv",
        diagnostics="results/models/diagnostics.csv",
        reliability="results/models/reliability.csv",
        published=config["published"],
        validation="results/validation/summary.json",
        models=ANALYSIS["models"],
        codebook=config["codebook"],
    output:
        "results/numbers.json",
    params:
        analysis=ANALYSIS,
        min_cell=config["privacy"]["min_cell"],
    log:
        "logs/analysis_numbers.log",
    benchmark:
        "benchmarks/analysis_numbers.tsv"
    conda:
        ENV
    script:
        "../scripts/analysis_numbers.py"
