"""Rule analysis_model: one model of config/models.yaml -> its fit summary
(results/<run>/models/fits/<model>.txt) and its pieces of coefficients, diagnostics and
reliability (data/processed/<run>/models/<model>/)."""

from teichaku.analysis.stage import write_model
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
write_model(
    model=snakemake.wildcards.model,
    analysis=snakemake.input.analysis,
    awareness=snakemake.input.awareness or None,  # a model of the centers only
    spec=snakemake.params.spec,
    analysis_config=snakemake.params.analysis,
    codebook_path=snakemake.input.codebook,
    min_cell=snakemake.params.min_cell,
    fit=snakemake.output.fit,
    coefficients=snakemake.output.coefficients,
    diagnostics=snakemake.output.diagnostics,
    reliability=snakemake.output.reliability,
)
