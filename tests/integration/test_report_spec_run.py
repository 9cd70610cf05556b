"""config/report.yaml as the workflow reads it: a mistake stops the run at its start with the
loader's message, no traceback."""

from __future__ import annotations

import pytest
import yaml

from .conftest import ROOT, run_snakemake, write_small_config


@pytest.mark.slow
def test_a_report_with_an_unknown_builder_stops_the_workflow_with_its_message(tmp_path):
    config_path = write_small_config(tmp_path)
    report = yaml.safe_load((ROOT / "config" / "report.yaml").read_text(encoding="utf-8"))
    report["tables"][1]["builder"] = "pie_chart"
    (tmp_path / "report.yaml").write_text(yaml.safe_dump(report), encoding="utf-8")
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["report"]["spec"] = "report.yaml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    proc = run_snakemake(tmp_path, "-n", check=False)
    assert proc.returncode != 0
    assert (
        "report.yaml: tables[1] (table2_support_by_cohort): unknown builder 'pie_chart'"
        in proc.stderr
    )
    assert "Traceback" not in proc.stderr + proc.stdout
