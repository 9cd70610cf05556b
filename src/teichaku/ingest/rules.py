"""Names and messages of every validation rule (shared with the synthetic generator's
``defects.json``). An error rejects the row; a warning keeps it with a ``warn_<rule>`` flag.
Messages never contain cell values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str  # "error" | "warning" | "duplicate"
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
    Rule("missing_value", "error", "必須の値が空欄です", "a required value is blank"),
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

RULES: dict[str, Rule] = {r.name: r for r in _RULES}
ERRORS = tuple(r.name for r in _RULES if r.severity == "error")
WARNINGS = tuple(r.name for r in _RULES if r.severity == "warning")
