"""Rule report_table: the files its builder reads -> results/<run>/tables/<lang>/<table>.*
(its entry of config/report.yaml and its facts of config/models.yaml arrive as params)."""

from teichaku.entry import setup_logging
from teichaku.report import stage

setup_logging(snakemake.log[0])
job = snakemake.params.job
stage.run_table(
    inputs=stage.load_inputs(
        paths=dict(snakemake.input.items()),
        thresholds=job["settings"]["thresholds"],
        facts=job["facts"],
    ),
    item=job["item"],
    models_main=job["models_main"],
    settings=job["settings"],
    codebook=snakemake.input.codebook,
    label_file=snakemake.input.labels,
    out_dir=snakemake.params.out_dir,
)
