"""Where a workflow run writes its files, spelled once for the rules, the stages' command
lines (``python -m teichaku.<stage>``), the notebooks and the tests.

Every path is relative to the run folder (Snakemake's working directory, ``--directory``).
Patterns with ``{...}`` fields are Snakemake wildcards; :func:`fill` fills them outside it.
Data about persons stays under ``data/``; everything under ``results/`` is publishable.
"""

from __future__ import annotations

from pathlib import Path

#: The report's templates, labels and CSS: part of the workflow, relative to the repository.
REPORT_ASSETS = "workflow/report"
#: The raw tables of FORMAT.md, in the order the ingest rule lists them (roster first).
RAW_TABLES = ("roster", "awareness", "cases")

PROCESSED_DIR = "data/processed"
RESULTS_DIR = "results"

# ingest: the clean tables, the rejected rows and the validation summary
PROCESSED = {
    "roster": f"{PROCESSED_DIR}/roster.parquet",
    "awareness": f"{PROCESSED_DIR}/awareness.parquet",
    "cases": f"{PROCESSED_DIR}/cases.parquet",
}
REJECTED_ROWS = f"{PROCESSED_DIR}/rejected_rows.parquet"
#: which raw file each neutral label of the published validation summary stands for
FILE_LABELS = f"{PROCESSED_DIR}/file_labels.csv"
VALIDATION_DIR = f"{RESULTS_DIR}/validation"
VALIDATION_JSON = f"{VALIDATION_DIR}/summary.json"
VALIDATION_CSV = f"{VALIDATION_DIR}/summary.csv"
ACCEPTED = f"{VALIDATION_DIR}/accepted.json"

# docs: generated from the codebook alone
CODEBOOK_MD = f"{RESULTS_DIR}/codebook/codebook.md"
CODEBOOK_CSV = f"{RESULTS_DIR}/codebook/codebook.csv"
ENTRY_TEMPLATE = f"{RESULTS_DIR}/templates/followup_survey_template.xlsx"

# analysis
ANALYSIS_DATASET = f"{PROCESSED_DIR}/analysis.parquet"
#: which printed count of tables 1-3 is published or suppressed (computed once per run, read
#: by numbers.json, the tables and the figures); under data/ as it is derived from the data
PROTECTION = f"{PROCESSED_DIR}/protection.json"
MODELS_DIR = f"{RESULTS_DIR}/models"
COEFFICIENTS = f"{MODELS_DIR}/coefficients.csv"
DIAGNOSTICS = f"{MODELS_DIR}/diagnostics.csv"
RELIABILITY = f"{MODELS_DIR}/reliability.csv"
CURVES = f"{MODELS_DIR}/curves.parquet"
CIF_PREDICTED = f"{MODELS_DIR}/cif_predicted.parquet"
FIT = f"{MODELS_DIR}/fits/{{model}}.txt"
NUMBERS = f"{RESULTS_DIR}/numbers.json"

# report
TABLES_DIR = f"{RESULTS_DIR}/tables"
FIGURES_DIR = f"{RESULTS_DIR}/figures"
SUMMARY_DIR = f"{RESULTS_DIR}/summary"
SUMMARY = f"{SUMMARY_DIR}/summary.{{ext}}"

# notebooks executed on a run (`snakemake notebooks`): analyst views of the data (cases per
# center, quantiles per cohort, rejected rows), kept under data/, never published
NOTEBOOK = "data/notebooks/{name}.ipynb"

# simulation study (`snakemake simulation`)
SIMULATION_DIR = f"{RESULTS_DIR}/simulation"
SIMULATION_CHUNK = f"{SIMULATION_DIR}/replicates/{{scenario}}/chunk-{{chunk}}.tsv"
#: the pseudo-true values of one scenario's models without a generator truth (population fit)
SIMULATION_TRUTH = f"{SIMULATION_DIR}/truth/{{scenario}}.tsv"
SIMULATION_PERFORMANCE = f"{SIMULATION_DIR}/performance.tsv"
SIMULATION_SCENARIOS = f"{SIMULATION_DIR}/scenarios.tsv"
SIMULATION_FIGURE = f"{SIMULATION_DIR}/power_by_cases.{{ext}}"
SIMULATION_SECTION = f"{SIMULATION_DIR}/summary.md"
SIMULATION_TIMING = f"{SIMULATION_DIR}/timing.tsv"

# a rule's log and benchmark files
LOGS_DIR = "logs"
BENCHMARKS_DIR = "benchmarks"


def raw_inputs(config: dict) -> list[Path]:
    """The raw files a run reads: the synthetic survey's files (outputs of its rule), or the
    files found in input.raw_dir."""
    raw_dir = Path(config["input"]["raw_dir"])
    if config["input"]["source"] == "synthetic":
        return [raw_dir / "roster.xlsx", raw_dir / "awareness.xlsx", raw_dir / "cases"]
    from teichaku.ingest.readers import raw_input_files

    return raw_input_files(raw_dir, RAW_TABLES)


def log(name: str) -> str:
    """The log file of the rule (or step) ``name``."""
    return f"{LOGS_DIR}/{name}.log"


def benchmark(name: str) -> str:
    """The benchmark file of the rule ``name``."""
    return f"{BENCHMARKS_DIR}/{name}.tsv"


def fill(pattern: str, **fields: str) -> str:
    """A path pattern with its ``{...}`` fields filled in."""
    return pattern.format(**fields)
