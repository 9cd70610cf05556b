"""Rule disclosure_protection: the primary and secondary suppression of tables 1-3 and of the
cross-tabulations of report.yaml, audited
-> data/processed/protection.json."""

from teichaku.entry import setup_logging
from teichaku.report.stage import write_protection

setup_logging(snakemake.log[0])
write_protection(
    cases=snakemake.input.cases,
    analysis=snakemake.input.analysis,
    output=snakemake.output[0],
    prolonged=snakemake.params.prolonged,
    codebook_path=snakemake.input.codebook,
    min_cell=snakemake.params.min_cell,
    crosstabs=snakemake.params.crosstabs,
)
