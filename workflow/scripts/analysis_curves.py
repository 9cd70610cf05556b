"""Rule analysis_curves: Kaplan-Meier and Aalen-Johansen curves -> results/models/curves.parquet."""

from teichaku.analysis.stage import write_curves
from teichaku.ingest.run import setup_logging

setup_logging(snakemake.log[0])
write_curves(
    snakemake.input.analysis,
    snakemake.output[0],
    snakemake.params.analysis,
    snakemake.input.codebook,
    min_cell=snakemake.params.min_cell,
)
