"""Merge the centers' awareness sheets (認識調査) into one awareness workbook, so that the
coordinator does not copy rows by hand. Inputs are awareness files, or the centers' case
workbooks (the entry template holds a 認識調査 sheet beside 対象者), or folders of them.

Each data row is copied cell by cell as entered (not parsed): ingesting the merged workbook
parses the same cells the separate sheets hold and gives the same table, problems included.
Nothing is dropped: a center that answers twice keeps both rows (ingestion then keeps an
exact repeat once and rejects two different answers); a row without a center number is
kept for ingestion to reject with its reason; columns that are not in the codebook are kept
too, after the codebook's (ingestion lists them and leaves them out of the table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from teichaku.codebook import Codebook
from teichaku.feedback.validate import tables_of
from teichaku.ingest.errors import IngestError
from teichaku.ingest.headers import find_header
from teichaku.ingest.readers import READABLE, read_sheet
from teichaku.ingest.values import cell_text

TITLE = "認識調査(各センターの回答をまとめたもの)"


@dataclass
class Merged:
    rows: list[list] = field(default_factory=list)  # cells as entered, in header order
    centers: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)  # files without an awareness sheet
    extras: list[str] = field(default_factory=list)  # labels of columns not in the codebook


def _files(paths: list[Path]) -> list[Path]:
    out = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in READABLE
                and not p.name.startswith(("~$", "."))
            )
        elif path.is_file():
            out.append(path)
        else:
            raise IngestError(f"{path}: file not found / ファイルがありません")
    return out


def header_labels(cb: Codebook) -> list[str]:
    """One header row: each column's label, ``group:item`` for a grouped column."""
    table = cb.tables["awareness"]
    return [
        f"{table.groups[v.group].header}:{v.item}" if v.group else v.header
        for v in table.variables.values()
    ]


def merge_awareness(paths: list[Path], cb: Codebook) -> Merged:
    table = cb.tables["awareness"]
    merged = Merged()
    for path in _files(paths):
        sheets = [sheet for name, sheet in tables_of(path, cb) if name == "awareness"]
        if not sheets:
            merged.skipped.append(str(path))  # a file of cases or the roster
            continue
        sheet = sheets[0] or read_sheet(path, path.parent, table.sheet)  # None: says why
        header = find_header(sheet.rows, table, cb, str(path))
        extras = _extra_columns(sheet.rows, header)
        for label in extras:
            if label not in merged.extras:
                merged.extras.append(label)
        for cells in sheet.rows[header.data_start :]:
            if not any(cell_text(c) for c in cells):
                continue
            row = [_cell(cells, header.columns.get(name)) for name in table.variables]
            row += [None] * len(merged.extras)
            for label, j in extras.items():
                row[len(table.variables) + merged.extras.index(label)] = _cell(cells, j)
            merged.rows.append(row)
            center = cell_text(row[list(table.variables).index("center_id")])
            if center:
                merged.centers.add(center)
    return merged


def _cell(cells, j: int | None):
    return cells[j] if j is not None and j < len(cells) else None


def _extra_columns(rows, header) -> dict[str, int]:
    """Label -> column of the columns of a one-row header that are not in the codebook."""
    known = set(header.columns.values())
    labels = rows[header.data_start - 1] if header.data_start else ()
    return {
        cell_text(c): j
        for j, c in enumerate(labels)
        if j not in known and cell_text(c) and cell_text(c) in header.extras
    }


def write_awareness(merged: Merged, cb: Codebook, output: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = cb.tables["awareness"].sheet
    ws.append([TITLE])
    ws["A1"].font = Font(bold=True)
    ws.append(header_labels(cb) + merged.extras)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in merged.rows:
        ws.append(row)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    wb.save(output)
    return output
