# The analysis rules' parts of config/models.yaml (included by analysis.smk): each run's
# specification parsed once when the workflow starts, and the params functions that give each
# rule only the part it reads (teichaku.analysis.parts).

from functools import cache


from teichaku.analysis import parts
from teichaku.analysis.specs import parse_analysis_spec, prolonged_outcome, read_spec_file
from teichaku.codebook import load_codebook
from teichaku.validation import validate


def analysis_spec(run_config):
    """The run's analysis.models, parsed: validated against its schema and checked against
    the codebook when the workflow starts (a mistake stops it with a message naming it).
    Runs sharing the file, thresholds and codebook share one parse."""
    analysis = run_config["analysis"]
    return _parsed_spec(analysis["models"], tuple(analysis["thresholds"]), run_config["codebook"])


@cache
def _parsed_spec(path, thresholds, codebook):
    raw = read_spec_file(path)
    validate(raw, Path(workflow.basedir) / "workflow/schemas/models.schema.yaml")
    return raw, parse_analysis_spec(raw, list(thresholds), load_codebook(codebook))


SPECS = {name: analysis_spec(run_config) for name, run_config in RUNS.items()}


def raw_spec(wildcards):
    return SPECS[wildcards.run][0]


def thresholds(wildcards):
    return RUNS[wildcards.run]["analysis"]["thresholds"]


def spec_of(part, *args):
    """The params function giving a rule its part of the run's specification."""
    return lambda wildcards: part(raw_spec(wildcards), thresholds(wildcards), *args)


def model_part(wildcards):
    return parts.model_spec(raw_spec(wildcards), thresholds(wildcards), wildcards.model)


def model_awareness(wildcards):
    """The awareness table, for a model of the centers (data: centers) only."""
    centers = parts.model_data(raw_spec(wildcards), thresholds(wildcards), wildcards.model)
    return PROCESSED["awareness"] if centers == "centers" else []


def model_settings(wildcards):
    return parts.model_settings(RUNS[wildcards.run]["analysis"])


def prolonged(wildcards):
    """The prolonged status table 3 splits by: all the curves and the protection of tables
    1-3 read of the models."""
    return prolonged_outcome(SPECS[wildcards.run][1])


def predicted_reliability(wildcards):
    """The assessments of the models the predictions predict from."""
    models = parts.predicted_models(raw_spec(wildcards))
    return expand(paths.MODEL_RELIABILITY, run=wildcards.run, model=models)


# One fit summary per model: the runs of one invocation fit the same models.
MODEL_NAMES = [m.name for m in SPECS[RUN][1].models]
for _name, (_, _spec) in SPECS.items():
    if [m.name for m in _spec.models] != MODEL_NAMES:
        sys.exit(
            f"runs.{_name}: its models ({RUNS[_name]['analysis']['models']}) differ from those "
            f"of run {RUN}; runs compared in one invocation fit the same models"
        )
