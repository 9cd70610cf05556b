"""The ingest stage's steps as the workflow runs them (rules ingest and ingest_gate): run,
log, and turn an ``IngestError`` into one clear message on stderr and a non-zero exit
(never a bare traceback). ``python -m teichaku.ingest`` runs them outside Snakemake."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from teichaku import pseudonym
from teichaku.codebook import load_codebook
from teichaku.ingest.errors import IngestError
from teichaku.ingest.rules import RULES
from teichaku.ingest.survey import OutputPaths, ingest_survey, write_outputs

log = logging.getLogger("teichaku.ingest")


def guarded(step: Callable[[], None]) -> None:
    """Run ``step``; an ``IngestError`` ends the process with its message and exit code 1."""
    try:
        step()
    except IngestError as exc:
        log.error("%s", exc)
        sys.exit(1)


def ingest(
    *,
    raw_dir: str | Path,
    codebook_path: str | Path,
    paths: OutputPaths,
    synthetic: bool,
    key_file: str | Path,
    synthetic_key: str,
    min_cell: int,
    invalid_cell=None,
) -> dict:
    codebook = load_codebook(str(codebook_path))
    key = pseudonym.load_key(synthetic=synthetic, synthetic_key=synthetic_key, key_file=key_file)
    result = ingest_survey(raw_dir, codebook, key, invalid_cell)
    data = write_outputs(result, paths, int(min_cell))
    for name, table in data["tables"].items():
        log.info(
            "%s: %d rows read, %d valid, %d rejected, %d duplicates; errors %s; warnings %s",
            name,
            table["rows_read"],
            table["rows_valid"],
            table["rows_rejected"],
            table["rows_duplicate"],
            table["errors"],
            table["warnings"],
        )
        for f in table["files"]:
            for notice in f.get("notices", []):
                rule = RULES[notice["rule"]]
                log.warning(
                    "%s: %s: %s (%s) / %s",
                    f["file"],
                    notice["rule"],
                    rule.message_en,
                    notice["detail"],
                    rule.message_ja,
                )
            if f["extra_columns"]:
                log.warning(
                    "%s: columns not in the codebook (ignored): %s",
                    f["file"],
                    ", ".join(f["extra_columns"]),
                )
    for name in data["ignored_files"]:
        log.warning("%s: not a data file, ignored", name)
    return data
