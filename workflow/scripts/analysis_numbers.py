"""Rule analysis_numbers: every number the summary quotes -> results/numbers.json."""

from teichaku.analysis.stage import write_numbers
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
inp = snakemake.input
write_numbers(
    roster=inp.roster,
    cases=inp.cases,
    awareness=inp.awareness,
    analysis=inp.analysis,
    coefficients=inp.coefficients,
    diagnostics=inp.diagnostics,
    published=inp.published or None,  # none: a round without published figures
    validation=inp.validation,
    output=snakemake.output[0],
    spec=snakemake.params.spec,
    analysis_config=snakemake.params.analysis,
    codebook_path=inp.codebook,
    reliability=inp.reliability,
    min_cell=snakemake.params.min_cell,
    protection=snakemake.input.protection,
)
