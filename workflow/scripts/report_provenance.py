"""Rule report_provenance: code, configuration, input files, packages and seeds ->
results/<run>/summary/provenance.txt."""

from teichaku import paths
from teichaku.entry import read_yaml, setup_logging
from teichaku.report.provenance import write_provenance

setup_logging(snakemake.log[0])
config = snakemake.params.config
extra = (
    {"synthetic": read_yaml(config["input"]["synthetic_config"])}
    if config["input"]["source"] == "synthetic"
    else {}
)
write_provenance(
    config=config,
    inputs=[*snakemake.input.raw, *snakemake.input.hashed],
    repo_dir=snakemake.params.repo_dir,
    extra_configs=extra,
    raw_dir=paths.raw_dir(config),
    out=snakemake.output[0],
)
