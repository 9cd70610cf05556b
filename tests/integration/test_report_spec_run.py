"""config/report.yaml as the workflow reads it: a mistake stops the run at its start with the
loader's message, no traceback."""

from __future__ import annotations

import pytest

from .conftest import run_snakemake, write_small_config
from .crosstabs import add_crosstabs, default_report, use_report


@pytest.mark.slow
def test_a_report_with_an_unknown_builder_stops_the_workflow_with_its_message(tmp_path):
    write_small_config(tmp_path)
    report = default_report()
    report["tables"][1]["builder"] = "pie_chart"
    use_report(tmp_path, report)
    proc = run_snakemake(tmp_path, "-n", check=False)
    assert proc.returncode != 0
    assert (
        "report.yaml: tables[1] (table2_support_by_cohort): unknown builder 'pie_chart'"
        in proc.stderr
    )
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.slow
def test_a_crosstab_by_another_variable_stops_the_workflow_with_its_message(tmp_path):
    """A cross-tabulation whose columns are not a group of Tables 1-3 (cohort, prolonged)
    is refused when the workflow starts, saying why, instead of failing inside a job."""
    write_small_config(tmp_path)
    by_sex = {
        "name": "barriers_by_sex",
        "builder": "crosstab",
        "section": "appendix",
        "category": "appendix",
        "title": {"ja": "支援上の課題、性別", "en": "Support barriers by sex"},
        "options": {"rows": "barrier", "columns": "sex", "cells": "n"},
    }
    add_crosstabs(tmp_path, [by_sex])
    proc = run_snakemake(tmp_path, "-n", check=False)
    assert proc.returncode != 0
    assert "tables[8] (barriers_by_sex): columns 'sex' must be cohort or prolonged" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.slow
def test_a_section_the_summary_does_not_place_stops_the_workflow_with_its_message(tmp_path):
    """A section of report.yaml holding a table that the summary templates give no place
    stops the run when it starts (not inside the summary job, with a traceback)."""
    write_small_config(tmp_path)
    report = default_report()
    report["sections"].append("discussion")
    report["tables"][4]["section"] = "discussion"
    use_report(tmp_path, report)
    proc = run_snakemake(tmp_path, "-n", check=False)
    assert proc.returncode != 0
    assert "has no place for the section(s) discussion: table5_awareness" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
