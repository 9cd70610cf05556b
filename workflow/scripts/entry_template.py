"""Write the data-entry workbook from the codebook."""

import logging

from teichaku.codebook import load_codebook
from teichaku.template import write_template

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, force=True)

path = write_template(load_codebook(snakemake.input.codebook), snakemake.output.workbook)
logging.info("entry template written to %s", path)
