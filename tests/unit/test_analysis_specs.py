"""Model specifications: schema, meaning checks, threshold expansion, term names and labels."""

import copy

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from teichaku.analysis.specs import SpecError, parse_analysis_spec
from teichaku.analysis.terms import term_label, tidy_term
from teichaku.codebook import load_codebook

THRESHOLDS = [6, 12, 18, 24]


@pytest.fixture(scope="module")
def raw(root):
    with open(root / "config" / "models.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def spec(raw):
    return parse_analysis_spec(raw, THRESHOLDS, load_codebook())


def test_models_file_matches_its_schema(raw, root):
    validate(copy.deepcopy(raw), str(root / "workflow" / "schemas" / "models.schema.yaml"))


def test_schema_rejects_an_unknown_model_key(raw, root):
    bad = copy.deepcopy(raw)
    bad["models"][0]["formla"] = "age_10"
    with pytest.raises(WorkflowError, match="formla"):
        validate(bad, str(root / "workflow" / "schemas" / "models.schema.yaml"))


def test_required_models_are_declared(spec):
    types = {m.type for m in spec.models}
    assert {"cox", "logit", "gee", "mixed_logit", "binomial_counts"} <= types
    primary = [m for m in spec.models if m.role == "primary"]
    assert len(primary) == 1 and primary[0].type == "cox" and primary[0].cluster == "center_id"
    assert any(m.missing == "mice" for m in spec.models)


def test_each_threshold_expands_to_one_model_per_threshold(spec):
    expanded = [m for m in spec.models if m.name.startswith("logit_threshold_")]
    assert [m.outcome for m in expanded] == [f"prolonged_{k}" for k in THRESHOLDS]
    assert all("{k}" not in m.label_ja + m.label_en for m in expanded)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r["events"]["competing"].remove("death"), "death"),
        (lambda r: r["events"]["transition"].append("moved"), "moved"),
        (lambda r: r["reference_levels"].update(coordination="none"), "coordination"),
        (lambda r: r["scaled"]["age_10"].update(source="agee"), "agee"),
        (lambda r: r["models"][0].pop("event"), "event"),
        (lambda r: r["models"].append(dict(r["models"][0])), "repeated"),
        (lambda r: r["models"][0].update(formula="prolonged_12 ~ age_10"), "right-hand side"),
    ],
)
def test_meaning_errors_name_the_problem(raw, change, message):
    bad = copy.deepcopy(raw)
    change(bad)
    with pytest.raises(SpecError, match=message):
        parse_analysis_spec(bad, THRESHOLDS, load_codebook())


@pytest.mark.parametrize(
    "name, term",
    [
        ("C(coordination, Treatment('special'))[T.general]", "coordination[general]"),
        ("coordination[T.general]", "coordination[general]"),
        ("C(cohort)[T.r2_ended]", "cohort[r2_ended]"),
        ("barrier_no_stable_service", "barrier_no_stable_service"),
        ("Intercept", "Intercept"),
        ("coordination[T.general]:age_10", "coordination[general]:age_10"),
    ],
)
def test_tidy_term_names(name, term):
    assert tidy_term(name) == term


def test_labels_come_from_codebook_and_spec(spec):
    cb = load_codebook()
    barrier = cb.variable("cases", "barrier_no_agency_cooperation")
    assert term_label("barrier_no_agency_cooperation", spec, cb, "ja") == barrier.label_ja
    assert term_label("barrier_no_agency_cooperation", spec, cb, "en") == barrier.label_en
    coordination = cb.variable("cases", "coordination")
    assert term_label("coordination[general]", spec, cb, "en") == (
        f"{coordination.label_en}: {coordination.level_label('general', 'en')}"
    )
    age = cb.variable("cases", "age")
    assert term_label("age_10", spec, cb, "en").startswith(age.label_en)
    assert spec.scaled["age_10"].unit_en in term_label("age_10", spec, cb, "en")
    assert term_label("Intercept", spec, cb, "ja") == spec.term_labels["Intercept"]["ja"]
    assert term_label("coordination[general]:age_10", spec, cb, "en") == (
        term_label("coordination[general]", spec, cb, "en")
        + " × "
        + term_label("age_10", spec, cb, "en")
    )
    reason = cb.variable("awareness", "reason_facility_requests")
    assert term_label("reason_facility_requests", spec, cb, "ja") == reason.label_ja
