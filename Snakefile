# teichaku: the follow-up survey of the Community Life Settlement Support Centers,
# from raw spreadsheets to models, figures, tables and a paper-ready summary.
#
#   snakemake --cores all              the default run (synthetic survey)
#   snakemake -n                       show what would run
#   snakemake --configfile my.yaml     point the same workflow at real files (its own run:)
#   snakemake runs                     every run declared under runs: as well
#   snakemake compare                  the runs of compare: and their comparison (results/compare/)
#
# Every run writes under data/processed/<run>/ and results/<run>/ (teichaku.paths).

import re
import sys
import time
from functools import partial
from pathlib import Path

from snakemake.utils import min_version

from teichaku import paths
from teichaku.ingest.gate import stop_message
from teichaku.runs import RunConfigError, declared_runs, foreign_input, validate_config

min_version("9.0")


STARTED = time.time()  # the gate's message is shown when the gate stopped this run


configfile: "config/config.yaml"


# The landing page of `snakemake --report` (in the run's first report language).
report: "workflow/report/workflow.rst"


# Each run's configuration validated (defaults filled in): the main run (config key run) and
# the runs declared under runs:.
validate_run_config = partial(
    validate_config, schema=Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
)
validate_run_config(config)
try:
    RUNS = declared_runs(config, validate_run_config)
except RunConfigError as error:
    sys.exit(f"{error}")
RUN = config["run"]
# A run never writes into folders holding another input's outputs (unless overwrite: true).
if not config["overwrite"]:
    for _refused in filter(None, map(foreign_input, RUNS.values())):
        sys.exit(_refused)


# {run} is one of the declared runs, {lang} one of the report's languages (teichaku.paths).
wildcard_constraints:
    run="|".join(map(re.escape, RUNS)),
    lang="|".join(paths.LANGUAGES),


include: "workflow/rules/common.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/docs.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/simulation.smk"
include: "workflow/rules/notebooks.smk"
include: "workflow/rules/compare.smk"


rule all:
    default_target: True
    input:
        run_targets(RUN),
    message:
        f"Run {RUN} is complete: results/{RUN}/"


rule runs:
    input:
        [target for run in RUNS for target in run_targets(run)],
    message:
        f"Every declared run is complete: {', '.join(RUNS)}"


rule compare:
    input:
        COMPARE_OUTPUTS,
        [target for run in COMPARE_RUNS for target in run_targets(run)],
    message:
        f"The runs of compare: ({', '.join(COMPARE_RUNS)}) and their comparison are complete: {paths.COMPARE_DIR}/"


onerror:
    # The rejected-row gate's message as the last clear lines (not lost above the traceback).
    for _gate_log in expand(GATE_LOG, run=RUNS):
        if stopped := stop_message(_gate_log, STARTED):
            print(f"\n{stopped}\n", file=sys.stderr)
