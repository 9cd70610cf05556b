# Ingestion: the raw folder (FORMAT.md) -> clean, validated tables in data/processed/, the
# rejected rows (with file, sheet, row, column, rule) and the publishable validation summary.
# With input.source: synthetic the raw files are the synthetic rule's outputs; with
# input.source: files, whatever roster, awareness and cases/ files are in raw_dir.

from teichaku.ingest.gate import run_gate
from teichaku.ingest.readers import raw_digest

GATE_LOG = paths.log("ingest_gate")
PROCESSED = paths.PROCESSED
INGEST_OUTPUTS = [
    *PROCESSED.values(),
    paths.REJECTED_ROWS,
    paths.VALIDATION_JSON,
    paths.VALIDATION_CSV,
    paths.ACCEPTED,
]
# The synthetic survey's files (outputs of its rule), or the files found in raw_dir.
RAW_INPUTS = paths.raw_inputs(config)


rule ingest:
    input:
        raw=RAW_INPUTS,
        codebook=config["codebook"],
    output:
        roster=PROCESSED["roster"],
        awareness=PROCESSED["awareness"],
        cases=PROCESSED["cases"],
        rejected=paths.REJECTED_ROWS,
        summary_json=paths.VALIDATION_JSON,
        summary_csv=paths.VALIDATION_CSV,
    log:
        paths.log("ingest"),
    benchmark:
        paths.benchmark("ingest")
    conda:
        ENV
    params:
        raw_dir=lambda wildcards, input: str(Path(input.raw[0]).parent),  # roster file first
        # real files are re-read when their content changes, whatever their modification
        # time (unzip, cp -p and rsync -t keep old ones); synthetic ones are outputs
        raw_digest=lambda wildcards: None if SYNTHETIC else raw_digest(RAW_DIR, RAW_INPUTS),
        synthetic=SYNTHETIC,
        key_file=config["pseudonym"]["key_file"],
        min_cell=config["privacy"]["min_cell"],
        synthetic_key=config["pseudonym"]["synthetic_key"],
        invalid_cell=config["validation"].get("invalid_cell", "reject_row"),
    message:
        "Ingesting the raw files of {params.raw_dir}: clean tables, rejected rows and the validation summary"
    script:
        "../scripts/ingest.py"


rule ingest_gate:
    # A run: block, not a script: the stop is then reported as the gate's own bilingual
    # message (RejectedShareExceeded), not as a CalledProcessError of a temporary script.
    input:
        summary=paths.VALIDATION_JSON,
    output:
        accepted=paths.ACCEPTED,
    log:
        GATE_LOG,
    benchmark:
        paths.benchmark("ingest_gate")
    params:
        max_share=config["validation"]["max_rejected_share"],
    message:
        "Checking the share of rejected case rows against validation.max_rejected_share ({params.max_share})"
    run:
        run_gate(input.summary, output.accepted, params.max_share, log[0])
