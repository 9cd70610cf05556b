# Analysis: the analysis dataset, the models and curves declared in config/models.yaml
# (analysis.models) and results/<run>/numbers.json. Needs PROCESSED and the validation summary
# from ingest.smk; runs only once the ingestion gate has accepted the data.
#
# One job per model (analysis_model), so that the models are fitted side by side; the rule
# analysis_models gathers them into coefficients.csv, diagnostics.csv and reliability.csv.
# No rule reads config/models.yaml as an input: each is given its part of it as params
# (teichaku.analysis.parts), so editing one model's entry reruns that model and what reads the
# gathered files, not the analysis dataset, the curves or the protection of tables 1-3.


include: "analysis_specs.smk"


ANALYSIS = config["analysis"]  # of the main run (the simulation study reads it)
ANALYSIS_DATASET = paths.ANALYSIS_DATASET
FITS = expand(paths.FIT, model=MODEL_NAMES, allow_missing=True)
ANALYSIS_OUTPUTS = [
    paths.COEFFICIENTS,
    paths.DIAGNOSTICS,
    paths.RELIABILITY,
    paths.CURVES,
    paths.CIF_PREDICTED,
    paths.NUMBERS,
    *FITS,
]


rule analysis_dataset:
    input:
        cases=PROCESSED["cases"],
        roster=PROCESSED["roster"],
        accepted=paths.ACCEPTED,
        codebook=paths.ROUND_CODEBOOK,
    output:
        ANALYSIS_DATASET,
    log:
        paths.log("analysis_dataset"),
    benchmark:
        paths.benchmark("analysis_dataset")
    conda:
        ENV
    params:
        spec=spec_of(parts.dataset_spec),
        thresholds=thresholds,
    message:
        "Building the analysis dataset {output} of run {wildcards.run}"
    script:
        "../scripts/analysis_dataset.py"


rule analysis_model:
    input:
        analysis=ANALYSIS_DATASET,
        awareness=model_awareness,
        codebook=paths.ROUND_CODEBOOK,
    output:
        fit=paths.FIT,
        coefficients=paths.MODEL_COEFFICIENTS,
        diagnostics=paths.MODEL_DIAGNOSTICS,
        reliability=paths.MODEL_RELIABILITY,
    log:
        paths.log("analysis_model_{model}"),
    benchmark:
        paths.benchmark("analysis_model_{model}")
    wildcard_constraints:
        model="|".join(map(re.escape, MODEL_NAMES)),
    conda:
        ENV
    params:
        spec=model_part,
        analysis=model_settings,
        min_cell=run_setting("privacy", "min_cell"),
    message:
        "Fitting the model {wildcards.model} on run {wildcards.run}: {output.fit}"
    script:
        "../scripts/analysis_model.py"


rule analysis_models:
    input:
        coefficients=expand(paths.MODEL_COEFFICIENTS, model=MODEL_NAMES, allow_missing=True),
        diagnostics=expand(paths.MODEL_DIAGNOSTICS, model=MODEL_NAMES, allow_missing=True),
    output:
        coefficients=report(
            paths.COEFFICIENTS,
            caption="../report/captions/coefficients.rst",
            category=report_category_named("models"),
            labels={"name": "coefficients", "format": "csv"},
        ),
        diagnostics=report(
            paths.DIAGNOSTICS,
            caption="../report/captions/diagnostics.rst",
            category=report_category_named("models"),
            labels={"name": "diagnostics", "format": "csv"},
        ),
        reliability=paths.RELIABILITY,
    log:
        paths.log("analysis_models"),
    benchmark:
        paths.benchmark("analysis_models")
    conda:
        ENV
    params:
        models=MODEL_NAMES,
        rules=run_setting("analysis", "reliability"),
        min_cell=run_setting("privacy", "min_cell"),
    message:
        "Gathering the models of run {wildcards.run} into {output.coefficients}, {output.diagnostics} and {output.reliability}"
    script:
        "../scripts/analysis_models.py"


rule analysis_predictions:
    input:
        analysis=ANALYSIS_DATASET,
        reliability=predicted_reliability,
        codebook=paths.ROUND_CODEBOOK,
    output:
        paths.CIF_PREDICTED,
    log:
        paths.log("analysis_predictions"),
    benchmark:
        paths.benchmark("analysis_predictions")
    conda:
        ENV
    params:
        spec=spec_of(parts.predictions_spec),
        min_cell=run_setting("privacy", "min_cell"),
    message:
        "Predicting the cumulative incidence of the Fine-Gray models into {output}"
    script:
        "../scripts/analysis_predictions.py"


rule analysis_curves:
    input:
        analysis=ANALYSIS_DATASET,
        cases=PROCESSED["cases"],
        protection=paths.PROTECTION,
        codebook=paths.ROUND_CODEBOOK,
    output:
        paths.CURVES,
    log:
        paths.log("analysis_curves"),
    benchmark:
        paths.benchmark("analysis_curves")
    conda:
        ENV
    params:
        spec=spec_of(parts.curves_spec),
        confidence=run_setting("analysis", "confidence"),
        prolonged=prolonged,
        min_cell=run_setting("privacy", "min_cell"),
    message:
        "Estimating the Kaplan-Meier and Aalen-Johansen curves into {output}"
    script:
        "../scripts/analysis_curves.py"


rule disclosure_protection:
    input:
        cases=PROCESSED["cases"],
        analysis=ANALYSIS_DATASET,
        codebook=paths.ROUND_CODEBOOK,
    output:
        paths.PROTECTION,
    log:
        paths.log("disclosure_protection"),
    benchmark:
        paths.benchmark("disclosure_protection")
    conda:
        ENV
    params:
        prolonged=prolonged,
        min_cell=run_setting("privacy", "min_cell"),
        crosstabs=report_crosstabs,  # report.yaml's cross-tabulations, protected with them
    message:
        "Suppressing and auditing the counts of tables 1-3 and the cross-tabulations (primary and secondary) into {output}"
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
        published=published_file,
        validation=paths.VALIDATION_JSON,
        codebook=paths.ROUND_CODEBOOK,
    output:
        paths.NUMBERS,
    log:
        paths.log("analysis_numbers"),
    benchmark:
        paths.benchmark("analysis_numbers")
    conda:
        ENV
    params:
        spec=spec_of(parts.numbers_spec),
        analysis=model_settings,
        min_cell=run_setting("privacy", "min_cell"),
    message:
        "Collecting every number the summary quotes into {output}"
    script:
        "../scripts/analysis_numbers.py"
