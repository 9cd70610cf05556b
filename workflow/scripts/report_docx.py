"""Rule report_docx: results/<run>/summary/summary.<lang>.md and the figures it embeds ->
summary.<lang>.docx."""

from teichaku.entry import setup_logging
from teichaku.report import word

setup_logging(snakemake.log[0])
word.write_docx(snakemake.input.md, snakemake.output[0])
