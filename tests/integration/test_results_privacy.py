"""Scan the results/ of the small end-to-end run: no case pseudonym anywhere, no
unsuppressed small count in any report table. The fixture-based
equivalent, with distinctive case references, is in test_report_outputs.py."""

import pandas as pd

from teichaku.report.labels import load_labels
from teichaku.report.suppress import Privacy, find_case_refs, find_small_counts

from .conftest import DEFAULT_RUN, ROOT

RUN = DEFAULT_RUN  # the small run is a copy of the default run

LABELS = ROOT / "workflow" / "report" / "labels.yaml"


def test_no_case_pseudonym_reaches_the_results(small_run):
    cases = small_run / RUN.PROCESSED["cases"]
    case_ids = pd.read_parquet(cases, columns=["case_id"])["case_id"]
    assert len(case_ids) > 100
    assert find_case_refs(small_run / RUN.RESULTS_DIR, case_ids) == []


def test_report_tables_hold_no_small_count(small_run, default_config):
    privacy = Privacy(default_config["privacy"]["min_cell"])
    words = {
        load_labels(lang, LABELS).text(key)
        for lang in ("ja", "en")
        for key in ("count", "valid_n", "n_model", "n_events")
    }
    tables = sorted((small_run / RUN.TABLES_DIR).glob("*.csv"))
    assert len(tables) >= 7
    for csv in tables:
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        columns = [c for c in table.columns if c.endswith(tuple(words))]
        assert find_small_counts(table, columns, privacy) == [], csv.name
