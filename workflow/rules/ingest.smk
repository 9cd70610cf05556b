# Ingestion: the raw folder (FORMAT.md) -> clean, validated tables in data/processed/, the
# rejected rows (with file, sheet, row, column, rule) and the publishable validation summary.
# With input.source: synthetic the raw files are the synthetic rule's outputs; with
# input.source: files, whatever roster, awareness and cases/ files are in raw_dir.

from teichaku.ingest.gate import run_gate
from teichaku.ingest.readers import raw_input_files

GATE_LOG = "logs/ingest_gate.log"

PROCESSED = {
    "roster": "data/processed/roster.parquet",
    "awareness": "data/processed/awareness.parquet",
    "cases": "data/processed/cases.parquet",
}
INGEST_OUTPUTS = [
    *PROCESSED.values(),
    "data/processed/rejected_rows.parquet",
    "results/validation/summary.json",
    "results/validation/summary.csv",
    "results/validation/accepted.json",
]
# The synthetic survey's files (outputs of its rule), or the files found in raw_dir.
RAW_INPUTS = (
    [RAW_DIR / "roster.xlsx", RAW_DIR / "awareness.xlsx", RAW_DIR / "cases"]
    if SYNTHETIC
    else raw_input_files(RAW_DIR, ("roster", "awareness", "cases"))
)


rule ingest:
    input:
        raw=RAW_INPUTS,
        codebook=config["codebook"],
    output:
        roster=PROCESSED["roster"],
        awareness=PROCESSED["awareness"],
        cases=PROCESSED["cases"],
        rejected="data/processed/rejected_rows.parquet",
        summary_json="results/validation/summary.json",
        summary_csv="results/validation/summary.csv",
    params:
        raw_dir=lambda wildcards, input: str(Path(input.raw[0]).parent),  # roster file first
        synthetic=SYNTHETIC,
        key_file=config["pseudonym"]["key_file"],
        synthetic_key=config["pseudonym"]["synthetic_key"],
    log:
        "logs/ingest.log",
    benchmark:
        "benchmarks/ingest.tsv"
    conda:
        ENV
    script:
        "../scripts/ingest.py"


rule ingest_gate:
    # A run: block, not a script: the stop is then reported as the gate's own bilingual
    # message (RejectedShareExceeded), not as a CalledProcessError of a temporary script.
    input:
        summary="results/validation/summary.json",
    output:
        accepted="results/validation/accepted.json",
    params:
        max_share=config["validation"]["max_rejected_share"],
    log:
        GATE_LOG,
    benchmark:
        "benchmarks/ingest_gate.tsv"
    run:
        run_gate(input.summary, output.accepted, params.max_share, log[0])
