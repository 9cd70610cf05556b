"""Rule analysis_models: every model of config/models.yaml -> coefficients, diagnostics, fits."""

from teichaku.analysis.stage import write_models
from teichaku.ingest.run import setup_logging

setup_logging(snakemake.log[0])
write_models(
    snakemake.input.analysis,
    snakemake.input.awareness,
    snakemake.output.coefficients,
    snakemake.output.diagnostics,
    list(snakemake.output.fits),
    snakemake.params.analysis,
    snakemake.input.codebook,
    reliability_path=snakemake.output.reliability,
    min_cell=snakemake.params.min_cell,
)
