# The synthetic 2021 survey (input.source: synthetic): a known data-generating model calibrated
# to every figure of config/published-2021.yaml, written as messy raw files in the layout of
# FORMAT.md, with truth.json (true parameters, calibration) and defects.json (injected bad rows).
# Defined only for synthetic runs, so that it can never overwrite real files in raw_dir.

import yaml

if SYNTHETIC:

    with open(config["input"]["synthetic_config"], encoding="utf-8") as _fh:
        SYNTHETIC_CONFIG = yaml.safe_load(_fh)
    validate(SYNTHETIC_CONFIG, "../schemas/synthetic.schema.yaml")

    rule synthetic_survey:
        input:
            parameters=config["input"]["synthetic_config"],
            published=config["published"],
            codebook=config["codebook"],
        output:
            roster=RAW_DIR / "roster.xlsx",
            awareness=RAW_DIR / "awareness.xlsx",
            cases=directory(RAW_DIR / "cases"),
            truth=RAW_DIR / "truth.json",
            defects=RAW_DIR / "defects.json",
        log:
            paths.log("synthetic_survey"),
        benchmark:
            paths.benchmark("synthetic_survey")
        conda:
            ENV
        message:
            "Generating the synthetic survey (config {input.parameters}) into {output.cases} and the raw files beside it"
        script:
            "../scripts/make_synthetic.py"
