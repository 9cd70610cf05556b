"""Rule report_workbook: the tables' JSON files -> results/<run>/tables/<lang>/tables.xlsx."""

from teichaku.entry import setup_logging
from teichaku.report import workbook

setup_logging(snakemake.log[0])
workbook.write_from_json(
    list(snakemake.input.tables),
    snakemake.output[0],
    language=snakemake.wildcards.lang,
    label_file=snakemake.input.labels,
    codebook=snakemake.input.codebook,
    confidence=snakemake.params.confidence,
)
