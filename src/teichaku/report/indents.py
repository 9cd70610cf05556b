"""The full-width indents of table cells, kept through markdown-it.

The display tables indent an item under its group heading with full-width spaces (U+3000,
:data:`teichaku.report.cells.INDENT`), one per level, and the Markdown keeps them. markdown-it
trims every cell, so the HTML, the PDF and the Word document made from the Markdown would
lose them: :func:`indent_plugin` gives each cell that starts with them a class
``indent-<level>`` (on its ``<td>``/``<th>`` token) read from the cell's source line, which
the HTML layout turns into a left padding (:mod:`teichaku.report.layout`) and the Word
document into a paragraph indent (:mod:`teichaku.report.word`).
"""

from __future__ import annotations

import re

from teichaku.report.cells import INDENT

#: A cell's separator: a pipe not escaped (a cell's own pipes are written ``\\|``).
_SEPARATOR = re.compile(r"(?<!\\)\|")
_CLASS = re.compile(r"(?:^|\s)indent-(\d+)(?:\s|$)")


def cell_indents(line: str) -> list[int]:
    """The indent level (leading full-width spaces) of each cell of a pipe-table row."""
    text = line.strip(" \t")
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    cells = [cell.lstrip(" \t") for cell in _SEPARATOR.split(text)]
    return [len(cell) - len(cell.lstrip(INDENT)) for cell in cells]


def level_of(token) -> int:
    """The indent level marked on a ``td_open``/``th_open`` token (0: none)."""
    match = _CLASS.search(token.attrGet("class") or "")
    return int(match.group(1)) if match else 0


def _mark_indents(state) -> None:
    """Core rule after ``block``: each table cell's level from its row's source line."""
    lines = state.src.split("\n")
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type != "tr_open" or not tok.map:
            continue
        opens = []
        for nxt in tokens[i + 1 :]:
            if nxt.type == "tr_close":
                break
            if nxt.type in ("td_open", "th_open"):
                opens.append(nxt)
        levels = cell_indents(lines[tok.map[0]])
        if len(levels) < len(opens):  # not a row as the table rule read it: leave it
            continue
        for cell, level in zip(opens, levels, strict=False):
            if level:
                cell.attrJoin("class", f"indent-{level}")


def indent_plugin(md) -> None:
    """markdown-it plugin: table cells keep their full-width indent as ``indent-<level>``."""
    md.core.ruler.after("block", "table_indents", _mark_indents)
