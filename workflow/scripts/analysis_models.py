"""Rule analysis_models: the pieces of every model -> coefficients.csv, diagnostics.csv and
reliability.csv of results/<run>/models/, as published."""

from teichaku.analysis.stage import gather_models
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
gather_models(
    models=list(snakemake.params.models),
    coefficient_pieces=list(snakemake.input.coefficients),
    diagnostic_pieces=list(snakemake.input.diagnostics),
    rules=snakemake.params.rules,
    min_cell=snakemake.params.min_cell,
    coefficients=snakemake.output.coefficients,
    diagnostics=snakemake.output.diagnostics,
    reliability=snakemake.output.reliability,
)
