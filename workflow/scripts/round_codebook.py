"""Rule round_codebook: the codebook and the run's survey section -> the round's codebook."""

from teichaku.entry import setup_logging
from teichaku.survey import guarded_round_codebook

setup_logging(snakemake.log[0])
guarded_round_codebook(
    codebook=snakemake.input.codebook, survey=snakemake.params.survey, out=snakemake.output[0]
)
