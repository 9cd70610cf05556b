# Ingestion: the run's raw folder (FORMAT.md) -> clean, validated tables in
# data/processed/<run>/, the rejected rows (with file, sheet, row, column, rule) and the
# publishable validation summary in results/<run>/validation/. With input.source: synthetic
# the raw files are the synthetic rule's outputs; with input.source: files, whatever roster,
# awareness and cases/ files are in the run's input.raw_dir.

from teichaku.ingest.gate import run_gate
from teichaku.runs import input_record

GATE_LOG = paths.log("ingest_gate")
PROCESSED = paths.PROCESSED
INGEST_OUTPUTS = [
    *PROCESSED.values(),
    paths.REJECTED_ROWS,
    paths.VALIDATION_JSON,
    paths.VALIDATION_CSV,
    paths.ACCEPTED,
]


rule ingest:
    input:
        raw=raw_inputs,
        codebook=paths.ROUND_CODEBOOK,
    output:
        roster=PROCESSED["roster"],
        awareness=PROCESSED["awareness"],
        cases=PROCESSED["cases"],
        rejected=paths.REJECTED_ROWS,
        summary_json=paths.VALIDATION_JSON,
        summary_csv=report(
            paths.VALIDATION_CSV,
            caption="../report/captions/validation.rst",
            category=report_category_named("validation"),
            labels={"name": "validation summary", "format": "csv"},
        ),
        run_input=paths.RUN_INPUT,
    log:
        paths.log("ingest"),
    benchmark:
        paths.benchmark("ingest")
    conda:
        ENV
    params:
        raw_dir=lambda wildcards: str(paths.raw_dir(RUNS[wildcards.run])),
        raw_digest=real_raw_digest,
        run_input=lambda wildcards: input_record(RUNS[wildcards.run]),
        synthetic=is_synthetic,
        key_file=run_setting("pseudonym", "key_file"),
        min_cell=run_setting("privacy", "min_cell"),
        synthetic_key=run_setting("pseudonym", "synthetic_key"),
        invalid_cell=run_setting("validation", "invalid_cell"),
    message:
        "Ingesting the raw files of {params.raw_dir} (run {wildcards.run}): clean tables, rejected rows and the validation summary"
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
        max_share=run_setting("validation", "max_rejected_share"),
    message:
        "Checking the share of rejected case rows of run {wildcards.run} against validation.max_rejected_share ({params.max_share})"
    run:
        run_gate(input.summary, output.accepted, params.max_share, log[0])
