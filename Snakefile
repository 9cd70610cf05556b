# teichaku: the follow-up survey of the Community Life Settlement Support Centers,
# from raw spreadsheets to models, figures, tables and a paper-ready summary.
#
#   snakemake --cores all              the default run (synthetic survey)
#   snakemake -n                       show what would run
#   snakemake --configfile my.yaml     point the same workflow at real files

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/docs.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/simulation.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
