"""``python -m teichaku.ingest {ingest,gate}``: the ingest rules on the workflow's paths."""

from pathlib import Path

from teichaku import paths
from teichaku.entry import main
from teichaku.ingest.stage import gate, guarded, ingest
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
        )
    )


def run_gate(config: dict) -> None:
    guarded(
        lambda: gate(
            summary_path=paths.VALIDATION_JSON,
            accepted_path=paths.ACCEPTED,
            max_share=config["validation"]["max_rejected_share"],
        )
    )


main("ingest", {"ingest": run_ingest, "gate": run_gate})
