"""Rule entry_template: the codebook -> the data-entry workbook."""

from teichaku.docs.stage import write_entry_template
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
write_entry_template(
    codebook=snakemake.input.codebook,
    workbook=snakemake.output.workbook,
    roster=snakemake.input.roster or None,  # none: every center number of the codebook
)
