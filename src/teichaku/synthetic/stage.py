"""The synthetic survey's step as the workflow runs it (rule synthetic_survey): generate the
survey and write its raw files, truth.json and defects.json into the raw folder.

``python -m teichaku.synthetic survey`` runs it outside Snakemake.
"""

from __future__ import annotations

import logging
from pathlib import Path

from teichaku.codebook import load_codebook
from teichaku.published import load_published
from teichaku.synthetic.config import load_synthetic_config
from teichaku.synthetic.population import generate_survey
from teichaku.synthetic.raw_writer import write_survey

log = logging.getLogger(__name__)


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
