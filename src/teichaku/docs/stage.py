"""The docs stage's steps as the workflow runs them (rules data_dictionary, entry_template).

Neither reads any data, so both outputs are publishable. ``python -m teichaku.docs`` runs
them outside Snakemake.
"""

from __future__ import annotations

import logging
from pathlib import Path

from teichaku.codebook import load_codebook
from teichaku.dictionary import write_dictionary
from teichaku.template import write_template

log = logging.getLogger(__name__)


def write_data_dictionary(
    *, codebook: str | Path, markdown: str | Path, csv: str | Path, source: str | None = None
) -> None:
    """The data dictionary of the codebook (the round's), as Markdown and CSV; ``source`` is
    the codebook file it names as its origin (default: ``codebook``)."""
    book = load_codebook(str(codebook))
    write_dictionary(book, markdown, csv, source=str(source or codebook))
    log.info("data dictionary of %d tables written", len(book.tables))


def write_entry_template(
    *, codebook: str | Path, workbook: str | Path, roster: str | Path | None = None
) -> None:
    """The data-entry workbook a center fills in; its center numbers are those of the
    round's ``roster`` (raw file) when there is one, else every number of the codebook."""
    book = load_codebook(str(codebook))
    centers = roster_centers(roster, book) if roster else None
    path = write_template(book, workbook, centers=centers)
    log.info(
        "entry template written to %s (centers: %s)",
        path,
        f"{len(centers)} of the roster" if centers else "every number of the codebook",
    )


def roster_centers(roster: str | Path, book) -> list[str] | None:
    """The valid center numbers of a raw roster file, in order (None when it has none or
    cannot be read: the template then offers every number)."""
    from teichaku.feedback.validate import validate_files
    from teichaku.ingest.errors import IngestError

    try:
        centers = validate_files([], book, Path(roster)).roster
    except IngestError as exc:
        log.warning("roster %s not used for the template's centers: %s", roster, exc)
        return None
    return sorted(centers) if centers else None
