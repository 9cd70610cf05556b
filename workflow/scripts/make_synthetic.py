"""Generate the synthetic survey into the raw folder (rule synthetic_survey)."""

import logging
from pathlib import Path

from teichaku.codebook import load_codebook
from teichaku.published import load_published
from teichaku.synthetic import generate_survey, load_synthetic_config
from teichaku.synthetic.raw_writer import write_survey

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, force=True)

cfg = load_synthetic_config(snakemake.input.parameters, schema=None)  # validated by the rule
codebook = load_codebook(snakemake.input.codebook)
survey = generate_survey(cfg, load_published(snakemake.input.published), codebook)
manifest = write_survey(survey, cfg, Path(snakemake.output.roster).parent, codebook)
logging.info(
    "synthetic survey (seed %s, scale %s): %d centers, %d valid case rows, %d defect rows",
    cfg["seed"],
    cfg["scale"],
    len(survey.roster),
    len(survey.cases),
    manifest["n_defect_rows"],
)
