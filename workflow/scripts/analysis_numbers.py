"""Rule analysis_numbers: every number the summary quotes -> results/numbers.json."""

from teichaku.analysis.stage import write_numbers
from teichaku.ingest.run import setup_logging

setup_logging(snakemake.log[0])
inp = snakemake.input
write_numbers(
    inp.roster,
    inp.cases,
    inp.awareness,
    inp.analysis,
    inp.coefficients,
    inp.diagnostics,
    inp.published,
    inp.validation,
    snakemake.output[0],
    snakemake.params.analysis,
    inp.codebook,
    reliability=inp.reliability,
    min_cell=snakemake.params.min_cell,
)
