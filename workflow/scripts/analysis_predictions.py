"""Rule analysis_predictions: cumulative incidence predicted by the Fine-Gray models ->
results/models/cif_predicted.parquet."""

from teichaku.analysis.stage import write_predictions
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
write_predictions(
    analysis=snakemake.input.analysis,
    output=snakemake.output[0],
    spec=snakemake.params.spec,
    codebook_path=snakemake.input.codebook,
    min_cell=snakemake.params.min_cell,
    reliability=list(snakemake.input.reliability),
)
