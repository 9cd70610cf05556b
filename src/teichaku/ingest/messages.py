"""What each validation rule expected, in words, for one problem: the allowed values of the
column (from the codebook), its range, or for a rule across columns the other date of the
row. ``message`` is the rule's own message (:mod:`teichaku.ingest.rules`) followed by that.

These texts may name values of the row (dates): they belong to the rejected rows and the
feedback workbooks under ``data/``, never to the published summary, which keeps the rules'
plain messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from teichaku.codebook import Codebook, Variable
from teichaku.dictionary import allowed_values, value_range
from teichaku.ingest.rules import RULES

#: Rules whose message or expectation quotes other values of the row: the values each
#: quotes (its message depends on the rule, the variable and these values only).
QUOTES_ROW = {
    "end_before_start": ("followup_end", "followup_start"),
    "start_before_release": ("followup_start", "release_date"),
    "end_outside_cohort_fy": ("cohort",),
}
#: Rules whose English message names what was expected already (not said twice).
SAYS_EXPECTED_EN = frozenset(
    {
        "undefined_character",
        "formula_without_value",
        "formula_error",
        "merged_cells",
        "center_rejected_in_roster",
    }
)
_LIST_LIMIT = 20  # name at most this many allowed values (centers: the first ones and "…")


def _date(value: object) -> str:
    if value is None or value != value:  # NaN / NaT
        return "?"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text[:10] if len(text) >= 10 and text[4] == "-" else text


def _marks(cb: Codebook, lang: str) -> str:
    yes, no = " ".join(cb.mark_yes), " ".join(cb.mark_no)
    if lang == "ja":
        return f"該当: {yes} / 非該当: 空欄 {no}"
    return f"yes: {yes}; no: blank {no}"


def _listing(items: list[str]) -> str:
    shown = items[:_LIST_LIMIT]
    return ", ".join(shown) + (", …" if len(items) > len(shown) else "")


def expected(
    rule: str,
    var: Variable | None,
    cb: Codebook,
    lang: str = "ja",
    row: Mapping[str, object] | None = None,
    centers: list[str] | None = None,
) -> str:
    """What the cell (or row) should hold instead; "" where the rule says it all.

    ``row`` holds the row's parsed values the rules across columns compare (dates, cohort);
    ``centers`` the roster's centers (``unknown_center``)."""
    row = row or {}
    ja = lang == "ja"
    if rule in ("invalid_integer", "out_of_range") and var is not None:
        if var.type == "center_id":
            return value_range(var, cb, lang)
        span = value_range(var, cb, lang)
        if var.type == "iq":
            return (
                f"{span}の整数、範囲(例 50～55)または{'・'.join(var.unmeasurable)}"
                if ja
                else f"a whole number {span}, a range such as 50-55, or "
                f"{', '.join(var.unmeasurable)}"
            )
        units = "・".join(var.units) if ja else ", ".join(var.units)
        if ja:
            return f"{span}の整数" + (f"(単位 {units} は可)" if units else "")
        return f"a whole number {span}" + (f" (a unit {units} may follow)" if units else "")
    if rule in ("invalid_date", "date_out_of_range"):
        span = (
            f"{cb.date_min.isoformat()}～{cb.survey['period_end'].isoformat()}"
            if ja
            else f"{cb.date_min.isoformat()} … {cb.survey['period_end'].isoformat()}"
        )
        return (
            f"{span}の日付(例 2020/3/15、令和2年3月15日)"
            if ja
            else f"a date {span} (e.g. 2020/3/15, 令和2年3月15日)"
        )
    if rule == "invalid_mark":
        return _marks(cb, lang)
    if rule in ("invalid_category", "missing_value") and var is not None:
        if var.type == "center_id":
            return value_range(var, cb, lang)
        if var.levels or var.type in ("mark", "boolean"):
            return allowed_values(var, cb, lang)
        return value_range(var, cb, lang)
    if rule == "invalid_center_id" and var is not None:
        return (
            f"センター番号 {value_range(var, cb, lang)}(例 C01、1)"
            if ja
            else f"a center number {value_range(var, cb, lang)} (e.g. C01, 1)"
        )
    if rule == "unknown_center":
        listed = _listing(centers or [])
        return (
            f"調査対象センター一覧の番号: {listed}" if ja else f"a center of the roster: {listed}"
        )
    if rule == "missing_case_ref":
        return "対象者番号(空欄にできません)" if ja else "a case number (it may not be blank)"
    if rule == "conflicting_duplicate_ref":
        return (
            "センター内で重複しない対象者番号"
            if ja
            else "a case number used once within the center"
        )
    if rule == "conflicting_duplicate_center":
        return "1センター1行" if ja else "one row per center"
    if rule == "center_rejected_in_roster":
        return (
            "調査対象センター一覧に正しい行が1行あるセンター"
            if ja
            else "a center with one valid row in the roster"
        )
    if rule == "undefined_character":
        return (
            "標準の文字(JIS X 0208・cp932 の機種依存文字以外、または UTF-8 で保存した文字)"
            if ja
            else "standard characters (Unicode, JIS X 0208, cp932 without vendor extensions)"
        )
    if rule == "formula_without_value":
        return (
            "計算結果が保存された値(Excelで保存、または値として貼り付け)"
            if ja
            else "the value Excel computed (save in Excel, or paste values)"
        )
    if rule == "formula_error":
        return "エラー値ではない値" if ja else "a value, not an Excel error"
    if rule == "merged_cells":
        return (
            "結合しないセルに、各行それぞれの値"
            if ja
            else "one value in each row's own cell, not merged"
        )
    if rule == "invalid_case_id":
        return (
            "64桁の16進数(プログラムが作る値です)"
            if ja
            else "64 hexadecimal digits (made by the pipeline)"
        )
    if rule == "end_before_start":
        start = _date(row.get("followup_start"))
        return f"開始日 {start} 以降の日付" if ja else f"a date on or after the start, {start}"
    if rule in ("end_present_for_continuing", "reason_present_for_continuing"):
        return "空欄(支援継続の対象者)" if ja else "blank (a continuing case)"
    if rule == "end_missing_for_ended":
        return "フォローアップ終了日(支援終了の対象者は必須)" if ja else "the end date"
    if rule == "reason_missing_for_ended":
        return (
            "終了理由(支援終了の対象者は必須)"
            if ja
            else "the reason for ending (required for an ended case)"
        )
    if rule == "start_before_release":
        release = _date(row.get("release_date"))
        return f"釈放日 {release} 以降の日付" if ja else f"a date on or after release, {release}"
    if rule == "end_outside_cohort_fy":
        span = cb.fiscal_years.get(str(row.get("cohort")))
        if span is None:
            return ""
        start, end = (d.isoformat() for d in span)
        return f"{start}～{end}(調査区分の年度)" if ja else f"{start} … {end} (the cohort's year)"
    if rule == "deceased_without_death":
        return "終了理由「死亡」" if ja else "end reason death"
    if rule == "death_not_deceased":
        return "現在の居所「死亡」" if ja else "current residence deceased"
    return ""


