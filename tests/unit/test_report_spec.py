"""config/report.yaml: the default report, and a clear message (file, entry, what is wrong)
for every mistake a researcher can make in it."""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from teichaku.analysis.specs import load_analysis_spec
from teichaku.codebook import load_codebook
from teichaku.report import build
from teichaku.report.inputs import FIGURE_READS, TABLE_READS
from teichaku.report.spec import (
    APPENDIX,
    FIGURE_BUILDERS,
    TABLE_BUILDERS,
    ReportSpecError,
    load_report_spec,
    parse_report_spec,
    select_models,
)

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "config" / "report.yaml"
SCHEMA = ROOT / "workflow" / "schemas" / "report.schema.yaml"
CODEBOOK = load_codebook(ROOT / "config" / "codebook.yaml")
ANALYSIS = load_analysis_spec(ROOT / "config" / "models.yaml", [6, 12, 18, 24], CODEBOOK)


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(REPORT.read_text(encoding="utf-8"))


def _error(raw: dict, **kw) -> str:
    with pytest.raises(ReportSpecError) as caught:
        parse_report_spec(raw, "report.yaml", CODEBOOK, ANALYSIS, **kw)
    return str(caught.value)


def test_the_default_report_has_the_tables_and_figures_of_the_summary():
    spec = load_report_spec(REPORT, CODEBOOK, ANALYSIS)
    assert spec.sections == (
        "survey",
        "basic_attributes",
        "support",
        "followup",
        "models",
        "awareness",
        APPENDIX,
    )
    assert spec.table_names() == [
        "table1_basic_attributes",
        "table2_support_by_cohort",
        "table3_barriers",
        "table4_models",
        "table5_awareness",
        "tableA1_models",
        "table4b_sensitivity_primary",
        "table4c_sensitivity_logistic",
    ]
    assert sorted(spec.figure_names()) == [f"fig{i}_{n}" for i, n in [
        (1, "coverage"), (2, "basic_attributes"), (3, "support"), (4, "km_followup"),
        (5, "cif_transition"), (6, "forest"), (7, "threshold_sensitivity"), (8, "awareness"),
        (9, "fine_gray_cif"),
    ]]  # fmt: skip
    # models_main left out: the primary model of config/models.yaml
    assert spec.models_main == ("cox_transition",)
    assert [t.name for t in spec.section_tables(APPENDIX)] == [
        "tableA1_models",
        "table4b_sensitivity_primary",
        "table4c_sensitivity_logistic",
    ]


def test_main_and_other_split_the_models_between_table_4_and_the_appendix():
    spec = load_report_spec(REPORT, CODEBOOK, ANALYSIS)
    main = select_models(spec.table("table4_models").options["models"], ANALYSIS, spec.models_main)
    other = select_models(
        spec.table("tableA1_models").options["models"], ANALYSIS, spec.models_main
    )
    assert main == ["cox_transition"]
    assert sorted(main + other) == sorted(m.name for m in ANALYSIS.models)
    assert not set(main) & set(other)


def test_a_selection_takes_fitted_models_and_a_name_with_k_each_threshold():
    fitted = {"cox_transition", "cox_transition_mice", "logit_threshold_6", "logit_threshold_18"}
    entries = ["primary", {"role": "sensitivity", "type": "cox"}]
    assert select_models(entries, ANALYSIS, ("cox_transition",), fitted) == [
        "cox_transition",
        "cox_transition_mice",
    ]
    assert select_models(["logit_threshold_{k}"], ANALYSIS, ()) == [
        f"logit_threshold_{k}" for k in (6, 12, 18, 24)
    ]


def test_every_builder_has_a_function_and_the_schema_lists_the_same():
    assert set(build.TABLE_BUILDERS) == set(TABLE_BUILDERS) == set(TABLE_READS)
    assert set(build.FIGURE_BUILDERS) == set(FIGURE_BUILDERS) == set(FIGURE_READS)
    text = SCHEMA.read_text(encoding="utf-8")
    for name in {*TABLE_BUILDERS, *FIGURE_BUILDERS}:
        assert name in text


def test_models_main_moves_a_model_into_the_main_text(raw):
    raw["models_main"] = ["cox_transition", "logit_prolonged_12"]
    spec = parse_report_spec(raw, "report.yaml", CODEBOOK, ANALYSIS)
    assert select_models("main", ANALYSIS, spec.models_main) == [
        "cox_transition",
        "logit_prolonged_12",
    ]
    assert "logit_prolonged_12" not in select_models("other", ANALYSIS, spec.models_main)


def test_an_unknown_builder_is_named_with_the_known_ones(raw):
    raw["figures"][2]["builder"] = "histogram"
    message = _error(raw)
    assert message.startswith("report.yaml: figures[2] (fig3_support): unknown builder")
    assert "'histogram'" in message and "km, cif" in message


def test_a_section_not_declared_is_named(raw):
    raw["tables"][0]["section"] = "results"
    message = _error(raw)
    assert "tables[0] (table1_basic_attributes)" in message
    assert "section 'results' is not declared" in message and "appendix" in message


def test_a_duplicate_name_is_named_with_the_entry_that_has_it(raw):
    raw["figures"][0]["name"] = "table3_barriers"
    message = _error(raw)
    assert "figures[0] (table3_barriers): the name is already used by tables[2]" in message


def _crosstab(rows="barrier", columns="prolonged", cells="n") -> dict:
    return {
        "name": "tableA2_barriers_by_status",
        "builder": "crosstab",
        "section": APPENDIX,
        "category": APPENDIX,
        "options": {"rows": rows, "columns": columns, "cells": cells},
    }


