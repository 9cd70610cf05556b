# The synthetic surveys (runs with input.source: synthetic): a known data-generating model
# calibrated to every figure of the run's published figures (config/published-2021.yaml),
# written as messy raw files in the layout of FORMAT.md into data/raw/<run>/, with truth.json
# (true parameters, calibration) and defects.json (injected bad rows). Defined only for the
# synthetic runs, so that it can never overwrite a real run's files. A later round
# (config/synthetic-2022.yaml, teichaku.synthetic.later_round) follows the population of the
# declared run it names (follows:), redrawn from that run's own files.

from teichaku import yamlio
from teichaku.synthetic.rounds import follows

if SYNTHETIC_RUNS:

    for _name in SYNTHETIC_RUNS:
        _parameters = RUNS[_name]["input"]["synthetic_config"]
        if not Path(_parameters).is_file():
            sys.exit(
                f"run {_name}: input.synthetic_config {_parameters} is not a file (the "
                "synthetic survey's parameters, config/synthetic.yaml by default; paths are "
                "relative to the working directory)"
            )
        with open(_parameters, encoding="utf-8") as _fh:
            _schema = "synthetic-round" if follows(_parameters) else "synthetic"
            validate(
                yamlio.safe_load(_fh),
                Path(workflow.basedir) / f"workflow/schemas/{_schema}.schema.yaml",
            )

    rule synthetic_survey:
        input:
            unpack(synthetic_inputs),
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
