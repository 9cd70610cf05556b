"""Rule data_dictionary: the codebook -> the data dictionary (Markdown and CSV)."""

from teichaku.docs.stage import write_data_dictionary
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
write_data_dictionary(
    codebook=snakemake.input.codebook,
    source=snakemake.params.source,
    markdown=snakemake.output.markdown,
    csv=snakemake.output.csv,
)
