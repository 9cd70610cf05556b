"""Rule analysis_predictions: cumulative incidence predicted by the Fine-Gray models."""

from teichaku.analysis.stage import write_predictions
from teichaku.ingest.run import setup_logging

setup_logging(snakemake.log[0])
write_predictions(
    snakemake.input.analysis,
    snakemake.output[0],
    snakemake.params.analysis,
    snakemake.input.codebook,
)
