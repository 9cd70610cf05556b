"""The rejected-row gate: its bilingual message, the accepted record, and the message shown
again at the end of a run it stopped (only for a stop in this run)."""

import json
import time

import pytest

from teichaku.ingest.gate import RejectedShareExceeded, run_gate, stop_message


def _summary(tmp_path, rejected, read):
    data = {
        "tables": {"cases": {"rows_rejected": rejected, "rows_read": read}},
        "rejected_share_cases": rejected / read,
    }
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_gate_stops_with_a_bilingual_message_and_logs_it(tmp_path):
    started = time.time() - 1
    log = tmp_path / "logs" / "gate.log"
    with pytest.raises(RejectedShareExceeded) as stop:
        run_gate(_summary(tmp_path, 14, 40), tmp_path / "accepted.json", 0.05, log)
    text = str(stop.value)
    assert "対象者票 40 行のうち 14 行 (35.0%)" in text
    assert "14 of 40 case rows rejected (35.0% > validation.max_rejected_share 5.0%)" in text
    assert "teichaku feedback" in text
    assert not (tmp_path / "accepted.json").exists()
    assert stop_message(log, started) == text
    assert stop_message(log, time.time() + 10) is None  # a stop of an earlier run


def test_the_gate_lets_the_run_go_on_below_the_limit(tmp_path):
    log = tmp_path / "gate.log"
    run_gate(_summary(tmp_path, 1, 40), tmp_path / "accepted.json", 0.05, log)
    accepted = json.loads((tmp_path / "accepted.json").read_text(encoding="utf-8"))
    assert accepted == {"rejected_share_cases": 0.025, "max_rejected_share": 0.05}
    assert stop_message(log, 0) is None