def test_a_crosstab_of_known_variables_is_accepted(raw):
    raw["tables"].append(_crosstab())
    raw["tables"].append({**_crosstab("age", "cohort", "mean"), "name": "age_by_cohort"})
    raw["tables"].append({**_crosstab("care_level", "prolonged", "pct"), "name": "care"})
    spec = parse_report_spec(raw, "report.yaml", CODEBOOK, ANALYSIS)
    assert [t.name for t in spec.crosstabs()] == [
        "tableA2_barriers_by_status",
        "age_by_cohort",
        "care",
    ]


@pytest.mark.parametrize(
    ("rows", "columns", "cells", "expected"),
    [
        ("blood_type", "cohort", "n", "rows 'blood_type' is neither a categorical variable"),
        ("barrier", "height", "n", "columns 'height' must be cohort or prolonged"),
        ("barrier", "sex", "n", "columns 'sex' must be cohort or prolonged: the groups Tables"),
        ("cohort", "prolonged", "n", "rows 'cohort' is neither a categorical variable"),
        ("age", "cohort", "n", "rows 'age' is neither a categorical variable"),
        ("sex", "cohort", "mean", "rows 'sex': cells: mean needs a number of the cases"),
        ("case_ref", "cohort", "n", "rows 'case_ref' is neither"),
    ],
)
def test_a_crosstab_on_an_unknown_variable_is_named(raw, rows, columns, cells, expected):
    raw["tables"].append(_crosstab(rows, columns, cells))
    message = _error(raw)
    assert "tables[8] (tableA2_barriers_by_status)" in message
    assert expected in message


def test_a_crosstab_by_prolonged_status_needs_a_model_that_defines_it(raw):
    kept = [m for m in ANALYSIS.models if not (m.role == "secondary" and m.type == "logit")]
    analysis = dataclasses.replace(ANALYSIS, models=kept)
    raw["tables"].append(_crosstab())
    with pytest.raises(ReportSpecError) as caught:
        parse_report_spec(raw, "report.yaml", CODEBOOK, analysis)
    assert "columns: prolonged needs a secondary logistic model" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda r: r["tables"][8]["options"].update(cells="median"), "'median' is not one of"),
        (lambda r: r["tables"][8]["options"].pop("columns"), "'columns' is a required property"),
        (lambda r: r["tables"][3].pop("options"), "'options' is a required property"),
        (lambda r: r["tables"][0].update(category="misc"), "tables[0].category: 'misc'"),
        (lambda r: r["figures"][0].update(options={"colour": "red"}), "figures[0].options"),
        (lambda r: r["tables"][0].update(title={"ja": "表"}), "'en' is a required property"),
        (lambda r: r.update(model_main=["x"]), "'model_main' was unexpected"),
    ],
)
def test_schema_errors_name_the_entry(raw, change, expected):
    raw["tables"].append(_crosstab())
    change(raw)
    assert expected in _error(raw)


def test_a_model_name_not_in_the_analysis_is_named(raw):
    raw["models_main"] = ["cox_transitoin"]
    assert "models_main: 'cox_transitoin' is not a model of the analysis" in _error(raw)
    raw = copy.deepcopy(raw)
    raw["models_main"] = ["cox_transition"]
    raw["tables"][6]["options"]["models"] = ["primary", "cox_no_such"]
    assert "tables[6] (table4b_sensitivity_primary): options.models names 'cox_no_such'" in (
        _error(raw)
    )


def test_the_appendix_is_not_a_listed_section(raw):
    raw["sections"].append(APPENDIX)
    assert "the appendix follows them" in _error(raw)


def test_a_missing_or_broken_file_is_a_report_spec_error(tmp_path):
    with pytest.raises(ReportSpecError, match=r"report\.spec"):
        load_report_spec(tmp_path / "none.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("tables: [\n", encoding="utf-8")
    with pytest.raises(ReportSpecError, match="not valid YAML"):
        load_report_spec(broken)


def test_plain_reads_back_to_the_same_report():
    spec = load_report_spec(REPORT, CODEBOOK, ANALYSIS)
    assert parse_report_spec(spec.plain()) == spec
    only = parse_report_spec(spec.plain(tables=["table3_barriers"], figures=[]))
    assert only.table_names() == ["table3_barriers"] and only.figures == ()
    assert only.models_main == spec.models_main


def test_the_spec_module_imports_no_heavy_library():
    code = (
        "import sys, teichaku.report.spec as s; "
        "print(sorted(m for m in ('pandas', 'numpy', 'matplotlib', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_summary_templates_place_every_section_of_the_default_report():
    from teichaku.report.spec import check_placement, template_sections

    spec = load_report_spec(REPORT, CODEBOOK, ANALYSIS)
    for lang in ("ja", "en"):
        template = ROOT / "workflow" / "report" / f"summary.{lang}.md.j2"
        assert set(spec.sections) <= template_sections(template)
        check_placement(spec, template)


def test_a_section_the_templates_do_not_place_is_named_with_its_items(raw):
    from teichaku.report.spec import check_placement

    raw["sections"].append("discussion")
    raw["tables"][4]["section"] = "discussion"
    spec = parse_report_spec(raw, "report.yaml", CODEBOOK, ANALYSIS)
    with pytest.raises(ReportSpecError) as caught:
        check_placement(spec, ROOT / "workflow" / "report" / "summary.ja.md.j2")
    message = str(caught.value)
    assert "summary.ja.md.j2 has no place for the section(s) discussion: table5_awareness" in (
        message
    )


def test_builders_and_their_reads_must_name_the_same_builders():
    with pytest.raises(ValueError, match="differ"):
        build._builders({"support": build._support_table}, TABLE_READS)
