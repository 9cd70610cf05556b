"""What each analysis rule is given of the configuration: its part of config/models.yaml
and of the ``analysis`` settings, as Snakemake ``params``.

Snakemake reruns a job whose params changed, so a rule given the whole specification file
as an input would rerun whenever any entry changed. Each rule gets only the sections it
reads instead: editing one model's entry reruns that model's job (and what reads its
output: the gathered model files, the model tables, numbers.json, the documents), not the
analysis dataset, the curves or the protection of tables 1-3. The workflow
(workflow/rules/analysis.smk) and ``python -m teichaku.analysis`` take the parts from here.
"""

from __future__ import annotations

from teichaku.analysis.specs import model_entries, spec_part

#: The sections of config/models.yaml besides ``events`` (every part has those) each rule reads.
DATASET_SECTIONS = ("scaled", "reference_levels")  # rescaled covariates, first levels
MODEL_SECTIONS = ("scaled", "term_labels")  # the terms' labels in coefficients.csv
CURVE_SECTIONS = ("curves",)
PREDICTION_SECTIONS = ("predictions",)
NUMBERS_SECTIONS = ("scaled", "reference_levels", "term_labels")


def model_names(raw: dict, thresholds) -> list[str]:
    """The names of the models, in the specification's order (each_threshold expanded)."""
    return list(model_entries(raw, list(thresholds)))


def dataset_spec(raw: dict, thresholds) -> dict:
    return spec_part(raw, list(thresholds), DATASET_SECTIONS)


def model_spec(raw: dict, thresholds, model: str) -> dict:
    """The specification of one model (and the labels of its terms)."""
    return spec_part(raw, list(thresholds), MODEL_SECTIONS, [model])


def model_data(raw: dict, thresholds, model: str) -> str:
    """The data a model is fitted on: cases (the analysis dataset) or centers (with the
    awareness survey)."""
    return model_entries(raw, list(thresholds))[model].get("data", "cases")


def curves_spec(raw: dict, thresholds) -> dict:
    return spec_part(raw, list(thresholds), CURVE_SECTIONS)


def predicted_models(raw: dict) -> list[str]:
    """The models the ``predictions:`` predict from (in the order of their first use)."""
    return list(dict.fromkeys(p["model"] for p in raw.get("predictions", [])))


def predictions_spec(raw: dict, thresholds) -> dict:
    """The predictions and the entries of the models they predict from."""
    return spec_part(raw, list(thresholds), PREDICTION_SECTIONS, predicted_models(raw))


def numbers_spec(raw: dict, thresholds) -> dict:
    """Every model (numbers.json describes each), without curves and predictions."""
    return spec_part(raw, list(thresholds), NUMBERS_SECTIONS, model_names(raw, thresholds))


def model_settings(analysis: dict) -> dict:
    """The analysis settings a model's fit and its assessment read (all but the path of the
    specification file, whose content reaches the job as its part)."""
    return {key: value for key, value in analysis.items() if key != "models"}