def reason(rule: str, lang: str = "ja", row: Mapping[str, object] | None = None) -> str:
    """The rule's message; for the rules comparing two dates, with both dates."""
    known = RULES.get(rule)
    if known is None:  # a schema check without a rule of its own: its name says it
        return rule
    row = row or {}
    if rule == "end_before_start":
        end, start = _date(row.get("followup_end")), _date(row.get("followup_start"))
        if lang == "ja":
            return f"フォローアップ終了日({end})が開始日({start})より前です"
        return f"follow-up ends ({end}) before it starts ({start})"
    if rule == "start_before_release":
        start, release = _date(row.get("followup_start")), _date(row.get("release_date"))
        if lang == "ja":
            return f"フォローアップ開始日({start})が釈放日({release})より前です"
        return f"follow-up starts ({start}) before release ({release})"
    return known.message_ja if lang == "ja" else known.message_en


def message(
    rule: str,
    var: Variable | None,
    cb: Codebook,
    lang: str = "ja",
    row: Mapping[str, object] | None = None,
    centers: list[str] | None = None,
) -> str:
    """The rule's message with what was expected (and, for ``end_before_start``, both dates)."""
    base = reason(rule, lang, row)
    if rule in ("end_before_start", "start_before_release"):
        return base
    wanted = expected(rule, var, cb, lang, row, centers)
    if not wanted or (lang == "en" and rule in SAYS_EXPECTED_EN):
        return base
    return f"{base}(入力できる値: {wanted})" if lang == "ja" else f"{base} (expected: {wanted})"
