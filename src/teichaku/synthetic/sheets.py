"""Sheet layout: title rows, one- or two-row headers with merged cells, aliases, column
order; CSV in the centers' encodings (xlsx: :mod:`teichaku.synthetic.xlsx`)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from teichaku.codebook import Table, Variable
from teichaku.synthetic.spelling import CellStyle, full_width

LINE_BREAK = "\n"


@dataclass
class HeaderStyle:
    """How one file lays out its header."""

    two_rows: bool  # grouped columns as a merged group row over an item row
    merge_vertical: bool  # two-row: non-group labels merged down (else blank below)
    separator: str  # one-row: between group and item
    alias_share: float
    space_share: float
    full_width_share: float


def _label(main: str, aliases: tuple[str, ...], style: HeaderStyle, cell: CellStyle, rng) -> str:
    label = main
    options = cell.options(aliases)
    if options and rng.random() < style.alias_share:
        label = options[rng.integers(len(options))]
    if len(label) > 2 and rng.random() < style.space_share:
        cut = int(rng.integers(1, len(label) - 1))
        label = label[:cut] + (" " if rng.random() < 0.5 else "\u3000") + label[cut:]
    if rng.random() < style.full_width_share:
        label = full_width(label)
    return label


def column_blocks(table: Table, columns: list[str]) -> list[list[str]]:
    """Columns in blocks: each ungrouped variable alone, each group's items together."""
    blocks: list[list[str]] = []
    seen_groups: dict[str, list[str]] = {}
    for name in columns:
        var = table.variables.get(name)
        group = var.group if var is not None else None
        if group is None:
            blocks.append([name])
        elif group in seen_groups:
            seen_groups[group].append(name)
        else:
            seen_groups[group] = [name]
            blocks.append(seen_groups[group])
    return blocks


def header_rows(
    table: Table,
    blocks: list[list[str]],
    extra: dict[str, str],
    style: HeaderStyle,
    cell: CellStyle,
    rng,
    top: int,
):
    """Header rows (one or two) and merges for the flattened ``blocks``; ``top`` is the
    1-based row of the first header row."""
    columns = [c for b in blocks for c in b]
    merges = []
    if not style.two_rows:
        row = []
        for name in columns:
            var: Variable | None = table.variables.get(name)
            if var is None:
                row.append(extra[name])
            elif var.group:
                group = table.groups[var.group]
                g = _label(group.header, group.aliases, style, cell, rng)
                row.append(f"{g}{style.separator}{var.item}")
            else:
                row.append(_label(var.header, var.aliases, style, cell, rng))
        return [row], merges
    first, second = [], []
    for block in blocks:
        var = table.variables.get(block[0])
        if var is not None and var.group:
            group = table.groups[var.group]
            start = len(first) + 1
            first += [_label(group.header, group.aliases, style, cell, rng)] + [None] * (
                len(block) - 1
            )
            second += [table.variables[n].item for n in block]
            if len(block) > 1:
                merges.append((top, start, top, start + len(block) - 1))
        else:
            label = (
                extra[block[0]]
                if var is None
                else _label(var.header, var.aliases, style, cell, rng)
            )
            first.append(label)
            second.append(None)
            if style.merge_vertical:
                merges.append((top, len(first), top + 1, len(first)))
    return [first, second], merges


def write_csv(path: Path, head: list[list], body: np.ndarray, encoding: str) -> None:
    """CSV as Japanese Excel writes it (CRLF): the ``head`` rows (titles, header), then the
    ``body``, a 2-D object array of cells already rendered as text (or None, written as
    ""): its rows go to the csv module as they are, without the look for numpy scalars
    that :func:`to_rows` makes for a workbook's numbers."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerows(head)
        writer.writerows(body.tolist())


_TYPE_OF = np.frompyfunc(type, 1, 1)


def to_rows(cells: np.ndarray) -> list[list]:
    """A 2-D object array as rows, with numpy scalars made plain Python values (the types
    of all cells are looked at first: most arrays hold none)."""
    if not any(issubclass(t, np.generic) for t in pd.unique(_TYPE_OF(cells).ravel())):
        return cells.tolist()
    return [[v.item() if isinstance(v, np.generic) else v for v in row] for row in cells]
