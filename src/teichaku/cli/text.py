"""The command line's words in Japanese and English (``--lang``)."""

from __future__ import annotations

TEXT = {
    "ja": {
        "files": "ファイル {n} 件を確認しました",
        "no_roster": "注意: 調査対象センター一覧(名簿)なしで確認しました。センター番号は"
        " C01～C{max:02d} の形式のみ確認しています(--roster か --round で名簿を指定できます)",
        "table": (
            "{label}: 読込 {read} 行、有効 {valid} 行、除外 {rejected} 行、重複 {duplicate} 行"
        ),
        "file": "  {file}{sheet}: 読込 {read} 行、除外 {rejected} 行、警告 {warnings} 件",
        "problems": "不備 {n} 件(エラー {errors} 件、警告 {warnings} 件):",
        "none": "不備はありませんでした。",
        "error": "エラー",
        "warning": "警告",
        "where": "行 {row} 列 {letter}({column})",
        "value": "値「{value}」",
        "workbooks": "フィードバック用ブック({n} 件): {dir}",
        "rejected": "結果: 除外される行があります(終了コード 1)",
        "accepted": "結果: 除外される行はありません",
        "feedback_done": "センター別のフィードバック用ブック {n} 件と集計を書き出しました: {dir}",
        "stale": "注意: 前回の実行の除外行(data/processed/<run>/rejected_rows.parquet)と"
        "今回の確認結果が一致しません。実行後に元ファイルが変わった可能性があります。もう一度実行してください",
        "merged": "{n} センターの認識調査 {rows} 行を {out} にまとめました",
        "skipped": "  認識調査のシートがないため読み飛ばしました: {file}",
        "extra": (
            "  コードブックにない列もそのまま含めました(取り込み時には使われません): {columns}"
        ),
        "fatal": "teichaku: エラー: {message}",
        "internal": "teichaku: 予期しないエラー ({kind}): {message}"
        "(TEICHAKU_DEBUG=1 を付けて実行すると詳細が表示されます)",
    },
    "en": {
        "files": "checked {n} file(s)",
        "no_roster": "note: checked without the roster: center numbers are only checked to be"
        " C01 … C{max:02d} (give the roster with --roster or --round)",
        "table": "{label}: {read} rows read, {valid} valid, {rejected} rejected, "
        "{duplicate} duplicates",
        "file": "  {file}{sheet}: {read} rows read, {rejected} rejected, {warnings} warnings",
        "problems": "{n} problem(s) ({errors} errors, {warnings} warnings):",
        "none": "no problem found.",
        "error": "error",
        "warning": "warning",
        "where": "row {row} column {letter} ({column})",
        "value": "value '{value}'",
        "workbooks": "feedback workbooks ({n}): {dir}",
        "rejected": "result: rows are rejected (exit code 1)",
        "accepted": "result: no row is rejected",
        "feedback_done": "wrote {n} feedback workbooks (one per center) and the summaries: {dir}",
        "stale": "note: the rejected rows of the last run "
        "(data/processed/<run>/rejected_rows.parquet) differ from this check: the raw files "
        "may have changed since; run the workflow again",
        "merged": "merged {rows} awareness rows of {n} centers into {out}",
        "skipped": "  skipped (no awareness sheet): {file}",
        "extra": (
            "  columns not in the codebook kept as they are (ingestion leaves them out): {columns}"
        ),
        "fatal": "teichaku: error: {message}",
        "internal": "teichaku: unexpected error ({kind}): {message} "
        "(run with TEICHAKU_DEBUG=1 to see the details)",
    },
}


def say(lang: str, key: str, **values) -> str:
    return TEXT[lang][key].format(**values)
