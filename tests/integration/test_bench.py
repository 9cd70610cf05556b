"""The benchmark (bench/run.py) and the reruns it measures: a no-op rerun and a rerun after
changing only a figure option; and what editing one model's specification reruns."""

import json
import re

import pytest
import yaml

from bench.run import FIGURE_RERUN_ALLOWED, loglog_slope, main, rule_benchmarks, rules_in_plan

from .conftest import run_snakemake


def test_loglog_slope_recovers_the_power_of_size():
    for power in (0.0, 0.5, 1.0, 1.3):
        points = [(n, 0.2 * n**power) for n in (2_800, 28_000, 278_000)]
        assert loglog_slope(points) == pytest.approx(power, abs=1e-3)
    assert loglog_slope([(2_800, 1.0)]) is None


def test_rules_in_plan_reads_the_jobs_of_a_dry_run():
    output = (
        "Job 1: Drawing the figures\nReason: x\n"
        "Job stats:\njob               count\n--------------  -------\n"
        "report_figure         1\nall                   1\ntotal                 2\n\n"
        "Job stats:\njob      count\n-----  -------\nreport_figure  1\ntotal  1\n"
    )
    assert rules_in_plan(output) == ["all", "report_figure"]
    assert rules_in_plan("Nothing to be done (all requested files are present).") == []


def test_the_jobs_of_one_rule_are_counted_under_it(tmp_path):
    """One benchmark file per model (analysis_model_<model>) and per language
    (<rule>_<lang>): their seconds added, their peaks the largest, the slowest named."""
    (tmp_path / "config.yaml").write_text(
        yaml.safe_dump({"run": "r", "report": {"languages": ["ja"]}}), encoding="utf-8"
    )
    folder = tmp_path / "benchmarks" / "r"
    folder.mkdir(parents=True)
    header = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
    for stem, seconds, rss in (
        ("analysis_model_cox_transition", 2.5, 180.0),
        ("analysis_model_fine_gray_transition", 14.0, 1100.0),
        ("analysis_models", 1.0, 130.0),
        ("report_summary_ja", 7.0, 240.0),
        ("report_figure_fig4_km_followup_ja", 3.0, 200.0),
        ("report_figure_fig6_forest_ja", 2.0, 210.0),
        ("report_table_table1_basic_attributes_ja", 1.5, 150.0),
    ):
        row = f"{seconds}\t0:00:0{int(seconds) % 10}\t{rss}\t0\t0\t0\t0\t0\t0\t1.0\n"
        (folder / f"{stem}.tsv").write_text(header + row, encoding="utf-8")
    rules = rule_benchmarks(tmp_path)
    assert set(rules) == {
        "analysis_model",
        "analysis_models",
        "report_summary",
        "report_figure",
        "report_table",
    }
    figure = rules["report_figure"]
    assert (figure["s"], figure["max_rss_mb"], figure["jobs"]) == (5.0, 210.0, 2)
    assert figure["slowest"] == "report_figure_fig4_km_followup_ja"
    assert rules["report_table"]["jobs"] == 1
    model = rules["analysis_model"]
    assert (model["s"], model["max_rss_mb"], model["jobs"]) == (16.5, 1100.0, 2)
    assert model["slowest"] == "analysis_model_fine_gray_transition"
    assert rules["analysis_models"]["jobs"] == 1


