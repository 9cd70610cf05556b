"""Rule analysis_dataset: clean cases + roster -> data/processed/analysis.parquet."""

from teichaku.analysis.stage import write_dataset
from teichaku.ingest.run import setup_logging

setup_logging(snakemake.log[0])
write_dataset(
    snakemake.input.cases,
    snakemake.input.roster,
    snakemake.output[0],
    snakemake.params.analysis,
    snakemake.input.codebook,
)
