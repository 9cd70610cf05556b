# Helpers shared by the rules: the runs (RUNS, from the Snakefile) and their settings, the
# environment, and the simulation section's digest. Every output path comes from
# teichaku.paths, a pattern with the run's name as the wildcard {run}; the targets of `all`
# are listed in the Snakefile.

import hashlib
import re
from functools import cache
from pathlib import Path

import yaml

from teichaku import paths
from teichaku.codebook import load_codebook
from teichaku.ingest.readers import raw_digest
from teichaku.report.spec import ReportSpecError, check_placement, load_report_spec
from teichaku.report.inputs import builder_inputs, input_paths
from teichaku.runs import setting
from teichaku.synthetic.rounds import earlier_run, follows
from teichaku.validation import validate

ENV = "../../environment.yml"
SIMULATION_SECTION = Path(paths.SIMULATION_SECTION)
SYNTHETIC_RUNS = [name for name, c in RUNS.items() if c["input"]["source"] == "synthetic"]


def run_setting(*keys):
    """The setting ``keys`` of the rule's run, as a function of its wildcards."""
    return setting(RUNS, *keys)


def is_synthetic(wildcards):
    return wildcards.run in SYNTHETIC_RUNS


def raw_inputs(wildcards):
    """The raw files of the rule's run (the synthetic survey's, or those in input.raw_dir)."""
    return paths.raw_inputs(RUNS[wildcards.run])


def raw_roster(wildcards):
    """The run's raw roster (its centers are the template's), once it is there; a synthetic
    run's is its generator's output."""
    roster = paths.raw_inputs(RUNS[wildcards.run])[0]
    return str(roster) if is_synthetic(wildcards) or roster.is_file() else []


def published_file(wildcards):
    """The run's published figures (none for a round without them: published: null)."""
    return RUNS[wildcards.run]["published"] or []


def languages(run):
    """The languages the report of ``run`` is written in (report.languages)."""
    return RUNS[run]["report"]["languages"]


def report_category_named(key):
    """The Snakemake report's category ``key`` (labels.yaml, report_categories) in the run's
    first report language (report_labels, report_items.smk)."""

    def category(wildcards):
        labels = report_labels(wildcards.run, languages(wildcards.run)[0])
        return labels.entry("report_categories", key)

    return category


def run_targets(run):
    """The targets of one run, stage by stage (`snakemake simulation` and `snakemake
    notebooks` are asked for by name)."""
    return [
        *expand(DOCS_OUTPUTS, run=run),  # docs.smk: data dictionary and entry template
        *expand(INGEST_OUTPUTS, run=run),  # ingest.smk: clean tables, rejected rows, validation
        *expand(ANALYSIS_OUTPUTS, run=run),  # analysis.smk: models, curves, numbers.json
        *report_outputs(run),  # report.smk: tables, figures and the summary per language
    ]


def report_inputs(wildcards):
    """The files every report rule reads (processed tables, model results, configuration)."""
    return input_paths(RUNS[wildcards.run], REPORT_ASSETS)


# Params are a rerun trigger, so each rule gets only the settings it reads. Changing a
# figure option (report.dpi) reruns the figures and the summary, never the tables; the
# summary takes the whole configuration of its run (its provenance records its hash).
def table_settings(wildcards):
    run = RUNS[wildcards.run]
    return {
        "language": wildcards.lang,
        "min_cell": run["privacy"]["min_cell"],
        "thresholds": run["analysis"]["thresholds"],
        "confidence": run["analysis"]["confidence"],
        "published": run["published"] is not None,
    }


def figure_settings(wildcards):
    return {**table_settings(wildcards), "dpi": RUNS[wildcards.run]["report"]["dpi"]}


def hashed_inputs(wildcards):
    """The configuration files whose digests the summary's provenance records."""
    run = RUNS[wildcards.run]
    synthetic = [run["input"]["synthetic_config"]] if is_synthetic(wildcards) else []
    published = [run["published"]] if run["published"] else []
    return [run["codebook"], *published, run["analysis"]["models"], *synthetic]


def real_raw_digest(wildcards):
    """Real files are re-read when their content changes, whatever their modification time
    (unzip, cp -p and rsync -t keep old ones); synthetic ones are outputs."""
    if is_synthetic(wildcards):
        return None
    run = RUNS[wildcards.run]
    return raw_digest(paths.raw_dir(run), paths.raw_inputs(run))


@cache
def report_spec(run):
    """The report of run ``run`` (report.spec, teichaku.report.spec), checked against its
    codebook and models (SPECS, analysis_specs.smk) when the workflow starts: a mistake
    stops it with its message."""
    try:
        spec = load_report_spec(
            RUNS[run]["report"]["spec"], load_codebook(RUNS[run]["codebook"]), SPECS[run][1]
        )
        for lang in languages(run):
            check_placement(
                spec, Path(workflow.basedir) / paths.REPORT_ASSETS / f"summary.{lang}.md.j2"
            )
    except ReportSpecError as error:
        sys.exit(f"{error}")
    return spec


def report_crosstabs(wildcards):
    """The options (rows, columns, cells) of the cross-tabulations of the run's report: their
    counts are protected together with those of tables 1-3 (rule disclosure_protection)."""
    return [dict(t.options) for t in report_spec(wildcards.run).crosstabs()]


def simulation_digest(wildcards):
    """SHA-256 of the simulation study's section, once `snakemake simulation` has written it.

    A parameter rather than an input: the summary is rebuilt when the section changes, but
    a default run never asks for the (long) study itself.
    """
    if not SIMULATION_SECTION.exists():
        return None
    return hashlib.sha256(SIMULATION_SECTION.read_bytes()).hexdigest()


def synthetic_inputs(wildcards):
    """The run's parameters, round codebook and published figures (if any); for a later
    round also those of the run it follows (earlier_*)."""
    run = RUNS[wildcards.run]
    files = {
        "parameters": run["input"]["synthetic_config"],
        "codebook": paths.fill(paths.ROUND_CODEBOOK, run=wildcards.run),
    }
    if run["published"]:
        files["published"] = run["published"]
    if follows(files["parameters"]):
        name = earlier_run(RUNS, wildcards.run)
        files["earlier_parameters"] = RUNS[name]["input"]["synthetic_config"]
        files["earlier_published"] = RUNS[name]["published"]
        files["earlier_codebook"] = paths.fill(paths.ROUND_CODEBOOK, run=name)
    return files
