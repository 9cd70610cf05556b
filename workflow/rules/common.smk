# Helpers shared by the rules: which raw files the run reads, the environment, and the
# simulation section's digest. Every output path comes from teichaku.paths; the targets of
# `all` are listed in the Snakefile.

import hashlib
from pathlib import Path

from teichaku import paths

RAW_DIR = Path(config["input"]["raw_dir"])
SYNTHETIC = config["input"]["source"] == "synthetic"
ENV = "../../environment.yml"
SIMULATION_SECTION = Path(paths.SIMULATION_SECTION)


def simulation_digest(wildcards):
    """SHA-256 of the simulation study's section, once `snakemake simulation` has written it.

    A parameter rather than an input: the summary is rebuilt when the section changes, but
    a default run never asks for the (long) study itself.
    """
    if not SIMULATION_SECTION.exists():
        return None
    return hashlib.sha256(SIMULATION_SECTION.read_bytes()).hexdigest()


def report_marked(path, name, category, subcategory):
    """``path``, marked for the Snakemake report (captioned from workflow/report/captions/,
    categorised) when it is a CSV, PNG or PDF file (the report shows those)."""
    if not path.endswith((".csv", ".png", ".pdf")):
        return path
    labels = {"name": name, "format": Path(path).suffix[1:]}
    caption = f"../report/captions/{name}.rst"
    return report(path, caption=caption, category=category, subcategory=subcategory, labels=labels)
