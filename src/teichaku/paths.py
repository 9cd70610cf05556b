"""Where a workflow run writes its files, spelled once for the rules, the stages' command
lines (``python -m teichaku.<stage>``), the notebooks and the tests.

One folder per run
------------------
A *run* is one survey round's data pushed through the workflow under a name (config key
``run``, e.g. ``synthetic-2021`` for the default synthetic run, ``2022`` for a real round).
Every run writes only below its own folders::

    data/raw/<run>/            the synthetic survey's raw files (real files: input.raw_dir)
    data/processed/<run>/      clean tables, rejected rows, analysis dataset, input.json
    data/notebooks/<run>/      notebooks executed on the run
    results/<run>/             everything publishable: codebook, template, validation,
                               models, numbers.json, tables/<lang>/, figures/<lang>/, summary/
    logs/<run>/, benchmarks/<run>/

so that two runs (a synthetic and a real one, or two rounds) never share a file. The
simulation study (``snakemake simulation``) is a study of the design, not a run of data:
it keeps ``results/simulation/``.

The API
-------
- The module constants are Snakemake patterns: ``{run}`` (and ``{lang}`` for the tables,
  figures and summary, ``{ext}``, ``{model}``, ``{name}``, ...) are wildcards. The rules
  use them as they are.
- :func:`of` gives the same names filled in for one run (and optionally one language),
  for everything outside Snakemake::

      p = paths.of("synthetic-2021")
      p.PROCESSED["cases"]     # 'data/processed/synthetic-2021/cases.parquet'
      p.NUMBERS                # 'results/synthetic-2021/numbers.json'
      p.log("ingest")          # 'logs/synthetic-2021/ingest.log'
      paths.of("2022", lang="en").SUMMARY   # 'results/2022/summary/summary.en.{ext}'

  Fields left open stay patterns; :func:`fill` fills them (``paths.fill(p.SUMMARY,
  ext="pdf")``).

Every path is relative to the working directory (Snakemake's ``--directory``). Data about
persons stays under ``data/``; everything under ``results/`` is publishable.
"""

from __future__ import annotations

import re
from pathlib import Path

#: The report's templates, labels and CSS: part of the workflow, relative to the repository.
REPORT_ASSETS = "workflow/report"
#: The raw tables of FORMAT.md, in the order the ingest rule lists them (roster first).
RAW_TABLES = ("roster", "awareness", "cases")
#: The languages the report is written in (report.languages).
LANGUAGES = ("ja", "en")

#: The raw files of a synthetic run (its generator's outputs); a real run's are in input.raw_dir.
SYNTHETIC_RAW_DIR = "data/raw/{run}"
PROCESSED_DIR = "data/processed/{run}"
RESULTS_DIR = "results/{run}"

#: What input the outputs of a run folder came from (checked before a run starts).
RUN_INPUT = f"{PROCESSED_DIR}/input.json"

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

# docs: generated from the codebook and the run's survey section (teichaku.survey); the
# round's codebook is what every stage of the run reads
ROUND_CODEBOOK = f"{RESULTS_DIR}/codebook/codebook.yaml"
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
#: one model's job (rule analysis_model): its coefficients and diagnostics as fitted and its
#: reliability assessment, gathered into the files above; under data/ as they are not yet
#: published (a model that is not reported keeps its estimates here)
MODEL_PIECES_DIR = f"{PROCESSED_DIR}/models"
MODEL_COEFFICIENTS = f"{MODEL_PIECES_DIR}/{{model}}/coefficients.parquet"
MODEL_DIAGNOSTICS = f"{MODEL_PIECES_DIR}/{{model}}/diagnostics.parquet"
MODEL_RELIABILITY = f"{MODEL_PIECES_DIR}/{{model}}/reliability.csv"
NUMBERS = f"{RESULTS_DIR}/numbers.json"

