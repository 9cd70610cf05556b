"""``python -m teichaku.ingest {ingest,gate}``: the ingest rules on the workflow's paths."""

import sys
from pathlib import Path

from teichaku import paths
from teichaku.entry import main, round_codebook
from teichaku.ingest import gate
from teichaku.ingest.readers import raw_digest
from teichaku.ingest.stage import guarded, ingest
from teichaku.ingest.survey import OutputPaths
from teichaku.runs import input_record, write_input_record


def run_ingest(config: dict) -> None:
    run = paths.of(config["run"])
    outputs = OutputPaths(
        roster=Path(run.PROCESSED["roster"]),
        awareness=Path(run.PROCESSED["awareness"]),
        cases=Path(run.PROCESSED["cases"]),
        rejected=Path(run.REJECTED_ROWS),
        summary_json=Path(run.VALIDATION_JSON),
        summary_csv=Path(run.VALIDATION_CSV),
    )
    guarded(
        lambda: ingest(
            raw_dir=paths.raw_dir(config),
            codebook_path=round_codebook(config),
            paths=outputs,
            synthetic=config["input"]["source"] == "synthetic",
            key_file=config["pseudonym"]["key_file"],
            synthetic_key=config["pseudonym"]["synthetic_key"],
            min_cell=config["privacy"]["min_cell"],
            invalid_cell=config["validation"].get("invalid_cell"),
        )
    )
    synthetic = config["input"]["source"] == "synthetic"
    digest = None if synthetic else raw_digest(paths.raw_dir(config), paths.raw_inputs(config))
    write_input_record(input_record(config), run.RUN_INPUT, digest)


def run_gate(config: dict) -> None:
    """The gate's stop is its message on stderr and exit code 1, as in the workflow."""
    run = paths.of(config["run"])
    try:
        gate.run_gate(
            run.VALIDATION_JSON,
            run.ACCEPTED,
            config["validation"]["max_rejected_share"],
            run.log("ingest_gate"),
        )
    except gate.RejectedShareExceeded as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)


main("ingest", {"ingest": run_ingest, "gate": run_gate})
