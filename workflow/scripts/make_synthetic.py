"""Rule synthetic_survey: generate the synthetic survey (or a later round of it) into the
raw folder."""

from pathlib import Path

from teichaku.entry import setup_logging
from teichaku.synthetic.stage import write_later_round, write_synthetic

setup_logging(snakemake.log[0])
raw_dir = Path(snakemake.output.roster).parent
if "earlier_parameters" in snakemake.input.keys():
    write_later_round(
        parameters=snakemake.input.parameters,
        earlier_published=snakemake.input.earlier_published,
        earlier_codebook=snakemake.input.earlier_codebook,
        codebook=snakemake.input.codebook,
        raw_dir=raw_dir,
    )
else:
    write_synthetic(
        parameters=snakemake.input.parameters,
        published=snakemake.input.published,
        codebook=snakemake.input.codebook,
        raw_dir=raw_dir,
        validate=False,  # validated by the rule
    )
