# teichaku: the follow-up survey of the Community Life Settlement Support Centers,
# from raw spreadsheets to models, figures, tables and a paper-ready summary.
#
#   snakemake --cores all              the default run (synthetic survey)
#   snakemake -n                       show what would run
#   snakemake --configfile my.yaml     point the same workflow at real files

import sys
import time
from pathlib import Path

from snakemake.utils import min_version, validate

from teichaku.config_values import coerce_to_schema
from teichaku.ingest.gate import stop_message

min_version("9.0")


STARTED = time.time()  # the gate's message is shown when the gate stopped this run


configfile: "config/config.yaml"


# numbers given with --config arrive as text: coerce where the schema expects a number
coerce_to_schema(config, Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/docs.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/simulation.smk"
include: "workflow/rules/notebooks.smk"


# The targets of the default run, stage by stage (`snakemake simulation` and
# `snakemake notebooks` are asked for by name).
DEFAULT_TARGETS = [
    *([RAW_DIR / "roster.xlsx"] if SYNTHETIC else []),  # synthetic.smk: the raw survey
    *DOCS_OUTPUTS,  # docs.smk: data dictionary and entry template
    *INGEST_OUTPUTS,  # ingest.smk: clean tables, rejected rows, validation summary
    *ANALYSIS_OUTPUTS,  # analysis.smk: models, diagnostics, curves, numbers.json
    *REPORT_OUTPUTS,  # report.smk: tables, figures and the summary
]


rule all:
    default_target: True
    input:
        DEFAULT_TARGETS,
    message:
        "The default run is complete"


onerror:
    # The rejected-row gate's message as the last clear lines (not lost above the traceback).
    if stopped := stop_message(GATE_LOG, STARTED):
        print(f"\n{stopped}\n", file=sys.stderr)
