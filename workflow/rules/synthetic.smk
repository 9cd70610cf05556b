# The synthetic surveys (runs with input.source: synthetic): a known data-generating model
# calibrated to every figure of the run's published figures (config/published-2021.yaml),
# written as messy raw files in the layout of FORMAT.md into data/raw/<run>/, with truth.json
# (true parameters, calibration) and defects.json (injected bad rows). Defined only for the
# synthetic runs, so that it can never overwrite a real run's files.

import yaml

if SYNTHETIC_RUNS:

    for _name in SYNTHETIC_RUNS:
        with open(RUNS[_name]["input"]["synthetic_config"], encoding="utf-8") as _fh:
            validate(yaml.safe_load(_fh), "../schemas/synthetic.schema.yaml")

    rule synthetic_survey:
        input:
            parameters=run_setting("input", "synthetic_config"),
            published=run_setting("published"),
            codebook=run_setting("codebook"),
        output:
            roster=f"{paths.SYNTHETIC_RAW_DIR}/roster.xlsx",
            awareness=f"{paths.SYNTHETIC_RAW_DIR}/awareness.xlsx",
            cases=directory(f"{paths.SYNTHETIC_RAW_DIR}/cases"),
            truth=f"{paths.SYNTHETIC_RAW_DIR}/truth.json",
            defects=f"{paths.SYNTHETIC_RAW_DIR}/defects.json",
        log:
            paths.log("synthetic_survey"),
        benchmark:
            paths.benchmark("synthetic_survey")
        wildcard_constraints:
            run="|".join(map(re.escape, SYNTHETIC_RUNS)),
        conda:
            ENV
        message:
            "Generating the synthetic survey of run {wildcards.run} (config {input.parameters}) into {output.cases} and the raw files beside it"
        script:
            "../scripts/make_synthetic.py"
