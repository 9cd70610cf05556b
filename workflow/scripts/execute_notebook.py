"""Rule notebook: execute one analyst notebook on its run's outputs and keep the executed copy."""

import logging

from teichaku.entry import setup_logging
from teichaku.notebook import run_notebook

setup_logging(snakemake.log[0])
run_notebook(
    notebook=snakemake.input.notebook, output=snakemake.output[0], config=snakemake.params.config
)
logging.info("executed %s into %s", snakemake.input.notebook, snakemake.output[0])
