"""Write the data dictionary (markdown and CSV) from the codebook."""

import logging

from teichaku.codebook import load_codebook
from teichaku.dictionary import write_dictionary

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, force=True)

codebook = load_codebook(snakemake.input.codebook)
write_dictionary(
    codebook, snakemake.output.markdown, snakemake.output.csv, source=snakemake.input.codebook
)
logging.info("data dictionary of %d tables written", len(codebook.tables))
