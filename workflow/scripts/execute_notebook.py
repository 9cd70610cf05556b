"""Execute one analyst notebook on this run's outputs and keep the executed copy."""

import logging
import os
import tempfile
from pathlib import Path

import yaml

from teichaku.notebook import execute_notebook

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, force=True)

with tempfile.TemporaryDirectory() as tmp:
    # the notebook reads the configuration of this run (command-line overrides included)
    config = Path(tmp) / "config.yaml"
    config.write_text(yaml.safe_dump(snakemake.config, allow_unicode=True), encoding="utf-8")
    execute_notebook(snakemake.input.notebook, snakemake.output[0], os.getcwd(), config)
logging.info("executed %s into %s", snakemake.input.notebook, snakemake.output[0])
