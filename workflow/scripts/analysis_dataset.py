"""Rule analysis_dataset: clean cases + roster -> data/processed/<run>/analysis.parquet."""

from teichaku.analysis.stage import write_dataset
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
write_dataset(
    cases=snakemake.input.cases,
    roster=snakemake.input.roster,
    output=snakemake.output[0],
    spec=snakemake.params.spec,
    thresholds=snakemake.params.thresholds,
    codebook_path=snakemake.input.codebook,
)