def test_changing_only_a_figure_option_reruns_only_figures(small_run):
    """report.dpi is a figure option: the figures, the summary that embeds them and `all`
    may rerun (params are a rerun trigger by default), never ingestion, models or tables."""
    config = yaml.safe_load((small_run / "config.yaml").read_text(encoding="utf-8"))
    override = small_run / "figure-option.yaml"
    override.write_text(
        yaml.safe_dump({"report": {"dpi": config["report"]["dpi"] // 2}}), encoding="utf-8"
    )
    proc = run_snakemake(
        small_run, "-n", "--configfile", str(small_run / "config.yaml"), str(override)
    )
    rules = set(rules_in_plan(proc.stdout + proc.stderr))
    assert "report_figure" in rules
    assert rules <= FIGURE_RERUN_ALLOWED


#: What editing one model's entry of config/models.yaml may rerun besides that model's job:
#: the gather, what reads the gathered files (numbers.json, the model tables and figures, the
#: documents; which tables and figures: tests/integration/test_report_reruns.py).
MODEL_RERUN_ALLOWED = {
    "analysis_model",
    "analysis_models",
    "analysis_numbers",
    "report_table",
    "report_figure",
    "report_provenance",  # it records the SHA-256 of config/models.yaml
    "report_summary",
    "report_workbook",
    "report_docx",
    "all",
}


def _plan_after_editing(workdir, name: str, **changes) -> tuple[set, list, str]:
    """The rules and the models of the analysis_model jobs a dry run plans after the entry
    ``name`` of a copy of config/models.yaml is changed (``analysis.models`` pointed at it)."""
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    models_path = config["analysis"]["models"]
    spec = yaml.safe_load(open(models_path, encoding="utf-8"))
    [entry] = [m for m in spec["models"] if m["name"] == name]
    entry.update(changes)
    edited = workdir / f"models-{name}.yaml"
    edited.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    override = workdir / f"models-{name}-override.yaml"
    override.write_text(yaml.safe_dump({"analysis": {"models": str(edited)}}), encoding="utf-8")
    proc = run_snakemake(workdir, "-n", "--configfile", str(workdir / "config.yaml"), str(override))
    output = proc.stdout + proc.stderr
    fitted = re.findall(r"Fitting the model (\S+) on run", output)
    return set(rules_in_plan(output)), fitted, output


def test_editing_one_model_reruns_that_model_not_the_data_curves_or_protection(small_run):
    """The model's job, the gather and what reads the gathered files rerun; not the other
    models, the analysis dataset, the curves, the protection of tables 1-3 or the predictions
    (which read only the Fine-Gray model's assessment)."""
    rules, fitted, output = _plan_after_editing(
        small_run, "cox_transition_no_deaths", where="end_reason != 'lost'"
    )
    assert fitted == ["cox_transition_no_deaths"], output[-3000:]
    assert {"analysis_model", "analysis_models", "analysis_numbers"} <= rules
    assert rules <= MODEL_RERUN_ALLOWED, rules - MODEL_RERUN_ALLOWED
    # the Fine-Gray model is what the predictions declare they read: they rerun with it
    rules, fitted, _ = _plan_after_editing(
        small_run, "fine_gray_transition", label_en="Fine-Gray model (edited label)"
    )
    assert fitted == ["fine_gray_transition"]
    assert rules <= MODEL_RERUN_ALLOWED | {"analysis_predictions"}
    assert "analysis_predictions" in rules


@pytest.mark.slow
def test_benchmark_runs_at_scale_1(tmp_path):
    main(["--scales", "1", "--out", str(tmp_path / "out"), "--workdir", str(tmp_path / "work")])
    result = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    [run] = result["runs"]
    # Every rule of the cold run (but the target rule all) wrote its benchmark file.
    assert set(run["rules"]) == set(run["cold_run"]["rules"]) - {"all"}
    assert {"synthetic_survey", "ingest", "analysis_models", "report_summary"} <= set(run["rules"])
    assert all(r["s"] > 0 and r["max_rss_mb"] > 0 for r in run["rules"].values())
    assert run["cold_run"]["wall_s"] > max(r["s"] for r in run["rules"].values())
    assert run["ingest_rows_per_s"] == round(
        sum(run["rows_read"].values()) / run["rules"]["ingest"]["s"]
    )
    assert run["noop_rerun"]["nothing_to_be_done"]
    rerun = run["figure_option_rerun"]
    assert "report_figure" in rerun["rules"] and set(rerun["rules"]) <= FIGURE_RERUN_ALLOWED
    assert rerun["ran"] == rerun["rules"]
    # One scale: no slope, and the report says which targets were checked and how they went.
    assert result["slopes"]["ingest"] is None
    report = (tmp_path / "out" / "results.md").read_text(encoding="utf-8")
    for check in result["targets"]:
        assert check["target"] in report
