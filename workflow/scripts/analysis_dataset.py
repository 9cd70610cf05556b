"""Rule analysis_dataset: clean cases + roster -> data/processed/analysis.parquet."""

from teichaku.analysis.stage import write_dataset
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
write_dataset(
    cases=snakemake.input.cases,
    roster=snakemake.input.roster,
    output=snakemake.output[0],
    analysis_config=snakemake.params.analysis,
    codebook_path=snakemake.input.codebook,
)
