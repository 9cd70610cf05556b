"""The rejected-row gate: stop the run after ingestion (the report and the parquet files are
written, so they can be inspected) when more than ``validation.max_rejected_share`` of the
case rows read were rejected.

The rule runs this from a ``run:`` block and the stop is an exception of its own: Snakemake
then prints the bilingual message as the error itself (``RejectedShareExceeded in file
…ingest.smk``), not a ``CalledProcessError`` naming a temporary script, and the workflow's
``onerror`` handler prints it once more as the last clear lines (:func:`stop_message`)."""

from __future__ import annotations

import json
from pathlib import Path

from teichaku.ingest.errors import IngestError

#: First word of the gate's log when it let the run go on (else the log is the stop message).
ACCEPTED = "accepted:"


class RejectedShareExceeded(Exception):
    """Too many case rows rejected; ``str()`` is the message for the user."""


def message(data: dict, limit: float) -> str:
    cases = data["tables"]["cases"]
    rejected, read, share = cases["rows_rejected"], cases["rows_read"], data["rejected_share_cases"]
    return (
        f"取り込みを停止しました: 対象者票 {read} 行のうち {rejected} 行 ({share:.1%}) が除外され、"
        f"上限 validation.max_rejected_share {limit:.1%} を超えています。センターごとの不備は "
        "`teichaku feedback` で確認できます(data/feedback/)。\n"
        f"Stopped after ingestion: {rejected} of {read} case rows rejected ({share:.1%} > "
        f"validation.max_rejected_share {limit:.1%}). Run `teichaku feedback` for each "
        "center's problems (data/feedback/), or read data/processed/<run>/rejected_rows.parquet; "
        "see results/<run>/validation/summary.json."
    )


def run_gate(summary: str | Path, accepted: str | Path, max_share: float, log: str | Path) -> None:
    """Write ``accepted`` (the share accepted) or log the stop and raise."""
    # imported here: the Snakefile imports this module at every start, and the survey
    # module's pandera costs about 0.2 s
    from teichaku.ingest.survey import check_rejected_share

    data = json.loads(Path(summary).read_text(encoding="utf-8"))
    log = Path(log)
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        check_rejected_share(data, max_share)
    except IngestError:
        text = message(data, max_share)
        log.write_text(f"{text}\n", encoding="utf-8")
        raise RejectedShareExceeded(text) from None
    share = data["rejected_share_cases"]
    record = {"rejected_share_cases": share, "max_rejected_share": max_share}
    Path(accepted).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    log.write_text(f"{ACCEPTED} {share:.1%} of case rows rejected <= {max_share:.1%}\n", "utf-8")


def stop_message(log: str | Path, since: float) -> str | None:
    """The gate's message when it stopped the run after ``since`` (a ``time.time()``)."""
    log = Path(log)
    if not log.is_file() or log.stat().st_mtime < since:
        return None
    text = log.read_text(encoding="utf-8").strip()
    return None if not text or text.startswith(ACCEPTED) else text
