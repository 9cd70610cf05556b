"""The simulation-speed benchmark (bench/replicate_speed.py) runs and reports every part of a
replicate; the speed itself is measured in bench/, never asserted here."""

import json

import pytest

from bench.replicate_speed import SCENARIO, _simulation, main, write_results


@pytest.mark.slow
def test_replicate_benchmark_reports_every_part(tmp_path):
    rows = main(
        [
            "--scales",
            "0.2",
            "--replicates",
            "2",
            "--reference-scales",
            "0.2",
            "--out",
            str(tmp_path),
        ]
    )
    saved = json.loads((tmp_path / "replicate_speed.json").read_text(encoding="utf-8"))
    assert saved["rows"] == json.loads(json.dumps(rows))
    [row] = rows
    models = saved["meta"]["models"]
    cpu = row["median_cpu_s"]
    assert {"draw", "dataset", "total", *models, *(f"fit_model {m}" for m in models)} <= set(cpu)
    assert all(v > 0 for v in cpu.values())
    assert cpu["total"] >= max(cpu[p] for p in ["draw", "dataset", *models])
    surveyed = _simulation().design(SCENARIO).n_cases
    assert row["cases"] == round(surveyed * 0.2) and row["replicates"] == 2
    report = (tmp_path / "replicate_speed.md").read_text(encoding="utf-8")
    assert all(m in report for m in models) and "fit_model" in report
    # an earlier commit's run shown beside this one (--before)
    before = {"label": "commit abc", "meta": saved["meta"], "rows": saved["rows"]}
    write_results(rows, tmp_path / "with_before", saved["meta"], models, before)
    shown = (tmp_path / "with_before" / "replicate_speed.md").read_text(encoding="utf-8")
    assert "Before, commit abc" in shown and shown.count(f"| 0.2 | {row['cases']:,} |") == 2
    saved_before = json.loads((tmp_path / "with_before" / "replicate_speed.json").read_text())
    assert saved_before["before"]["rows"] == saved["rows"]
