"""Rule ingest_gate: stop the run when too many case rows were rejected (after the report
and the parquet files are written, so they can be inspected)."""

from teichaku.ingest.run import gate, guarded, setup_logging

setup_logging(snakemake.log[0])
guarded(
    lambda: gate(snakemake.input.summary, snakemake.output.accepted, snakemake.params.max_share)
)
