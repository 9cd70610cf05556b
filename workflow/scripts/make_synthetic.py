"""Rule synthetic_survey: generate the synthetic survey into the raw folder."""

from pathlib import Path

from teichaku.entry import setup_logging
from teichaku.synthetic.stage import write_synthetic

setup_logging(snakemake.log[0])
write_synthetic(
    parameters=snakemake.input.parameters,
    published=snakemake.input.published,
    codebook=snakemake.input.codebook,
    raw_dir=Path(snakemake.output.roster).parent,
    validate=False,  # validated by the rule
)
