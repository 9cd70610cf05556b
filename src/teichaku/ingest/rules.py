"""Names and messages of every rule ingestion can report (shared with the synthetic
generator's ``defects.json``). An error rejects the row; a warning keeps it with a
``warn_<rule>`` flag; a ``file`` rule stops the run with a message naming the file (and the
line, sheet or column where it applies); a ``notice`` keeps the rows and is logged and listed
with the file in the validation summary. Messages never contain cell values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str  # "error" | "warning" | "duplicate" | "file" | "notice"
    message_ja: str
    message_en: str


_RULES = [
    # cell values
    Rule("invalid_integer", "error", "整数として読めません", "not an integer"),
    Rule("out_of_range", "error", "値が許容範囲外です", "value outside the allowed range"),
    Rule(
        "invalid_date",
        "error",
        "日付として読めないか、存在しない日付です",
        "not a date, or a date that does not exist",
    ),
    Rule(
        "date_out_of_range",
        "error",
        "日付が2000年1月1日から調査終了日までの範囲外です",
        "date before 2000-01-01 or after the end of the survey",
    ),
    Rule("invalid_mark", "error", "該当/非該当の記号として読めません", "not a yes/no mark"),
    Rule("invalid_category", "error", "選択肢にない値です", "not one of the allowed values"),
    Rule("invalid_center_id", "error", "センター番号として読めません", "not a center number"),
    Rule(
        "invalid_case_id",
        "error",
        "仮名化した対象者IDの形式が不正です(プログラムの不具合です。報告してください)",
        "pseudonymised case id not 64 hexadecimal digits (a bug: please report it)",
    ),
    Rule("missing_value", "error", "必須の値が空欄です", "a required value is blank"),
    Rule(
        "undefined_character",
        "error",
        "外字・私用領域または未定義の文字が含まれています(別のファイルでは別の文字になります)",
        "holds a private-use or undefined character (it reads differently in another file); "
        "expected characters of Unicode, JIS X 0208 or cp932 without vendor extensions",
    ),
    Rule(
        "formula_without_value",
        "error",
        "数式セルに計算結果が保存されていません(Excelで開いて保存し直してください)",
        "formula cell saved without its value; expected the value Excel computed "
        "(open the file in Excel and save it again, or paste values)",
    ),
    Rule(
        "formula_error",
        "error",
        "数式の結果がエラー値(#DIV/0! など)です",
        "formula result is an Excel error value (#DIV/0!, #VALUE!, ...); expected a value",
    ),
    Rule(
        "merged_cells",
        "error",
        "データ行のセルが結合されています(結合を解除し、各行に値を入力してください)",
        "cells merged over data rows; expected one value in each row's own cell "
        "(unmerge and fill every row)",
    ),
    Rule(
        "missing_case_ref",
        "error",
        "対象者番号のない行です(注記など)",
        "row without a case number (a note?)",
    ),
    # across rows and columns
    Rule(
        "unknown_center",
        "error",
        "センター番号が調査対象センター一覧にありません",
        "center not in the roster",
    ),
    Rule(
        "conflicting_duplicate_ref",
        "error",
        "同じセンターで対象者番号が重複し、内容が異なります",
        "case number repeated within a center with different content",
    ),
    Rule(
        "center_rejected_in_roster",
        "error",
        "センター番号の調査対象センター一覧の行が却下されています(名簿を直してください)",
        "the center's rows in the roster are rejected (fix the roster); expected a center "
        "with one valid roster row",
    ),
    Rule(
        "conflicting_duplicate_center",
        "error",
        "センター番号が重複し、内容が異なります",
        "center repeated with different content",
    ),
    Rule(
        "end_before_start",
        "error",
        "フォローアップ終了日が開始日より前です",
        "follow-up ends before it starts",
    ),
    Rule(
        "end_present_for_continuing",
        "error",
        "支援継続の対象者に終了日があります",
        "continuing case has an end date",
    ),
    Rule(
        "end_missing_for_ended",
        "error",
        "支援終了の対象者に終了日がありません",
        "ended case without an end date",
    ),
    Rule(
        "reason_missing_for_ended",
        "error",
        "支援終了の対象者に終了理由がありません",
        "ended case without a reason for ending",
    ),
    Rule(
        "reason_present_for_continuing",
        "error",
        "支援継続の対象者に終了理由があります",
        "continuing case has a reason for ending",
    ),
    Rule(
        "exact_duplicate",
        "duplicate",
        "完全に同じ行の重複(1行のみ採用)",
        "exact repeat of a row (kept once)",
    ),
    # warnings
    Rule(
        "start_before_release",
        "warning",
        "フォローアップ開始日が釈放日より前です",
        "follow-up starts before release",
    ),
    Rule(
        "end_outside_cohort_fy",
        "warning",
        "終了日が調査区分の年度外です",
        "end date outside the cohort's fiscal year",
    ),
    Rule(
        "deceased_without_death",
        "warning",
        "現在の居所が死亡ですが終了理由が死亡ではありません",
        "current residence deceased but end reason is not death",
    ),
    Rule(
        "death_not_deceased",
        "warning",
        "終了理由が死亡ですが現在の居所が死亡ではありません",
        "end reason death but current residence is not deceased",
    ),
]

# the whole file (these stop the run) and notices about a file
_RULES += [
    Rule("file_not_found", "file", "ファイルがありません", "file not found"),
    Rule(
        "several_files",
        "file",
        "同じ表のファイルが複数あります(1つにしてください)",
        "more than one file for the table; expected one",
    ),
    Rule(
        "no_data_file",
        "file",
        "フォルダに .xlsx / .csv ファイルがありません",
        "no .xlsx or .csv file in the folder",
    ),
    Rule(
        "unsupported_file_type",
        "file",
        "読めない形式です(.xlsx か .csv で保存してください)",
        "file type not readable; expected .xlsx or .csv",
    ),
    Rule("empty_file", "file", "ファイルが空です", "the file is empty"),
    Rule(
        "undecodable_text",
        "file",
        "文字コードを判別できません(UTF-8 か Shift_JIS(cp932) で保存してください)",
        "cannot decode the text; expected UTF-8 (with or without BOM) or cp932 (Shift_JIS)",
    ),
    Rule(
        "unbalanced_quote",
        "file",
        '引用符(")が閉じられていません(示した行で開いた引用符がファイルの残りを1つのセルにしています)',
        "unbalanced quote: the quote opened on the line named runs over line ends like a row "
        'of its own or to the end of the file; expected each quoted cell closed by "',
    ),
    Rule(
        "unreadable_csv",
        "file",
        "CSVファイルとして読めません",
        "not a readable CSV file",
    ),
    Rule(
        "unreadable_workbook",
        "file",
        "Excelファイル(.xlsx)として読めません(壊れているか別の形式です)",
        "not a readable Excel (.xlsx) workbook (damaged, or another format)",
    ),
    Rule(
        "file_too_large",
        "file",
        "Excelファイルの中身が大きすぎるか、圧縮率が異常です",
        "a part of the workbook is too large when uncompressed, or compressed beyond any "
        "plausible ratio; expected at most the limits named",
    ),
    Rule(
        "no_visible_sheet",
        "file",
        "表示されているシートがありません",
        "the workbook has no visible sheet",
    ),
    Rule("empty_sheet", "file", "シートが空です", "the sheet is empty"),
    Rule(
        "no_header",
        "file",
        "見出し行がありません(必須列の見出しが見つかりません)",
        "no header row: no cell holds the key column's label or an alias",
    ),
    Rule(
        "missing_column",
        "file",
        "必須列がありません",
        "required column(s) missing",
    ),
    Rule(
        "duplicate_column",
        "file",
        "同じ列が2回あります",
        "a column appears twice",
    ),
    Rule(
        "rejected_share_exceeded",
        "file",
        "却下された行の割合が上限を超えています",
        "more case rows rejected than validation.max_rejected_share allows",
    ),
    Rule(
        "hidden_sheets",
        "notice",
        "非表示のシートは読みません",
        "hidden sheets are not read",
    ),
    Rule(
        "hidden_rows",
        "notice",
        "非表示の行もデータとして読みました",
        "hidden rows below the header were read as data",
    ),
]

RULES: dict[str, Rule] = {r.name: r for r in _RULES}
ERRORS = tuple(r.name for r in _RULES if r.severity == "error")
WARNINGS = tuple(r.name for r in _RULES if r.severity == "warning")
