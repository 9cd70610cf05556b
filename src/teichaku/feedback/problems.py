"""Every problem of a validation, one row each, with who must fix it (the center of the row)
and where (file, sheet, Excel row and column), the value as entered, what is allowed, the
message and what to do, in plain Japanese (and English for the command line).

Built from the validation's own results (the rejected rows and flagged warnings of
:func:`teichaku.ingest.clean.clean_table`), never by validating again: the feedback says
exactly what the workflow found."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from openpyxl.utils import get_column_letter

from teichaku.codebook import Codebook
from teichaku.feedback.locate import SheetMap, unassigned
from teichaku.ingest.messages import expected, message, reason
from teichaku.ingest.rules import RULES
from teichaku.ingest.values import cell_text

#: Variables the rules across columns compare (their values go into the messages).
CONTEXT = ("followup_start", "followup_end", "release_date", "cohort")

COLUMNS = [
    "center",
    "table",
    "file",
    "sheet",
    "row",
    "column",
    "column_number",
    "column_letter",
    "variable",
    "value",
    "rule",
    "severity",
    "outcome",
    "message_ja",
    "message_en",
    "reason_ja",
    "expected_ja",
    "expected_en",
    "action_ja",
]

#: What the center should do about each rule, in plain Japanese.
ACTIONS = {
    "invalid_integer": (
        "数字だけで入力してください(「歳」「回」「件」などの単位は付けても構いません)。"
    ),
    "out_of_range": "値を確認し、入力できる範囲の値に直してください。",
    "invalid_date": "実在する日付を 2020/3/15 または 令和2年3月15日 の形で入力してください。",
    "date_out_of_range": "日付(特に年)を確認して直してください。",
    "invalid_mark": "該当する場合は「〇」、該当しない場合は空欄にしてください。",
    "invalid_category": (
        "入力できる値の中から選んでください(記入用ブックのプルダウンから選べます)。"
    ),
    "invalid_center_id": "センター番号を C01 のような形で入力してください。",
    "missing_value": "空欄にできない項目です。値を入力してください。",
    "missing_case_ref": (
        "対象者番号を入力してください。注記や説明の行であれば、その行を削除してください。"
    ),
    "unknown_center": "センター番号を確認してください(調査対象センター一覧の番号を入力します)。",
    "conflicting_duplicate_ref": (
        "同じ対象者番号の行が内容違いで複数あります。1行にまとめるか、対象者番号を直してください。"
    ),
    "conflicting_duplicate_center": (
        "同じセンターの行が複数あり、内容が異なります。1行にしてください。"
    ),
    "invalid_case_id": (
        "プログラムの不具合です。このファイルを添えて調査の事務局に報告してください。"
    ),
    "undefined_character": (
        "外字や機種依存文字が含まれています。標準の文字で入力し直すか、UTF-8 で保存してください。"
    ),
    "formula_without_value": (
        "数式の計算結果が保存されていません。Excelで開いて保存し直すか、値として貼り付けてください。"
    ),
    "formula_error": "数式がエラーになっています。数式を直すか、値を直接入力してください。",
    "merged_cells": "セルの結合を解除し、各行のセルにそれぞれ値を入力してください。",
    "center_rejected_in_roster": (
        "調査対象センター一覧(名簿)のこのセンターの行に不備があります。名簿を直してください。"
    ),
    "end_before_start": "フォローアップ開始日と終了日を確認して直してください。",
    "end_present_for_continuing": (
        "支援継続中なら終了日を空欄に、支援が終了しているなら調査区分を直してください。"
    ),
    "end_missing_for_ended": (
        "支援終了の対象者は終了日を記入してください(継続中なら調査区分を③にしてください)。"
    ),
    "reason_missing_for_ended": "終了理由を選んでください(継続中なら調査区分を③にしてください)。",
    "reason_present_for_continuing": "支援継続中なら終了理由を空欄にしてください。",
    "start_before_release": "開始日と釈放日を確認してください(正しければ直す必要はありません)。",
    "end_outside_cohort_fy": "終了日と調査区分を確認してください(正しければ直す必要はありません)。",
    "deceased_without_death": (
        "現在の居所と終了理由を確認してください(正しければ直す必要はありません)。"
    ),
    "death_not_deceased": (
        "現在の居所と終了理由を確認してください(正しければ直す必要はありません)。"
    ),
    "file_error": (
        "ファイル全体を読み込めませんでした。内容を確認し、記入用ブックの形式で送り直してください。"
    ),
}
SET_MISSING_NOTE = "(この値は空欄(不明)として集計に含めました)"
FILE_ERROR = "file_error"


@dataclass(frozen=True)
class FileFailure:
    """A file (or sheet) that could not be read at all: its message names the reason."""

    table: str
    file: str
    sheet: str
    message: str


def problems_frame(
    reported: pd.DataFrame,
    maps: dict[tuple[str, str], SheetMap],
    cb: Codebook,
    roster: list[str] | None = None,
    failures: list[FileFailure] = (),
) -> pd.DataFrame:
    """One row per problem. ``reported``: rows as in ``rejected_rows.parquet`` (table, file,
    sheet, row, column, value, rule) plus ``outcome`` (rejected, set_missing, flagged);
    ``maps``: the sheets read, by (file, sheet)."""
    out = []
    for rec in reported.itertuples(index=False):
        sheet_map = maps.get((rec.file, rec.sheet))
        table = cb.tables[rec.table]
        row = None if pd.isna(rec.row) else int(rec.row)
        j = sheet_map.column_index(rec.column) if sheet_map is not None else None
        variable = sheet_map.variable_of_label.get(rec.column) if sheet_map else None
        variable = variable or next(
            (v.name for v in table.variables.values() if v.header == rec.column), ""
        )
        var = table.variables.get(variable)
        context = (
            {name: sheet_map.value(row, name) for name in CONTEXT if name in table.variables}
            if sheet_map is not None and row is not None
            else {}
        )
        raw = sheet_map.cell(row, j) if sheet_map is not None and row is not None else None
        value = cell_text(raw) if raw is not None else ("" if pd.isna(rec.value) else rec.value)
        outcome = getattr(rec, "outcome", "rejected")
        rule = RULES.get(rec.rule)
        severity = "warning" if outcome != "rejected" else (rule.severity if rule else "error")
        action = ACTIONS.get(rec.rule, "内容を確認してください。")
        if outcome == "set_missing":
            action += SET_MISSING_NOTE
        recipient = sheet_map.recipient(row) if sheet_map else unassigned(rec.file)
        out.append(
            {
                "center": recipient,
                "table": rec.table,
                "file": rec.file,
                "sheet": rec.sheet,
                "row": row,
                "column": rec.column,
                "column_number": j + 1 if j is not None else None,
                "column_letter": get_column_letter(j + 1) if j is not None else "",
                "variable": variable,
                "value": value,
                "rule": rec.rule,
                "severity": severity,
                "outcome": outcome,
                "message_ja": message(rec.rule, var, cb, "ja", context, roster),
                "message_en": message(rec.rule, var, cb, "en", context, roster),
                "reason_ja": reason(rec.rule, "ja", context),
                "expected_ja": expected(rec.rule, var, cb, "ja", context, roster),
                "expected_en": expected(rec.rule, var, cb, "en", context, roster),
                "action_ja": action,
            }
        )
    for failure in failures:
        out.append(
            {
                "center": unassigned(failure.file),
                "table": failure.table,
                "file": failure.file,
                "sheet": failure.sheet,
                "row": None,
                "column": "",
                "column_number": None,
                "column_letter": "",
                "variable": "",
                "value": "",
                "rule": FILE_ERROR,
                "severity": "error",
                "outcome": "rejected",
                "message_ja": failure.message,
                "message_en": failure.message,
                "reason_ja": failure.message,
                "expected_ja": "",
                "expected_en": "",
                "action_ja": ACTIONS[FILE_ERROR],
            }
        )
    frame = pd.DataFrame(out, columns=COLUMNS)
    for column in ("row", "column_number"):
        frame[column] = frame[column].astype("Int64")
    order = ["center", "file", "sheet", "row", "column_number", "rule"]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)
