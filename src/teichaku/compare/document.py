"""The comparison as a Markdown document per language: which rounds, how a person in two
rounds is counted, the trend table, the per-round estimates and the test of difference, and
the linkage table. Every value is taken from the published tables (markers stay markers)."""

from __future__ import annotations

import pandas as pd

from teichaku.report.publish import is_marker

TEXT = {
    "ja": {
        "title": "調査回の比較",
        "rounds": "比較する調査回(基準日)",
        "handling": (
            "同じ人(同じセンターの同じ対象者番号、同じ仮名化キー)が複数の調査回に現れるとき、"
            "統合モデルでは最新の回の記録(より長い追跡と、その後の終了)を用い、最初に報告した回に"
            "数える。各人は一度だけ数え、標準誤差はセンターでクラスタ化する(センターは人を含む)。"
        ),
        "trend": "主要な数値と支援上の課題(調査回別)",
        "difference": "移行による終了のハザード比(統合モデル、調査回との交互作用)",
        "ratio": "比(後の回/最初の回)",
        "joint": "交互作用すべてが0であることのWald検定",
        "joint_none": "統合モデルは報告しない",
        "linkage": "前回の支援継続ケースのその後(仮名化キーで連結)",
        "item": "項目",
        "status": "状況",
        "n": "件数",
        "pct": "前回の継続に対する割合(%)",
        "median_followup": "追跡期間の中央値(か月)",
        "median_since": "前回基準日からの中央値(か月)",
        "statuses": {
            "continuing": "前回の支援継続",
            "found": "今回の回答にあり",
            "not_found": "今回の回答になし",
            "ended": "終了",
            "still_continuing": "継続中",
        },
    },
    "en": {
        "title": "Comparison of survey rounds",
        "rounds": "Rounds compared (reference date)",
        "handling": (
            "A person in several rounds (same center and case number under the same "
            "pseudonym key) enters the pooled model once: with the latest round's record "
            "(the longer follow-up, and its end if it has ended since), counted in the round "
            "that first reported it. Standard errors are clustered by center, which nests "
            "persons."
        ),
        "trend": "Headline figures and barriers by round",
        "difference": "Hazard ratios of ending by transition (pooled model, round interactions)",
        "ratio": "ratio (later / first round)",
        "joint": "Wald test that every round interaction is 0",
        "joint_none": "The pooled model is not reported",
        "linkage": "What became of the continuing cases of the earlier round (linked by pseudonym)",
        "item": "Item",
        "status": "Status",
        "n": "Cases",
        "pct": "% of continuing",
        "median_followup": "Median follow-up (months)",
        "median_since": "Median months since the earlier reference date",
        "statuses": {
            "continuing": "Continuing at the earlier round",
            "found": "In the later round",
            "not_found": "Not in the later round",
            "ended": "Ended",
            "still_continuing": "Still continuing",
        },
    },
}


def _cell(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if is_marker(value) or isinstance(value, str):
        return str(value).replace("|", "\\|")
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.{digits}f}"
    return f"{int(value):,}"


def _interval(row: pd.Series, prefix: str) -> str:
    low, high = row.get(f"{prefix}_conf_low"), row.get(f"{prefix}_conf_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return "—"
    return f"{_cell(low)}–{_cell(high)}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def comparison_markdown(
    language: str,
    rounds: list[tuple[str, str]],
    trend: pd.DataFrame,
    difference: pd.DataFrame,
    joint: dict,
    linkage: pd.DataFrame,
    labels: dict[str, str],
) -> str:
    """The document; ``rounds``: (name, reference date); ``labels``: item or code -> label."""
    t = TEXT[language]
    names = [n for n, _ in rounds]
    out = [f"# {t['title']}", "", f"{t['rounds']}: " + ", ".join(f"{n} ({d})" for n, d in rounds)]
    out += ["", t["handling"], "", f"## {t['trend']}", ""]
    rows = [
        [labels.get(f"{row['section']}:{row['item']}", labels.get(row["item"], row["item"]))]
        + [_cell(row[n]) for n in names]
        for _, row in trend.iterrows()
    ]
    out += _table([t["item"], *names], rows)
    out += ["", f"## {t['difference']}", ""]
    rows = []
    for _, row in difference.iterrows():
        rows.append(
            [
                labels.get(row["term"], row["term"]),
                row["round"],
                _cell(row["hr"]),
                _interval(row, "hr"),
                _cell(row.get("ratio")),
                _interval(row, "ratio"),
                _cell(row.get("ratio_p_value"), 4),
            ]
        )
    out += _table(["", "", "HR", "95% CI", t["ratio"], "95% CI", "p"], rows)
    if joint.get("p_value") is not None:
        out += [
            "",
            f"{t['joint']}: χ² = {joint['chi2']:.2f}, df = {joint['df']}, "
            f"p = {joint['p_value']:.4g}",
        ]
    else:
        out += ["", f"{t['joint_none']} ({', '.join(joint.get('reasons', []))})"]
    out += ["", f"## {t['linkage']}", ""]
    rows = []
    for _, row in linkage.iterrows():
        status = t["statuses"][row["status"]]
        if row["end_reason"] is not None and not pd.isna(row["end_reason"]):
            status = f"　{labels.get(row['end_reason'], row['end_reason'])}"
        rows.append(
            [
                f"{row['earlier_round']} → {row['later_round']}",
                status,
                _cell(row["n"]),
                _cell(row["pct_of_continuing"], 1),
                _cell(row["median_followup_months"], 1),
                _cell(row["median_months_since_earlier_round"], 1),
            ]
        )
    header = ["", t["status"], t["n"], t["pct"], t["median_followup"], t["median_since"]]
    out += _table(header, rows)
    return "\n".join(out) + "\n"
