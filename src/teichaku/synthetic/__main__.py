"""``python -m teichaku.synthetic survey``: the rule synthetic_survey on the workflow's paths.

A later round (a synthetic config with ``follows:``, e.g. ``--configfile
config/runs/synthetic-2022.yaml``) follows the run of the configuration without overlays
(config/config.yaml's own), which must be generated from the parameters it follows.
"""

from pathlib import Path

from teichaku import paths
from teichaku.entry import load_config, main, round_codebook
from teichaku.synthetic.rounds import follows
from teichaku.synthetic.stage import write_later_round, write_synthetic


def survey(config: dict) -> None:
    parameters = config["input"]["synthetic_config"]
    earlier_parameters = follows(parameters)
    if earlier_parameters is None:
        write_synthetic(
            parameters=parameters,
            published=config["published"],
            codebook=round_codebook(config),
            raw_dir=paths.raw_dir(config),
        )
        return
    earlier = load_config()
    if Path(earlier["input"]["synthetic_config"]).resolve() != earlier_parameters.resolve():
        raise SystemExit(
            f"{parameters} follows {earlier_parameters}, but config/config.yaml generates "
            f"{earlier['input']['synthetic_config']}: run the rule through snakemake instead"
        )
    write_later_round(
        parameters=parameters,
        earlier_published=earlier["published"],
        earlier_codebook=round_codebook(earlier),
        codebook=round_codebook(config),
        raw_dir=paths.raw_dir(config),
    )


main("synthetic", {"survey": survey})
