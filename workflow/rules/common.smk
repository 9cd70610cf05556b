# Helpers shared by the rules: which raw files the run reads and what `all` builds.

import hashlib
from pathlib import Path

RAW_DIR = Path(config["input"]["raw_dir"])
SYNTHETIC = config["input"]["source"] == "synthetic"
ENV = "../../environment.yml"


def all_outputs():
    """Every target of the default run; each stage adds its own."""
    outputs = [RAW_DIR / "roster.xlsx"] if SYNTHETIC else []
    outputs += DOCS_OUTPUTS  # docs.smk: data dictionary and entry template
    outputs += INGEST_OUTPUTS  # ingest.smk: clean tables, rejected rows, validation summary
    outputs += ANALYSIS_OUTPUTS  # analysis.smk: models, diagnostics, curves, numbers.json
    outputs += REPORT_OUTPUTS  # report.smk: tables, figures and the summary
    return outputs


SIMULATION_SECTION = Path("results/simulation/summary.md")


def simulation_digest(wildcards):
    """SHA-256 of the simulation study's section, once `snakemake simulation` has written it.

    A parameter rather than an input: the summary is rebuilt when the section changes, but
    a default run never asks for the (long) study itself.
    """
    if not SIMULATION_SECTION.exists():
        return None
    return hashlib.sha256(SIMULATION_SECTION.read_bytes()).hexdigest()
