"""The data-entry workbook a center fills in, generated from the codebook.

Sheets: ``説明`` (instructions in Japanese), one sheet per raw table named as the codebook's
``sheet`` (``名簿``, ``対象者``, ``認識調査``) with the headers of FORMAT.md — grouped
columns as two header rows with the group cell merged over its items — and a hidden sheet
``選択肢`` holding the drop-down lists. Every entry column carries an Excel data validation:
drop-down lists for categories, yes/no answers, marks and center numbers, whole-number limits,
and a date window.

Because each data sheet is named as ingestion looks for it, the same filled-in workbook can be
placed as ``roster.xlsx``, ``awareness.xlsx`` or a file under ``cases/``.

The file is byte-identical across runs: the workbook's created/modified properties and every
member of the zip archive carry the same fixed timestamp (:data:`ZIP_TIMESTAMP`).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from teichaku.codebook import Codebook, Table, Variable
from teichaku.dictionary import (
    allowed_values,
    blank_means,
    center_codes,
    must_be_filled,
    type_name,
    value_levels,
    value_range,
)

INSTRUCTIONS_SHEET = "説明"
LISTS_SHEET = "選択肢"
#: Rows below the header that carry the data validations of each entry sheet.
ENTRY_ROWS = 1000
#: Title row above the header of every entry sheet (FORMAT.md allows title rows).
TITLE_ROW = 1
HEADER_ROW = 2
#: The fixed time of the workbook properties and of every zip member (the earliest a zip
#: file can hold).
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
#: Excel shows at most this many characters of a validation's input message.
PROMPT_LIMIT = 255

DATE_FORMAT = "yyyy/m/d"
TEXT_FORMAT = "@"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
GROUP_FILL = PatternFill("solid", fgColor="FCE4D6")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)


def header_depth(table: Table) -> int:
    """Header rows of a sheet: two when the table has grouped columns, else one."""
    return 2 if table.groups else 1


def first_data_row(table: Table) -> int:
    return HEADER_ROW + header_depth(table)


def dropdown_options(var: Variable, cb: Codebook, centers: list[str] | None = None) -> list[str]:
    """The values offered in a column's drop-down list; empty when the column has none.

    Categories and yes/no answers offer their Japanese labels (each is one of the accepted
    spellings); a mark offers the first yes-mark (a blank cell means no); a center number
    offers the centers of the round's roster (``centers``), else every center number of
    the codebook.
    """
    if var.type == "mark":
        return [cb.mark_yes[0]]
    if var.type in ("category", "boolean"):
        return [lv.ja for lv in value_levels(var, cb)]
    if var.type == "center_id":
        return list(centers) if centers else center_codes(var)
    return []


def _list_key(var: Variable) -> str:
    """Columns that share a value set or type share one list on the lists sheet."""
    if var.type == "mark":
        return "mark"
    if var.type == "center_id":
        return "center_id"
    return var.value_set or f"{var.table}.{var.name}"


def entry_rule_ja(var: Variable, cb: Codebook) -> str:
    """How to fill in the column, in Japanese (instructions sheet and input message)."""
    kind = type_name(var, "ja")
    if var.type == "mark":
        return f"該当する場合は「{cb.mark_yes[0]}」、該当しない場合は空欄"
    if var.type in ("category", "boolean"):
        return f"{kind}: 一覧から選択（{allowed_values(var, cb, 'ja')}）"
    if var.type == "center_id":
        return f"{kind}: 一覧から選択（{value_range(var, cb, 'ja')}）"
    if var.type == "integer":
        return f"{kind}: {value_range(var, cb, 'ja')}"
    if var.type == "iq":
        ranges = "範囲で分かる場合は「50～55」のように記入"
        return (
            f"整数: {value_range(var, cb, 'ja')}。{ranges}。"
            f"測定できない場合は「{'」「'.join(var.unmeasurable)}」"
        )
    if var.type == "date":
        return f"{kind}: 2020/3/15 または 令和2年3月15日 の形式（{value_range(var, cb, 'ja')}）"
    return "文字"


def blank_rule_ja(var: Variable, cb: Codebook) -> str:
    """What an empty cell means, in Japanese."""
    if var.type == "mark":
        return "空欄 = 該当しない"
    if blank_means(var) != "missing":
        false = next(lv.ja for lv in value_levels(var, cb) if lv.code == blank_means(var))
        return f"空欄 = {false}"
    if must_be_filled(var, cb):
        return "必ず記入（空欄の行は受け付けられません）"
    return "空欄 = 不明"


def _general_notes(cb: Codebook) -> list[str]:
    sheets = "、".join(f"「{t.sheet}」（{t.label_ja}）" for t in cb.tables.values())
    cohort = cb.variable("cases", "cohort")
    ended = [lv for lv in cohort.levels if lv.code in cb.fiscal_years]
    continuing = [lv for lv in cohort.levels if lv.code not in cb.fiscal_years]
    end = cb.variable("cases", "followup_end")
    reason = cb.variable("cases", "end_reason")
    case_ref = cb.variable("cases", "case_ref")
    fiscal = "、".join(
        f"{lv.ja}: {cb.fiscal_years[lv.code][0]:%Y/%m/%d}～{cb.fiscal_years[lv.code][1]:%Y/%m/%d}"
        for lv in ended
    )
    return [
        f"この記入用ブックには {sheets} の記入シートがあります。",
        "各シートの見出し行（タイトルの下の行）は変更しないでください。列の追加・並べ替えは"
        "かまいませんが、不要な列は削除せず空欄のままにしてください。",
        "1行に1件を記入します。途中に空白行や注記の行を入れないでください。",
        "色付きの見出しの下にある入力欄では、一覧（ドロップダウン）から選ぶか、"
        "入力規則に合う値を入力してください。",
        f"「{case_ref.header}」はセンター内で重複しない番号にしてください。氏名など個人を"
        "特定できる情報は記入しないでください。",
        f"「{cohort.header}」が「{'」「'.join(lv.ja for lv in continuing)}」の場合は"
        f"「{end.header}」と「{reason.header}」を空欄にし、それ以外の場合は必ず記入してください。",
        f"「{end.header}」は調査区分の年度内の日付です（{fiscal}）。",
        f"分からない項目は空欄にしてください（「{'」「'.join(cb.missing_codes)}」も不明として"
        "扱います）。ただし〇印の列では空欄は「該当しない」の意味です。",
        f"調査の基準日は {cb.survey['reference_date']:%Y/%m/%d} です。",
    ]


def _write_instructions(ws: Worksheet, cb: Codebook) -> None:
    ws.append(["フォローアップ実態調査 記入用テンプレート: 記入方法"])
    ws["A1"].font = TITLE_FONT
    ws.append([])
    for i, note in enumerate(_general_notes(cb), start=1):
        ws.append([f"{i}.", note])
        ws.cell(ws.max_row, 2).alignment = WRAP
    header = ["シート", "列の見出し", "グループ", "内容", "記入方法", "空欄の扱い", "列の要否"]
    for table in cb.tables.values():
        ws.append([])
        ws.append([f"シート「{table.sheet}」: {table.label_ja}"])
        ws.cell(ws.max_row, 1).font = BOLD
        ws.append(header)
        for cell in ws[ws.max_row]:
            cell.font, cell.fill, cell.border = BOLD, HEADER_FILL, BORDER
        for var in table.variables.values():
            group = table.groups[var.group].header if var.group else ""
            column = "必須" if var.required else "省略可（列がなければ不明）"
            ws.append(
                [
                    table.sheet,
                    var.item or var.header,
                    group,
                    var.label_ja,
                    entry_rule_ja(var, cb),
                    blank_rule_ja(var, cb),
                    column,
                ]
            )
            for cell in ws[ws.max_row]:
                cell.alignment, cell.border = WRAP, BORDER
    for letter, width in zip("ABCDEFG", (10, 28, 12, 28, 60, 40, 8), strict=True):
        ws.column_dimensions[letter].width = width


def _write_headers(ws: Worksheet, table: Table) -> None:
    """Header rows: one row, or a group row merged over its items and an item row."""
    ws.cell(TITLE_ROW, 1, f"フォローアップ実態調査 {table.label_ja}").font = TITLE_FONT
    depth = header_depth(table)
    col = 1
    variables = list(table.variables.values())
    while col <= len(variables):
        var = variables[col - 1]
        if var.group is None:
            ws.cell(HEADER_ROW, col, var.header)
            if depth == 2:
                ws.merge_cells(
                    start_row=HEADER_ROW, start_column=col, end_row=HEADER_ROW + 1, end_column=col
                )
            col += 1
            continue
        items = table.group_variables(var.group)
        ws.cell(HEADER_ROW, col, table.groups[var.group].header)
        ws.merge_cells(
            start_row=HEADER_ROW,
            start_column=col,
            end_row=HEADER_ROW,
            end_column=col + len(items) - 1,
        )
        for offset, item in enumerate(items):
            ws.cell(HEADER_ROW + 1, col + offset, item.item).fill = GROUP_FILL
        col += len(items)
    for row in ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW + depth - 1):
        for cell in row[: len(variables)]:
            cell.font, cell.border, cell.alignment = BOLD, BORDER, CENTER
            if cell.fill != GROUP_FILL:
                cell.fill = HEADER_FILL
    for i, var in enumerate(variables, start=1):
        width = max(len(var.item or var.header) * 2 + 2, 10)
        ws.column_dimensions[get_column_letter(i)].width = min(width, 30)
    ws.freeze_panes = ws.cell(first_data_row(table), 2)


def _validation(var: Variable, cb: Codebook, lists: dict[str, str]) -> DataValidation | None:
    """The Excel data validation of one column, or None for free text."""
    kw = {"allow_blank": True, "showErrorMessage": True, "showInputMessage": True}
    prompt = entry_rule_ja(var, cb)
    if len(prompt) > PROMPT_LIMIT:
        prompt = f"{type_name(var, 'ja')}: 一覧から選択"
    kw |= {"promptTitle": var.label_ja[:32], "prompt": prompt}
    kw |= {"errorTitle": "入力できない値です", "error": prompt}
    if var.type in ("category", "boolean", "mark", "center_id"):
        return DataValidation(type="list", formula1=lists[_list_key(var)], **kw)
    if var.type in ("integer", "iq"):
        # an IQ may also be a range or "unmeasurable": Excel warns but lets it through
        style = "warning" if var.type == "iq" else "stop"
        return DataValidation(
            type="whole", operator="between", formula1=str(var.min), formula2=str(var.max),
            errorStyle=style, **kw,
        )  # fmt: skip
    if var.type == "date":
        lo, hi = cb.date_min, cb.survey["period_end"]
        return DataValidation(
            type="date", operator="between",
            formula1=f"DATE({lo.year},{lo.month},{lo.day})",
            formula2=f"DATE({hi.year},{hi.month},{hi.day})",
            **kw,
        )  # fmt: skip
    return None


def _unique_key_validation(table: Table, rows: int) -> DataValidation:
    """A text key (the case number) must not repeat within its center."""
    names = list(table.variables)
    key_col = get_column_letter(names.index(table.key) + 1)
    center = next(n for n, v in table.variables.items() if v.type == "center_id")
    c_col = get_column_letter(names.index(center) + 1)
    first, last = first_data_row(table), first_data_row(table) + rows - 1
    formula = (
        f"COUNTIFS(${key_col}${first}:${key_col}${last},{key_col}{first},"
        f"${c_col}${first}:${c_col}${last},{c_col}{first})=1"
    )
    return DataValidation(
        type="custom", formula1=formula, allow_blank=True, showErrorMessage=True,
        errorTitle="番号の重複", error=f"{table.variables[table.key].header}が重複しています",
        sqref=f"{key_col}{first}:{key_col}{last}",
    )  # fmt: skip


def _write_lists(wb: Workbook, cb: Codebook, centers: list[str] | None) -> dict[str, str]:
    """Write every drop-down list to the lists sheet; return list key -> range formula."""
    ws = wb.create_sheet(LISTS_SHEET)
    lists: dict[str, str] = {}
    for table in cb.tables.values():
        for var in table.variables.values():
            key = _list_key(var)
            options = dropdown_options(var, cb, centers)
            if not options or key in lists:
                continue
            col = len(lists) + 1
            letter = get_column_letter(col)
            ws.cell(1, col, key)
            for row, option in enumerate(options, start=2):
                ws.cell(row, col, option).number_format = TEXT_FORMAT
            name = "list_" + key.replace(".", "_")
            ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(options) + 1}"
            wb.defined_names[name] = DefinedName(name, attr_text=ref)
            lists[key] = name
    ws.sheet_state = "hidden"
    return lists


def _write_entry_sheet(
    wb: Workbook, table: Table, cb: Codebook, lists: dict[str, str], rows: int
) -> None:
    ws = wb.create_sheet(table.sheet)
    _write_headers(ws, table)
    first, last = first_data_row(table), first_data_row(table) + rows - 1
    for i, var in enumerate(table.variables.values(), start=1):
        letter = get_column_letter(i)
        dv = _validation(var, cb, lists)
        if dv is not None:
            dv.add(f"{letter}{first}:{letter}{last}")
            ws.add_data_validation(dv)
        number_format = {"date": DATE_FORMAT, "text": TEXT_FORMAT, "center_id": TEXT_FORMAT}
        if var.type in number_format:
            ws.column_dimensions[letter].number_format = number_format[var.type]
    if table.variables[table.key].type == "text":
        ws.add_data_validation(_unique_key_validation(table, rows))


def build_template(
    cb: Codebook, rows: int = ENTRY_ROWS, centers: list[str] | None = None
) -> Workbook:
    """The data-entry workbook: instructions, one entry sheet per table, hidden lists;
    ``centers``: the center numbers of the round's roster (default: all of the codebook)."""
    wb = Workbook()
    _write_instructions(wb.active, cb)
    wb.active.title = INSTRUCTIONS_SHEET
    # the lists sheet goes last but is written first: entry sheets refer to its names
    lists = _write_lists(wb, cb, centers)
    for table in cb.tables.values():
        _write_entry_sheet(wb, table, cb, lists, rows)
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    wb.properties.creator = "teichaku"
    wb.properties.created = wb.properties.modified = dt.datetime(*ZIP_TIMESTAMP)
    return wb


class _SortedCellRanges(MultiCellRange):
    """Merged ranges iterated in sorted order: openpyxl keeps them in a set, whose order (and
    so the written file) would change with Python's hash seed."""

    def __iter__(self):
        return iter(self.sorted())


class _FixedTimeZipFile(zipfile.ZipFile):
    """A zip archive whose members all carry :data:`ZIP_TIMESTAMP`."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=ZIP_TIMESTAMP)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes each worksheet to a temporary file first: take its bytes, not its time
        with open(filename, "rb") as fh:
            self.writestr(arcname or filename, fh.read(), compress_type, compresslevel)


def workbook_bytes(wb: Workbook) -> bytes:
    """Serialise a workbook reproducibly (openpyxl's own save stamps the current time)."""
    for ws in wb.worksheets:
        ws.merged_cells = _SortedCellRanges(ws.merged_cells.ranges)
    buf = io.BytesIO()
    archive = _FixedTimeZipFile(buf, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()
    return buf.getvalue()


def write_template(
    cb: Codebook, path: str | Path, rows: int = ENTRY_ROWS, centers: list[str] | None = None
) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(build_template(cb, rows, centers)))
    return path
