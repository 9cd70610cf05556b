"""The summary documents of a run as the tests read them: its tables from the Markdown (what
the HTML and the PDF must show), and a copy of a run with more report languages."""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from teichaku import paths

from .conftest import run_paths, run_snakemake


def with_languages(run_dir: Path, workdir: Path, languages: list[str]) -> Path:
    """A copy of ``run_dir`` (a finished run) whose config asks for ``languages``, with the
    summaries of those languages built."""
    shutil.copytree(run_dir, workdir, symlinks=True, dirs_exist_ok=True)
    config_file = workdir / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["report"]["languages"] = list(languages)
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    targets = [
        paths.fill(run_paths(workdir, lang).SUMMARY, ext=ext)
        for lang in languages
        for ext in ("md", "html", "pdf")
    ]
    run_snakemake(workdir, *targets)
    return workdir


def summary_file(run_dir: Path, lang: str, ext: str) -> Path:
    return run_dir / paths.fill(run_paths(run_dir, lang).SUMMARY, ext=ext)


class _Cells(HTMLParser):
    """The text of every cell of every table, row by row (header rows included)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"header": [], "rows": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            key = "header" if self._in_head else "rows"
            if key == "header":
                self.tables[-1]["header"] = self._row
            else:
                self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def markdown_tables(markdown: str) -> list[dict]:
    """Every pipe table of a Markdown document: {header: [cell text], rows: [[cell text]]},
    the text as a reader sees it (escapes resolved)."""
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    parser = _Cells()
    parser.feed(rendered)
    for table in parser.tables:  # a row of empty cells shows nothing to look for
        table["rows"] = [row for row in table["rows"] if any(row)]
    return [t for t in parser.tables if t["header"]]


def squeeze(text: str) -> str:
    """Text without any white space (line breaks of wrapped cells fall anywhere)."""
    return re.sub(r"\s+", "", html.unescape(text))


def header_shown(cell: str, text: str) -> bool:
    """A header cell is in ``text`` (squeezed) whole, or split at a space into a group's label
    and the statistic under it (the two-row header of grouped columns)."""
    words = cell.split()
    return squeeze(cell) in text or any(
        squeeze(" ".join(words[:i])) in text and squeeze(" ".join(words[i:])) in text
        for i in range(1, len(words))
    )
