"""``python -m teichaku.analysis {dataset,models,predictions,curves,numbers}``: the analysis
rules on the workflow's paths, each given its part of config/models.yaml as the workflow
gives it (teichaku.analysis.parts); ``models`` fits every model, then gathers them."""

from teichaku import paths
from teichaku.analysis import parts, stage
from teichaku.analysis.specs import parse_analysis_spec, prolonged_outcome, read_spec_file
from teichaku.codebook import load_codebook
from teichaku.entry import main, round_codebook


def _spec(config: dict) -> dict:
    return read_spec_file(config["analysis"]["models"])


def _thresholds(config: dict) -> list:
    return config["analysis"]["thresholds"]


def _prolonged(config: dict) -> str | None:
    codebook = load_codebook(round_codebook(config))
    return prolonged_outcome(parse_analysis_spec(_spec(config), _thresholds(config), codebook))


def dataset(config: dict) -> None:
    run = paths.of(config["run"])
    stage.write_dataset(
        cases=run.PROCESSED["cases"],
        roster=run.PROCESSED["roster"],
        output=run.ANALYSIS_DATASET,
        spec=parts.dataset_spec(_spec(config), _thresholds(config)),
        thresholds=_thresholds(config),
        codebook_path=round_codebook(config),
    )


def models(config: dict) -> None:
    run = paths.of(config["run"])
    stage.write_models(
        analysis=run.ANALYSIS_DATASET,
        awareness=run.PROCESSED["awareness"],
        run_paths=run,
        analysis_config=config["analysis"],
        codebook_path=round_codebook(config),
        min_cell=config["privacy"]["min_cell"],
    )


def predictions(config: dict) -> None:
    run = paths.of(config["run"])
    raw = _spec(config)
    stage.write_predictions(
        analysis=run.ANALYSIS_DATASET,
        output=run.CIF_PREDICTED,
        spec=parts.predictions_spec(raw, _thresholds(config)),
        codebook_path=round_codebook(config),
        min_cell=config["privacy"]["min_cell"],
        reliability=[
            paths.fill(run.MODEL_RELIABILITY, model=m) for m in parts.predicted_models(raw)
        ],
    )


def curves(config: dict) -> None:
    run = paths.of(config["run"])
    stage.write_curves(
        analysis=run.ANALYSIS_DATASET,
        output=run.CURVES,
        spec=parts.curves_spec(_spec(config), _thresholds(config)),
        confidence=config["analysis"]["confidence"],
        prolonged=_prolonged(config),
        codebook_path=round_codebook(config),
        min_cell=config["privacy"]["min_cell"],
        cases=run.PROCESSED["cases"],
        protection=run.PROTECTION,
    )


def numbers(config: dict) -> None:
    run = paths.of(config["run"])
    stage.write_numbers(
        roster=run.PROCESSED["roster"],
        cases=run.PROCESSED["cases"],
        awareness=run.PROCESSED["awareness"],
        analysis=run.ANALYSIS_DATASET,
        coefficients=run.COEFFICIENTS,
        diagnostics=run.DIAGNOSTICS,
        published=config["published"],
        validation=run.VALIDATION_JSON,
        output=run.NUMBERS,
        spec=parts.numbers_spec(_spec(config), _thresholds(config)),
        analysis_config=parts.model_settings(config["analysis"]),
        codebook_path=round_codebook(config),
        reliability=run.RELIABILITY,
        min_cell=config["privacy"]["min_cell"],
        protection=run.PROTECTION,
    )


main(
    "analysis",
    {
        "dataset": dataset,
        "models": models,
        "predictions": predictions,
        "curves": curves,
        "numbers": numbers,
    },
)
