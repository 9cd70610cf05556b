"""The synthetic survey's step as the workflow runs it (rule synthetic_survey): generate the
survey and write its raw files, truth.json and defects.json into the raw folder.

``python -m teichaku.synthetic survey`` runs it outside Snakemake.
"""

from __future__ import annotations

import logging
from pathlib import Path

from teichaku.codebook import load_codebook
from teichaku.published import load_published
from teichaku.synthetic.config import ROOT, load_synthetic_config
from teichaku.synthetic.population import generate_survey
from teichaku.synthetic.raw_writer import write_survey

log = logging.getLogger(__name__)

ROUND_SCHEMA = ROOT / "workflow" / "schemas" / "synthetic-round.schema.yaml"


def write_synthetic(
    *,
    parameters: str | Path,
    published: str | Path,
    codebook: str | Path,
    raw_dir: str | Path,
    validate: bool = True,
) -> dict:
    """Write the synthetic survey of ``parameters`` (config/synthetic.yaml) into ``raw_dir``;
    ``validate=False`` when the caller (the rule) has validated the parameters already."""
    cfg = load_synthetic_config(parameters) if validate else load_synthetic_config(parameters, None)
    book = load_codebook(str(codebook))
    survey = generate_survey(cfg, load_published(published), book)
    manifest = write_survey(survey, cfg, Path(raw_dir), book)
    log.info(
        "synthetic survey (seed %s, scale %s): %d centers, %d valid case rows, %d defect rows",
        cfg["seed"],
        cfg["scale"],
        len(survey.roster),
        len(survey.cases),
        manifest["n_defect_rows"],
    )
    return manifest


def write_later_round(
    *,
    parameters: str | Path,
    earlier_published: str | Path,
    earlier_codebook: str | Path,
    codebook: str | Path,
    raw_dir: str | Path,
) -> dict:
    """Write the later round of ``parameters`` (a round config such as
    config/synthetic-2022.yaml) into ``raw_dir``: the earlier round is redrawn from its own
    parameters (``follows``), ``earlier_published`` and ``earlier_codebook``; ``codebook``
    holds this round's cohorts and dates."""
    from teichaku.synthetic.later_round import generate_later_round, load_round_config

    base_cfg, cfg = load_round_config(parameters, ROUND_SCHEMA)
    earlier_book = load_codebook(str(earlier_codebook))
    base = generate_survey(base_cfg, load_published(earlier_published), earlier_book)
    book = load_codebook(str(codebook))
    survey = generate_later_round(base, base_cfg, cfg, book)
    manifest = write_survey(survey, cfg, Path(raw_dir), book)
    link = survey.truth["linkage"]
    log.info(
        "synthetic later round (seed %s): %d valid case rows (%d continuing from the earlier "
        "round, %d of them ended since), %d defect rows",
        cfg["seed"],
        len(survey.cases),
        link["continuing_at_earlier_round"],
        link["ended"],
        manifest["n_defect_rows"],
    )
    return manifest
