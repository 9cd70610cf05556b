"""Rule ingest: raw folder -> clean tables, rejected rows and the validation summary."""

from pathlib import Path

from teichaku.entry import setup_logging
from teichaku.ingest.stage import guarded, ingest
from teichaku.ingest.survey import OutputPaths
from teichaku.runs import write_input_record

setup_logging(snakemake.log[0])
out = snakemake.output
paths = OutputPaths(
    roster=Path(out.roster),
    awareness=Path(out.awareness),
    cases=Path(out.cases),
    rejected=Path(out.rejected),
    summary_json=Path(out.summary_json),
    summary_csv=Path(out.summary_csv),
)
guarded(
    lambda: ingest(
        raw_dir=snakemake.params.raw_dir,
        codebook_path=snakemake.input.codebook,
        paths=paths,
        synthetic=snakemake.params.synthetic,
        key_file=snakemake.params.key_file,
        synthetic_key=snakemake.params.synthetic_key,
        min_cell=snakemake.params.min_cell,
        invalid_cell=snakemake.params.invalid_cell,
    )
)
write_input_record(
    snakemake.params.run_input, snakemake.output.run_input, snakemake.params.raw_digest
)
