"""Scan the results/ of the last run in this working tree (skipped before any run): no case
pseudonym anywhere, no unsuppressed small count in any report table. The fixture-based
equivalent, with distinctive case references, is in test_report_outputs.py."""

from pathlib import Path

import pandas as pd
import pytest

from teichaku.report.labels import load_labels
from teichaku.report.suppress import Privacy, find_case_refs, find_small_counts

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"
CASES = ROOT / "data" / "processed" / "cases.parquet"
LABELS = ROOT / "workflow" / "report" / "labels.yaml"

pytestmark = pytest.mark.skipif(
    not (RESULTS / "tables").is_dir() or not CASES.exists(),
    reason="no pipeline run in this working tree",
)


def test_no_case_pseudonym_reaches_the_results():
    case_ids = pd.read_parquet(CASES, columns=["case_id"])["case_id"]
    assert find_case_refs(RESULTS, case_ids) == []


def test_report_tables_hold_no_small_count(default_config):
    privacy = Privacy(default_config["privacy"]["min_cell"])
    words = {load_labels(lang, LABELS).text(key) for lang in ("ja", "en")
             for key in ("count", "valid_n", "n_model", "n_events")}
    for csv in sorted((RESULTS / "tables").glob("*.csv")):
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        columns = [c for c in table.columns if c.endswith(tuple(words))]
        assert find_small_counts(table, columns, privacy) == [], csv.name
