# Analysis: the analysis dataset, the models and curves declared in config/models.yaml
# (analysis.models) and results/<run>/numbers.json. Needs PROCESSED and the validation summary
# from ingest.smk; runs only once the ingestion gate has accepted the data.

ANALYSIS = config["analysis"]  # of the main run (the simulation study reads it)


# One fit summary per model: the runs of one invocation fit the same models.
MODEL_NAMES = model_names(RUNS[RUN])
for _name, _run_config in RUNS.items():
    if model_names(_run_config) != MODEL_NAMES:
        sys.exit(
            f"runs.{_name}: its models ({_run_config['analysis']['models']}) differ from those "
            f"of run {RUN}; runs compared in one invocation fit the same models"
        )
ANALYSIS_DATASET = paths.ANALYSIS_DATASET
ANALYSIS_OUTPUTS = [
    paths.COEFFICIENTS,
    paths.DIAGNOSTICS,
    paths.RELIABILITY,
    paths.CURVES,
    paths.CIF_PREDICTED,
    paths.NUMBERS,
    *expand(paths.FIT, model=MODEL_NAMES, allow_missing=True),
]
FITS = expand(paths.FIT, model=MODEL_NAMES, allow_missing=True)


rule analysis_dataset:
    input:
        cases=PROCESSED["cases"],
        roster=PROCESSED["roster"],
        accepted=paths.ACCEPTED,
        models=run_setting("analysis", "models"),
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
        analysis=run_setting("analysis"),
    message:
        "Building the analysis dataset {output} of run {wildcards.run}"
    script:
        "../scripts/analysis_dataset.py"


rule analysis_models:
    input:
        analysis=ANALYSIS_DATASET,
        awareness=PROCESSED["awareness"],
        models=run_setting("analysis", "models"),
        codebook=paths.ROUND_CODEBOOK,
    output:
        coefficients=paths.COEFFICIENTS,
        diagnostics=paths.DIAGNOSTICS,
        reliability=paths.RELIABILITY,
        fits=FITS,
    log:
        paths.log("analysis_models"),
    benchmark:
        paths.benchmark("analysis_models")
    conda:
        ENV
    params:
        analysis=run_setting("analysis"),
        min_cell=run_setting("privacy", "min_cell"),
    message:
        "Fitting the models of {input.models} on run {wildcards.run}: coefficients, diagnostics and one fit summary per model"
    script:
        "../scripts/analysis_models.py"


rule analysis_predictions:
    input:
        analysis=ANALYSIS_DATASET,
        reliability=paths.RELIABILITY,
        models=run_setting("analysis", "models"),
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
        analysis=run_setting("analysis"),
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
        models=run_setting("analysis", "models"),
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
        analysis=run_setting("analysis"),
        min_cell=run_setting("privacy", "min_cell"),
    message:
        "Estimating the Kaplan-Meier and Aalen-Johansen curves into {output}"
    script:
        "../scripts/analysis_curves.py"


rule disclosure_protection:
    input:
        cases=PROCESSED["cases"],
        analysis=ANALYSIS_DATASET,
        models=run_setting("analysis", "models"),
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
        analysis=run_setting("analysis"),
        min_cell=run_setting("privacy", "min_cell"),
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
        published=published_file,
        validation=paths.VALIDATION_JSON,
        models=run_setting("analysis", "models"),
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
        analysis=run_setting("analysis"),
        min_cell=run_setting("privacy", "min_cell"),
    message:
        "Collecting every number the summary quotes into {output}"
    script:
        "../scripts/analysis_numbers.py"