# report: one folder of tables and of figures per language, one summary per language
TABLES_DIR = f"{RESULTS_DIR}/tables/{{lang}}"
#: every table of the report in one workbook, a sheet per table (teichaku.report.workbook)
TABLES_WORKBOOK = f"{TABLES_DIR}/tables.xlsx"
FIGURES_DIR = f"{RESULTS_DIR}/figures/{{lang}}"
SUMMARY_DIR = f"{RESULTS_DIR}/summary"
SUMMARY = f"{SUMMARY_DIR}/summary.{{lang}}.{{ext}}"
#: code, configuration, input files (SHA-256), packages and seeds of the run, one per run
PROVENANCE = f"{SUMMARY_DIR}/provenance.txt"

# notebooks executed on a run (`snakemake notebooks`): analyst views of the data (cases per
# center, quantiles per cohort, rejected rows), kept under data/, never published
NOTEBOOK = "data/notebooks/{run}/{name}.ipynb"

# a rule's log and benchmark files
LOGS_DIR = "logs/{run}"
BENCHMARKS_DIR = "benchmarks/{run}"

# simulation study (`snakemake simulation`): a study of the design, shared by the runs
SIMULATION_DIR = "results/simulation"
SIMULATION_CHUNK = f"{SIMULATION_DIR}/replicates/{{scenario}}/chunk-{{chunk}}.tsv"
#: the pseudo-true values of one scenario's models without a generator truth (population fit)
SIMULATION_TRUTH = f"{SIMULATION_DIR}/truth/{{scenario}}.tsv"
SIMULATION_PERFORMANCE = f"{SIMULATION_DIR}/performance.tsv"
SIMULATION_SCENARIOS = f"{SIMULATION_DIR}/scenarios.tsv"
SIMULATION_FIGURE = f"{SIMULATION_DIR}/power_by_cases.{{ext}}"
SIMULATION_SECTION = f"{SIMULATION_DIR}/summary.md"
SIMULATION_TIMING = f"{SIMULATION_DIR}/timing.tsv"
SIMULATION_LOGS_DIR = "logs/simulation"
SIMULATION_BENCHMARKS_DIR = "benchmarks/simulation"

# comparison of the runs of config compare: (`snakemake compare`): across runs, so in no
# run's folder (a run may not be named compare)
COMPARE_DIR = "results/compare"
COMPARE_TREND = f"{COMPARE_DIR}/trend.csv"
COMPARE_DIFFERENCE = f"{COMPARE_DIR}/difference.csv"
COMPARE_TEST = f"{COMPARE_DIR}/difference_test.json"
COMPARE_LINKAGE = f"{COMPARE_DIR}/linkage.csv"
COMPARE_DOCUMENT = f"{COMPARE_DIR}/comparison.{{lang}}.md"
#: a stem: the figure is written as .png and .pdf
COMPARE_FIGURE = f"{COMPARE_DIR}/figures/{{lang}}/trend"
COMPARE_LOG = "logs/compare/compare_rounds.log"
COMPARE_BENCHMARK = "benchmarks/compare/compare_rounds.tsv"

#: The names :func:`of` fills in for one run.
PER_RUN = (
    "SYNTHETIC_RAW_DIR",
    "PROCESSED_DIR",
    "RESULTS_DIR",
    "RUN_INPUT",
    "PROCESSED",
    "REJECTED_ROWS",
    "FILE_LABELS",
    "VALIDATION_DIR",
    "VALIDATION_JSON",
    "VALIDATION_CSV",
    "ACCEPTED",
    "ROUND_CODEBOOK",
    "CODEBOOK_MD",
    "CODEBOOK_CSV",
    "ENTRY_TEMPLATE",
    "ANALYSIS_DATASET",
    "PROTECTION",
    "MODELS_DIR",
    "COEFFICIENTS",
    "DIAGNOSTICS",
    "RELIABILITY",
    "CURVES",
    "CIF_PREDICTED",
    "FIT",
    "MODEL_PIECES_DIR",
    "MODEL_COEFFICIENTS",
    "MODEL_DIAGNOSTICS",
    "MODEL_RELIABILITY",
    "NUMBERS",
    "TABLES_DIR",
    "TABLES_WORKBOOK",
    "FIGURES_DIR",
    "SUMMARY_DIR",
    "SUMMARY",
    "PROVENANCE",
    "NOTEBOOK",
    "LOGS_DIR",
    "BENCHMARKS_DIR",
)

