"""One job per table and per figure: editing one entry of config/report.yaml (or one model of
config/models.yaml) plans that table's or figure's job and the documents that embed it,
nothing else (a dry run of the small run)."""

from __future__ import annotations

import re

import yaml

from bench.run import rules_in_plan

from .conftest import run_snakemake

#: What a dry run lists of each report job (the rules' messages).
TABLE_JOB = re.compile(r"Writing table (\S+) \((\w+)\) of run")
FIGURE_JOB = re.compile(r"Drawing figure (\S+) \((\w+)\) of run")
#: The documents that embed the figures (the summary, its Word document, the provenance record
#: of the configuration) and the target rule; the tables are also in the workbook.
DOCUMENTS = {"report_summary", "report_docx", "report_provenance", "all"}
TABLE_DOCUMENTS = DOCUMENTS | {"report_workbook"}


def _plan(workdir, report: dict | None = None, config: dict | None = None):
    """(rules, tables, figures) a dry run plans after ``report`` replaces config/report.yaml
    (and ``config`` is laid over config.yaml)."""
    layer = dict(config or {})
    if report is not None:
        path = workdir / "report-edited.yaml"
        path.write_text(yaml.safe_dump(report, allow_unicode=True, sort_keys=False), "utf-8")
        layer.setdefault("report", {})["spec"] = str(path)
    override = workdir / "report-override.yaml"
    override.write_text(yaml.safe_dump(layer), encoding="utf-8")
    proc = run_snakemake(workdir, "-n", "--configfile", str(workdir / "config.yaml"), str(override))
    out = proc.stdout + proc.stderr
    return set(rules_in_plan(out)), TABLE_JOB.findall(out), FIGURE_JOB.findall(out)


def _report(workdir) -> dict:
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    return yaml.safe_load(open(config["report"]["spec"], encoding="utf-8"))


def _entry(report: dict, kind: str, name: str) -> dict:
    return next(e for e in report[kind] if e["name"] == name)


def test_changing_one_figure_option_reruns_only_that_figure(small_run):
    report = _report(small_run)
    _entry(report, "figures", "fig4_km_followup")["options"] = {"dpi": 150}
    rules, tables, figures = _plan(small_run, report)
    assert figures == [("fig4_km_followup", "ja")] and tables == []
    assert rules == {"report_figure"} | DOCUMENTS


def test_changing_one_table_option_reruns_only_that_table(small_run):
    report = _report(small_run)
    _entry(report, "tables", "tableA1_models")["options"] = {"models": [{"role": "sensitivity"}]}
    rules, tables, figures = _plan(small_run, report)
    assert tables == [("tableA1_models", "ja")] and figures == []
    assert rules == {"report_table"} | TABLE_DOCUMENTS


def test_the_resolution_of_every_figure_reruns_the_figures_not_the_tables(small_run):
    config = yaml.safe_load((small_run / "config.yaml").read_text(encoding="utf-8"))
    rules, tables, figures = _plan(
        small_run, config={"report": {"dpi": config["report"]["dpi"] // 2}}
    )
    assert sorted(name for name, _ in figures) == sorted(
        e["name"] for e in _report(small_run)["figures"]
    )
    assert tables == []
    assert rules == {"report_figure"} | DOCUMENTS


def test_editing_a_model_reruns_its_tables_not_table_1(small_run):
    """Editing the formula of a sensitivity model: the tables and figures of models (they
    read the gathered coefficients and numbers.json), never Tables 1-3 or 5 or the figures
    of the survey and the curves."""
    config = yaml.safe_load((small_run / "config.yaml").read_text(encoding="utf-8"))
    spec = yaml.safe_load(open(config["analysis"]["models"], encoding="utf-8"))
    entry = next(m for m in spec["models"] if m["name"] == "cox_transition_no_deaths")
    entry["where"] = "end_reason != 'lost'"
    edited = small_run / "models-edited.yaml"
    edited.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), "utf-8")
    rules, tables, figures = _plan(small_run, config={"analysis": {"models": str(edited)}})
    assert "analysis_model" in rules
    model_tables = {"table4_models", "tableA1_models", "table4b_sensitivity_primary",
                    "table4c_sensitivity_logistic"}  # fmt: skip
    assert {name for name, _ in tables} == model_tables
    assert {name for name, _ in figures} <= {
        "fig6_forest",
        "fig7_threshold_sensitivity",
        "fig9_fine_gray_cif",
    }
