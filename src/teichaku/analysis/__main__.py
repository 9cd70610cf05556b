"""``python -m teichaku.analysis {dataset,models,predictions,curves,numbers}``: the analysis
rules on the workflow's paths."""

from teichaku import paths
from teichaku.analysis import stage
from teichaku.entry import main


def dataset(config: dict) -> None:
    stage.write_dataset(
        cases=paths.PROCESSED["cases"],
        roster=paths.PROCESSED["roster"],
        output=paths.ANALYSIS_DATASET,
        analysis_config=config["analysis"],
        codebook_path=config["codebook"],
    )


def models(config: dict) -> None:
    spec, _, _ = stage.load(config["analysis"], config["codebook"])
    stage.write_models(
        analysis=paths.ANALYSIS_DATASET,
        awareness=paths.PROCESSED["awareness"],
        coefficients=paths.COEFFICIENTS,
        diagnostics=paths.DIAGNOSTICS,
        fits=[paths.fill(paths.FIT, model=m.name) for m in spec.models],
        analysis_config=config["analysis"],
        codebook_path=config["codebook"],
        reliability_path=paths.RELIABILITY,
        min_cell=config["privacy"]["min_cell"],
    )


def predictions(config: dict) -> None:
    stage.write_predictions(
        analysis=paths.ANALYSIS_DATASET,
        output=paths.CIF_PREDICTED,
        analysis_config=config["analysis"],
        codebook_path=config["codebook"],
        min_cell=config["privacy"]["min_cell"],
        reliability=paths.RELIABILITY,
    )


def curves(config: dict) -> None:
    stage.write_curves(
        analysis=paths.ANALYSIS_DATASET,
        output=paths.CURVES,
        analysis_config=config["analysis"],
        codebook_path=config["codebook"],
        min_cell=config["privacy"]["min_cell"],
        cases=paths.PROCESSED["cases"],
        protection=paths.PROTECTION,
    )


def numbers(config: dict) -> None:
    stage.write_numbers(
        roster=paths.PROCESSED["roster"],
        cases=paths.PROCESSED["cases"],
        awareness=paths.PROCESSED["awareness"],
        analysis=paths.ANALYSIS_DATASET,
        coefficients=paths.COEFFICIENTS,
        diagnostics=paths.DIAGNOSTICS,
        published=config["published"],
        validation=paths.VALIDATION_JSON,
        output=paths.NUMBERS,
        analysis_config=config["analysis"],
        codebook_path=config["codebook"],
        reliability=paths.RELIABILITY,
        min_cell=config["privacy"]["min_cell"],
        protection=paths.PROTECTION,
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
