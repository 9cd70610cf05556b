"""results/numbers.json: published figures, follow-up, model headline numbers."""

import dataclasses
import json

import pytest

from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.numbers import build_numbers, numbers_json
from teichaku.analysis.run import run_models
from teichaku.analysis.specs import Settings, load_analysis_spec
from teichaku.codebook import load_codebook
from teichaku.published import SECTIONS, load_published
from teichaku.synthetic import generate_survey, load_synthetic_config

SETTINGS = Settings()


@pytest.fixture(scope="module")
def numbers(root):
    cb = load_codebook()
    published = load_published(root / "config" / "published-2021.yaml")
    survey = generate_survey(load_synthetic_config(), published)
    spec = load_analysis_spec(root / "config" / "models.yaml", list(SETTINGS.thresholds), cb)
    spec = dataclasses.replace(
        spec, models=(spec.model("cox_transition"), spec.model("mixed_prolonged_12"))
    )
    analysis = build_analysis_dataset(
        survey.cases, survey.roster, spec, list(SETTINGS.thresholds), cb
    )
    coef, diag, _ = run_models(analysis, survey.awareness, spec, SETTINGS, cb)
    validation = {
        "rejected_share_cases": 0.001,
        "tables": {
            "cases": {
                "rows_read": 10,
                "rows_valid": 9,
                "rows_rejected": 1,
                "rows_duplicate": 0,
                "warnings": {"start_before_release": 2},
                "files": [],
            }
        },
    }
    args = (
        survey.roster,
        survey.cases,
        survey.awareness,
        analysis,
        coef,
        diag,
        spec,
        SETTINGS,
        cb,
        published,
        validation,
    )
    return build_numbers(*args), build_numbers(*args), coef, analysis, published


@pytest.mark.slow
def test_every_published_key_is_computed_and_matches_on_the_synthetic_survey(numbers):
    out, _, _, _, published = numbers
    for section in SECTIONS:
        assert set(out["published"][section]) == set(published[section])
    assert out["published_check"]["all_ok"] is True


def test_followup_counts_add_up(numbers):
    out, _, _, analysis, _ = numbers
    f = out["followup"]
    assert f["n_transition"] + f["n_competing"] + f["n_censored"] == f["n_cases"]
    assert f["n_cases"] == len(analysis)
    valid = analysis["prolonged_12"].dropna()
    assert f["n_valid_prolonged_12"] == len(valid)
    assert f["pct_prolonged_12"] == pytest.approx(100 * valid.mean(), rel=1e-6)
    assert (
        f["median_involvement_conf_low"]
        <= f["median_involvement_months"]
        <= f["median_involvement_conf_high"]
    )


def test_primary_and_center_sd_come_from_the_coefficient_table(numbers):
    out, _, coef, _, _ = numbers
    primary = out["primary"]
    assert primary["model"] == "cox_transition"
    rows = coef[coef["model"] == "cox_transition"].set_index("term")
    assert set(primary["barriers"]) == {t for t in rows.index if t.startswith("barrier_")}
    for term, values in primary["barriers"].items():
        assert values["estimate"] == pytest.approx(rows.loc[term, "estimate"], rel=1e-7)
        assert values["scale"] == "HR"
    assert primary["n"] == rows["n"].iloc[0] and primary["n_clusters"] == rows["n_clusters"].iloc[0]
    assert out["center_sd"]["mixed_prolonged_12"]["estimate"] > 0
    assert out["validation"]["tables"]["cases"]["rows_rejected"] == 1


def test_json_is_deterministic_and_sorted(numbers):
    first, second, _, _, _ = numbers
    text = numbers_json(first)
    assert text == numbers_json(second)
    assert list(json.loads(text)) == sorted(json.loads(text))
    assert "case_ref" not in text and "case_id" not in text
