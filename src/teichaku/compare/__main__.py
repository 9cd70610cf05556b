"""``python -m teichaku.compare rounds``: the rule compare_rounds on the workflow's paths,
comparing the runs of config ``compare:`` (each already built) into results/compare/."""

from pathlib import Path

from teichaku import paths
from teichaku.compare.stage import guarded, write_comparison
from teichaku.entry import config_schema, main
from teichaku.runs import declared_runs

LABELS = Path(__file__).resolve().parents[3] / paths.REPORT_ASSETS / "labels.yaml"


def rounds(config: dict) -> None:
    from snakemake.utils import validate

    runs = declared_runs(config, lambda run: validate(run, str(config_schema())))
    names = config["compare"]
    languages = config["report"]["languages"]
    guarded(
        lambda: write_comparison(
            runs=[
                {
                    "name": name,
                    "reference_date": str(runs[name]["survey"]["reference_date"]),
                    "analysis": paths.of(name).ANALYSIS_DATASET,
                    "numbers": paths.of(name).NUMBERS,
                }
                for name in names
            ],
            analysis_config=config["analysis"],
            codebook=config["codebook"],
            min_cell=max(runs[name]["privacy"]["min_cell"] for name in names or [config["run"]]),
            reliability=config["analysis"]["reliability"],
            languages=languages,
            dpi=config["report"]["dpi"],
            label_file=LABELS,
            outputs=paths.compare_outputs(languages),
        )
    )


main("compare", {"rounds": rounds})
