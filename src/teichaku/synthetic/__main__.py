"""``python -m teichaku.synthetic survey``: the rule synthetic_survey on the workflow's paths."""

from teichaku import paths
from teichaku.entry import main, round_codebook
from teichaku.synthetic.stage import write_synthetic


def survey(config: dict) -> None:
    write_synthetic(
        parameters=config["input"]["synthetic_config"],
        published=config["published"],
        codebook=round_codebook(config),
        raw_dir=paths.raw_dir(config),
    )


main("synthetic", {"survey": survey})
