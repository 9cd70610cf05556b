"""``python -m teichaku.ingest {ingest,gate}``: the ingest rules on the workflow's paths."""

import sys
from pathlib import Path

from teichaku import paths
from teichaku.entry import main
from teichaku.ingest import gate
from teichaku.ingest.stage import guarded, ingest
from teichaku.ingest.survey import OutputPaths


def run_ingest(config: dict) -> None:
    outputs = OutputPaths(
        roster=Path(paths.PROCESSED["roster"]),
        awareness=Path(paths.PROCESSED["awareness"]),
        cases=Path(paths.PROCESSED["cases"]),
        rejected=Path(paths.REJECTED_ROWS),
        summary_json=Path(paths.VALIDATION_JSON),
        summary_csv=Path(paths.VALIDATION_CSV),
    )
    guarded(
        lambda: ingest(
            raw_dir=config["input"]["raw_dir"],
            codebook_path=config["codebook"],
            paths=outputs,
            synthetic=config["input"]["source"] == "synthetic",
            key_file=config["pseudonym"]["key_file"],
            synthetic_key=config["pseudonym"]["synthetic_key"],
            min_cell=config["privacy"]["min_cell"],
            invalid_cell=config["validation"].get("invalid_cell"),
        )
    )


def run_gate(config: dict) -> None:
    """The gate's stop is its message on stderr and exit code 1, as in the workflow."""
    try:
        gate.run_gate(
            paths.VALIDATION_JSON,
            paths.ACCEPTED,
            config["validation"]["max_rejected_share"],
            paths.log("ingest_gate"),
        )
    except gate.RejectedShareExceeded as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)


main("ingest", {"ingest": run_ingest, "gate": run_gate})
