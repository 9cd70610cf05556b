"""Rule analysis_models: every model of config/models.yaml -> coefficients, diagnostics, fits."""

from teichaku.analysis.stage import write_models
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
write_models(
    analysis=snakemake.input.analysis,
    awareness=snakemake.input.awareness,
    coefficients=snakemake.output.coefficients,
    diagnostics=snakemake.output.diagnostics,
    fits=list(snakemake.output.fits),
    analysis_config=snakemake.params.analysis,
    codebook_path=snakemake.input.codebook,
)
