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
ANALYSIS_DATASET = paths.ANALYSIS_DATASET
ANALYSIS_OUTPUTS = [
    paths.COEFFICIENTS,
    paths.DIAGNOSTICS,
    paths.RELIABILITY,
    paths.CURVES,
    paths.CIF_PREDICTED,
    paths.NUMBERS,
    *expand(paths.FIT, model=MODEL_NAMES),
]


rule analysis_dataset:
    input:
        cases=PROCESSED["cases"],
        roster=PROCESSED["roster"],
        accepted=paths.ACCEPTED,
        models=ANALYSIS["models"],
        codebook=config["codebook"],
    output:
        ANALYSIS_DATASET,
    log:
        paths.log("analysis_dataset"),
    benchmark:
        paths.benchmark("analysis_dataset")
    conda:
        ENV
    params:
        analysis=ANALYSIS,
    message:
        "Building the analysis dataset {output}"
    script:
        "../scripts/analysis_dataset.py"


rule analysis_models:
    input:
        analysis=ANALYSIS_DATASET,
        awareness=PROCESSED["awareness"],
        models=ANALYSIS["models"],
        codebook=config["codebook"],
    output:
        coefficients=paths.COEFFICIENTS,
        diagnostics=paths.DIAGNOSTICS,
        reliability=paths.RELIABILITY,
        fits=expand(paths.FIT, model=MODEL_NAMES),
    log:
        paths.log("analysis_models"),
    benchmark:
        paths.benchmark("analysis_models")
    conda:
        ENV
    params:
        analysis=ANALYSIS,
        min_cell=config["privacy"]["min_cell"],
    message:
        "Fitting the models of {input.models}: coefficients, diagnostics and one fit summary per model"
    script:
        "../scripts/analysis_models.py"


rule analysis_predictions:
    input:
        analysis=ANALYSIS_DATASET,
        reliability=paths.RELIABILITY,
        models=ANALYSIS["models"],
        codebook=config["codebook"],
    output:
        paths.CIF_PREDICTED,
    log:
        paths.log("analysis_predictions"),
    benchmark:
        paths.benchmark("analysis_predictions")
    conda:
        ENV
    params:
        analysis=ANALYSIS,
        min_cell=config["privacy"]["min_cell"],
    message:
        "Predicting the cumulative incidence of the Fine-Gray models into {output}"
    script:
        "../scripts/analysis_predictions.py"


rule analysis_curves:
    input:
        analysis=ANALYSIS_DATASET,
        cases=PROCESSED["cases"],
        protection=paths.PROTECTION,
        models=ANALYSIS["models"],
        codebook=config["codebook"],
    output:
        paths.CURVES,
    log:
        paths.log("analysis_curves"),
    benchmark:
        paths.benchmark("analysis_curves")
    conda:
        ENV
    params:
        analysis=ANALYSIS,
        min_cell=config["privacy"]["min_cell"],
    message:
        "Estimating the Kaplan-Meier and Aalen-Johansen curves into {output}"
    script:
        "../scripts/analysis_curves.py"


rule disclosure_protection:
    input:
        cases=PROCESSED["cases"],
        analysis=ANALYSIS_DATASET,
        models=ANALYSIS["models"],
        codebook=config["codebook"],
    output:
        paths.PROTECTION,
    log:
        paths.log("disclosure_protection"),
    benchmark:
        paths.benchmark("disclosure_protection")
    conda:
        ENV
    params:
        analysis=ANALYSIS,
        min_cell=config["privacy"]["min_cell"],
    message:
        "Suppressing and auditing the counts of tables 1-3 (primary and secondary) into {output}"
    script:
        "../scripts/disclosure_protection.py"


rule analysis_numbers:
    input:
        roster=PROCESSED["roster"],
        cases=PROCESSED["cases"],
        awareness=PROCESSED["awareness"],
        analysis=ANALYSIS_DATASET,
        coefficients=paths.COEFFICIENTS,
        diagnostics=paths.DIAGNOSTICS,
        reliability=paths.RELIABILITY,
        protection=paths.PROTECTION,
        published=config["published"],
        validation=paths.VALIDATION_JSON,
        models=ANALYSIS["models"],
        codebook=config["codebook"],
    output:
        paths.NUMBERS,
    log:
        paths.log("analysis_numbers"),
    benchmark:
        paths.benchmark("analysis_numbers")
    conda:
        ENV
    params:
        analysis=ANALYSIS,
        min_cell=config["privacy"]["min_cell"],
    message:
        "Collecting every number the summary quotes into {output}"
    script:
        "../scripts/analysis_numbers.py"