_FIELD = re.compile(r"\{(\w+)\}")


def fill(pattern: str, **fields: str) -> str:
    """A path pattern with the ``{...}`` fields named in ``fields`` filled in (others kept)."""
    return _FIELD.sub(lambda m: str(fields.get(m.group(1), m.group(0))), pattern)


def log(name: str) -> str:
    """The log file of the rule (or step) ``name`` of a run (pattern with ``{run}``)."""
    return f"{LOGS_DIR}/{name}.log"


def benchmark(name: str) -> str:
    """The benchmark file of the rule ``name`` of a run (pattern with ``{run}``)."""
    return f"{BENCHMARKS_DIR}/{name}.tsv"


def compare_outputs(languages) -> dict[str, str]:
    """The comparison's files by the compare stage's output names (documents and figures
    per language; a figure is a stem, written as .png and .pdf)."""
    return {
        "trend": COMPARE_TREND,
        "difference": COMPARE_DIFFERENCE,
        "joint": COMPARE_TEST,
        "linkage": COMPARE_LINKAGE,
        **{f"document_{lang}": fill(COMPARE_DOCUMENT, lang=lang) for lang in languages},
        **{f"figure_{lang}": fill(COMPARE_FIGURE, lang=lang) for lang in languages},
    }


def simulation_log(name: str) -> str:
    """The log file of the simulation study's rule ``name``."""
    return f"{SIMULATION_LOGS_DIR}/{name}.log"


def simulation_benchmark(name: str) -> str:
    """The benchmark file of the simulation study's rule ``name``."""
    return f"{SIMULATION_BENCHMARKS_DIR}/{name}.tsv"


class RunPaths:
    """The paths of one run (and optionally one language): the module's names filled in.

    ``of("2022").NUMBERS`` is ``results/2022/numbers.json``; names the module has but a
    run does not (REPORT_ASSETS, SIMULATION_*) are the module's own.
    """

    def __init__(self, run: str, lang: str | None = None):
        self.run = run
        self.lang = lang
        self._fields = {"run": run} | ({"lang": lang} if lang else {})

    def __getattr__(self, name: str):
        value = globals().get(name)
        if name not in PER_RUN:
            if value is None or name.startswith("_"):
                raise AttributeError(name)
            return value
        if isinstance(value, dict):
            return {key: fill(v, **self._fields) for key, v in value.items()}
        return fill(value, **self._fields)

    def log(self, name: str) -> str:
        return fill(log(name), **self._fields)

    def benchmark(self, name: str) -> str:
        return fill(benchmark(name), **self._fields)

    def __repr__(self) -> str:
        return f"RunPaths(run={self.run!r}, lang={self.lang!r})"


def of(run: str, lang: str | None = None) -> RunPaths:
    """The paths of the run ``run`` (config key ``run``), in language ``lang`` when given."""
    return RunPaths(run, lang)


def raw_dir(config: dict) -> Path:
    """The raw folder of a run: the synthetic survey's own folder, or input.raw_dir."""
    if config["input"]["source"] == "synthetic":
        return Path(fill(SYNTHETIC_RAW_DIR, run=config["run"]))
    return Path(config["input"]["raw_dir"])


def raw_inputs(config: dict) -> list[Path]:
    """The raw files a run reads: the synthetic survey's files (outputs of its rule), or the
    files found in input.raw_dir."""
    folder = raw_dir(config)
    if config["input"]["source"] == "synthetic":
        return [folder / "roster.xlsx", folder / "awareness.xlsx", folder / "cases"]
    from teichaku.ingest.readers import raw_input_files

    return raw_input_files(folder, RAW_TABLES)
