"""Rule analysis_curves: Kaplan-Meier and Aalen-Johansen curves -> results/models/curves.parquet."""

from teichaku.analysis.stage import write_curves
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
write_curves(
    analysis=snakemake.input.analysis,
    output=snakemake.output[0],
    spec=snakemake.params.spec,
    confidence=snakemake.params.confidence,
    prolonged=snakemake.params.prolonged,
    codebook_path=snakemake.input.codebook,
    min_cell=snakemake.params.min_cell,
    cases=snakemake.input.cases,
    protection=snakemake.input.protection,
)
