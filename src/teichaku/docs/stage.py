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


def write_entry_template(*, codebook: str | Path, workbook: str | Path) -> None:
    """The data-entry workbook a center fills in."""
    path = write_template(load_codebook(str(codebook)), workbook)
    log.info("entry template written to %s", path)
