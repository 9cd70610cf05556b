"""One feedback workbook per center: the sheet 不備一覧 (every problem of the center: file,
sheet, Excel row, column, the value entered, what is allowed, the message and what to do, in
plain Japanese) and an annotated copy of each sheet the center sent, with every problem cell
highlighted and a comment giving the reason. A center reads it in Excel alone.

A file may hold several centers: each center's copy keeps the title and header rows and its
own rows only (the rows of other centers are emptied and hidden, so row numbers stay those of
the original file). CSV files are copied as text cells, as are the values of a workbook that
the workflow's reader reads but openpyxl cannot load (then without styles)."""

from __future__ import annotations

import re
import warnings
from copy import copy
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from teichaku.feedback.locate import ROSTER, UNASSIGNED, SheetMap
from teichaku.feedback.validate import Validation
from teichaku.ingest.readers import SPREADSHEETS, SparseRow

PROBLEMS_SHEET = "不備一覧"
AUTHOR = "teichaku"
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
LINK = Font(color="0563C1", underline="single")
WRAP = Alignment(vertical="top", wrap_text=True)

#: Columns of 不備一覧: (header, problems column or None for a computed one, width).
LIST_COLUMNS = [
    ("No.", None, 6),
    ("ファイル", "file", 28),
    ("シート", "sheet", 12),
    ("行", "row", 6),
    ("列", "column_letter", 6),
    ("項目", "column", 22),
    ("入力された値", "value", 18),
    ("入力できる値", "expected_ja", 40),
    ("内容", "reason_ja", 44),
    ("対応のお願い", "action_ja", 44),
    ("扱い", "outcome", 26),
    ("規則", "rule", 24),
]
OUTCOMES = {
    "rejected": "エラー: この行は集計に含まれません",
    "set_missing": "警告: この値を空欄として集計しました",
    "flagged": "警告: 行は集計に含めました",
}


def workbook_name(recipient: str) -> str:
    """File name of a recipient's workbook: ``C01.xlsx``, ``roster.xlsx``,
    ``unassigned_<file>.xlsx``."""
    if recipient.startswith(f"{UNASSIGNED}:"):
        stem = Path(recipient.split(":", 1)[1]).stem
        return f"{UNASSIGNED}_{re.sub(r'[^0-9A-Za-z_.-]+', '_', stem) or 'file'}.xlsx"
    return f"{recipient}.xlsx"


def recipients(validation: Validation) -> dict[str, list[SheetMap]]:
    """Every recipient (center, roster, unassigned file) and the sheets holding its rows."""
    out: dict[str, list[SheetMap]] = {}
    for sheet_map in validation.maps.values():
        for row in sheet_map.data_rows:
            sheets = out.setdefault(sheet_map.recipient(row), [])
            if sheet_map not in sheets:
                sheets.append(sheet_map)
    for recipient in validation.problems["center"].unique():
        out.setdefault(recipient, [])
    for recipient, group in validation.problems.groupby("center"):
        for key in group[["file", "sheet"]].drop_duplicates().itertuples(index=False):
            sheet_map = validation.maps.get((key.file, key.sheet))
            if sheet_map is not None and sheet_map not in out[recipient]:
                out[recipient].append(sheet_map)
    return dict(sorted(out.items()))


def write_feedback(validation: Validation, out_dir: Path) -> list[Path]:
    """Write one workbook per recipient into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    sources: dict[Path, object] = {}  # loaded source workbooks, shared by recipients
    for recipient, sheet_maps in recipients(validation).items():
        problems = validation.problems[validation.problems["center"] == recipient]
        if recipient == ROSTER and problems.empty:
            continue  # the coordinator's own file: a workbook only to list its problems
        path = out_dir / workbook_name(recipient)
        center_workbook(recipient, problems, sheet_maps, sources).save(path)
        written.append(path)
    return written


def center_workbook(
    recipient: str, problems: pd.DataFrame, sheet_maps: list[SheetMap], sources: dict
) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = PROBLEMS_SHEET
    names: dict[tuple[str, str], str] = {}
    for sheet_map in sheet_maps:
        name = _sheet_name(sheet_map, set(wb.sheetnames))
        names[(sheet_map.sheet.file, sheet_map.sheet.sheet)] = name
        copy_ws = wb.create_sheet(name)
        _copy_sheet(sheet_map, copy_ws, recipient, sources)
        _annotate(copy_ws, problems, sheet_map)
    _write_list(ws, recipient, problems, names)
    return wb


def _sheet_name(sheet_map: SheetMap, taken: set[str]) -> str:
    """Sheet name of a copy: the original sheet's, or the CSV file's name (31 characters at
    most, without the characters Excel forbids), unique within the workbook."""
    base = sheet_map.sheet.sheet or Path(sheet_map.sheet.file).stem
    base = re.sub(r"[\[\]:*?/\\]", "_", base)[:28] or "data"
    name, i = base, 2
    while name in taken or name == PROBLEMS_SHEET:
        name, i = f"{base}({i})", i + 1
    return name


def _copy_sheet(sheet_map: SheetMap, target: Worksheet, recipient: str, sources: dict) -> None:
    """Copy the cells of the sheet; rows of other recipients are emptied and hidden. Only the
    cells the file holds are visited (a stray cell in XFD1048576 is one cell, not a sheet)."""
    others = {row for row in sheet_map.data_rows if sheet_map.recipient(row) != recipient}
    book = _source(sheet_map.path, sources)
    if book is not None:
        source = book[sheet_map.sheet.sheet]
        for (row, column), cell in sorted(source._cells.items()):  # the cells present
            if row in others or cell.__class__.__name__ == "MergedCell":
                continue
            new = target.cell(row=row, column=column, value=cell.value)
            if cell.has_style:
                new.font, new.fill = copy(cell.font), copy(cell.fill)
                new.border, new.alignment = copy(cell.border), copy(cell.alignment)
                new.number_format = cell.number_format
        for merged in source.merged_cells.ranges:
            if not any(r in others for r in range(merged.min_row, merged.max_row + 1)):
                target.merge_cells(str(merged))
        for key, dim in source.column_dimensions.items():
            if dim.width:
                target.column_dimensions[key].width = dim.width
    else:
        width = 0
        for i, cells in enumerate(sheet_map.sheet.rows):
            if i + 1 in others:
                continue
            present = cells.cells.items() if isinstance(cells, SparseRow) else enumerate(cells)
            for j, value in present:
                if value not in (None, ""):
                    target.cell(row=i + 1, column=j + 1, value=value)
                    width = max(width, j + 1)
        for j in range(width):
            target.column_dimensions[get_column_letter(j + 1)].width = 14
    for row in others:
        target.row_dimensions[row].hidden = True
    header_row = sheet_map.header.data_start
    target.freeze_panes = target.cell(row=header_row + 1, column=1)


def _source(path: Path, sources: dict):
    """The workbook at ``path`` loaded by openpyxl (once for all recipients), or None for a
    CSV file or a workbook openpyxl cannot load though the workflow's reader read it."""
    if path.suffix.lower() not in SPREADSHEETS:
        return None
    if path not in sources:
        try:
            with warnings.catch_warnings():  # its notes on the file's styles: not the user's
                warnings.simplefilter("ignore")
                sources[path] = load_workbook(path, data_only=True)
        except Exception:  # openpyxl fails in its own ways on files its reader dislikes
            sources[path] = None
    return sources[path]


