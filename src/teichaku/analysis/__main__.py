"""``python -m teichaku.analysis {dataset,models,predictions,curves,numbers}``: the analysis
rules on the workflow's paths."""

from teichaku import paths
from teichaku.analysis import stage
from teichaku.entry import main, round_codebook


def dataset(config: dict) -> None:
    run = paths.of(config["run"])
    stage.write_dataset(
        cases=run.PROCESSED["cases"],
        roster=run.PROCESSED["roster"],
        output=run.ANALYSIS_DATASET,
        analysis_config=config["analysis"],
        codebook_path=round_codebook(config),
    )


def models(config: dict) -> None:
    run = paths.of(config["run"])
    spec, _, _ = stage.load(config["analysis"], round_codebook(config))
    stage.write_models(
        analysis=run.ANALYSIS_DATASET,
        awareness=run.PROCESSED["awareness"],
        coefficients=run.COEFFICIENTS,
        diagnostics=run.DIAGNOSTICS,
        fits=[paths.fill(run.FIT, model=m.name) for m in spec.models],
        analysis_config=config["analysis"],
        codebook_path=round_codebook(config),
        reliability_path=run.RELIABILITY,
        min_cell=config["privacy"]["min_cell"],
    )


def predictions(config: dict) -> None:
    run = paths.of(config["run"])
    stage.write_predictions(
        analysis=run.ANALYSIS_DATASET,
        output=run.CIF_PREDICTED,
        analysis_config=config["analysis"],
        codebook_path=round_codebook(config),
        min_cell=config["privacy"]["min_cell"],
        reliability=paths.RELIABILITY,
    )


def curves(config: dict) -> None:
    run = paths.of(config["run"])
    stage.write_curves(
        analysis=run.ANALYSIS_DATASET,
        output=run.CURVES,
        analysis_config=config["analysis"],
        codebook_path=round_codebook(config),
        min_cell=config["privacy"]["min_cell"],
        cases=paths.PROCESSED["cases"],
        protection=paths.PROTECTION,
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
        analysis_config=config["analysis"],
        codebook_path=round_codebook(config),
        reliability=run.RELIABILITY,
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
