"""Rule ingest_gate: stop the run when too many case rows were rejected (after the report
and the parquet files are written, so they can be inspected)."""

from teichaku.entry import setup_logging
from teichaku.ingest.stage import gate, guarded

setup_logging(snakemake.log[0])
guarded(
    lambda: gate(
        summary_path=snakemake.input.summary,
        accepted_path=snakemake.output.accepted,
        max_share=snakemake.params.max_share,
    )
)