def _annotate(ws: Worksheet, problems: pd.DataFrame, sheet_map: SheetMap) -> None:
    """Highlight each problem cell and give it a comment with the reason(s)."""
    mine = problems[
        (problems["file"] == sheet_map.sheet.file)
        & (problems["sheet"] == sheet_map.sheet.sheet)
        & problems["row"].notna()
        & problems["column_number"].notna()
    ]
    for (row, column), group in mine.groupby(["row", "column_number"], sort=True):
        cell = ws.cell(row=int(row), column=int(column))
        if isinstance(cell, MergedCell):  # a merged_cells problem: each row's cell shown
            merged = next(r for r in ws.merged_cells.ranges if cell.coordinate in r)
            ws.unmerge_cells(str(merged))
            cell = ws.cell(row=int(row), column=int(column))
        rejected = (group["outcome"] == "rejected").any()
        cell.fill = ERROR_FILL if rejected else WARNING_FILL
        lines = [
            f"{'エラー' if p.outcome == 'rejected' else '警告'}: {p.message_ja}\n→ {p.action_ja}"
            for p in group.itertuples(index=False)
        ]
        comment = Comment("\n\n".join(lines), AUTHOR)
        comment.width, comment.height = 360, 60 + 70 * len(lines)
        cell.comment = comment


def _write_list(
    ws: Worksheet, recipient: str, problems: pd.DataFrame, names: dict[tuple[str, str], str]
) -> None:
    who = {ROSTER: "調査対象センター一覧(名簿)"}.get(recipient, recipient)
    if recipient.startswith(f"{UNASSIGNED}:"):
        who = f"センターを特定できない行: {recipient.split(':', 1)[1]}"
    errors = int((problems["outcome"] == "rejected").sum())
    ws.append([f"フォローアップ実態調査 入力内容の確認結果: {who}"])
    ws["A1"].font = Font(bold=True, size=14)
    if problems.empty:
        ws.append(["不備はありませんでした。ご協力ありがとうございました。"])
    else:
        ws.append(
            [
                f"不備 {len(problems)} 件(うちエラー {errors} 件)。"
                "エラーの行は集計に含まれません。該当のセルは注釈付きのシートで色と"
                "コメントで示しています。修正したファイルをお送りください。"
            ]
        )
    ws.append([])
    ws.append([header for header, _, _ in LIST_COLUMNS])
    header_row = ws.max_row
    for j, (_, _, width) in enumerate(LIST_COLUMNS, start=1):
        ws.cell(row=header_row, column=j).font = BOLD
        ws.cell(row=header_row, column=j).fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = width
    for n, p in enumerate(problems.itertuples(index=False), start=1):
        values = []
        for _, column, _ in LIST_COLUMNS:
            if column is None:
                values.append(n)
            elif column == "outcome":
                values.append(OUTCOMES.get(p.outcome, p.outcome))
            else:
                value = getattr(p, column)
                values.append("" if value is None or pd.isna(value) else value)
        ws.append(values)
        for cell in ws[ws.max_row]:
            cell.alignment = WRAP
        name = names.get((p.file, p.sheet))
        if name is not None and not pd.isna(p.row) and p.column_letter:
            link = ws.cell(row=ws.max_row, column=4)
            target = f"{quote_sheetname(name)}!{p.column_letter}{int(p.row)}"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=target)
            link.font = LINK
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
