"""teichaku.published: published figures computed from clean tables and compared as printed."""

from decimal import Decimal

import pandas as pd
import pytest

from teichaku.published import (
    ITEMS,
    SECTIONS,
    compare_published,
    compute_published,
    compute_valid_n,
    decimals,
    load_published,
    round_half_up,
)


@pytest.fixture(scope="module")
def published(root):
    return load_published(root / "config" / "published-2021.yaml")


def test_items_cover_exactly_the_published_keys(published):
    for section in SECTIONS:
        ours = [i.key for i in ITEMS if i.section == section]
        assert ours == list(published[section])


def test_published_keeps_printed_decimals(published):
    assert published["awareness"]["pct_need_care_manager"] == Decimal("90.0")
    assert decimals(published["awareness"]["pct_need_care_manager"]) == 1
    assert decimals(published["basic_attributes"]["mean_age"]) == 2
    assert decimals(published["survey"]["n_cases"]) == 0
    assert published["survey"]["period_start"] == "2021-10-21"


@pytest.mark.parametrize(
    ("value", "ndigits", "expected"),
    [(2.675, 2, "2.68"), (86.66666, 1, "86.7"), (0.125, 2, "0.13"), (90, 1, "90.0")],
)
def test_round_half_up(value, ndigits, expected):
    assert round_half_up(value, ndigits) == Decimal(expected)


def _tables():
    roster = pd.DataFrame(
        {
            "center_id": ["C01", "C02", "C03"],
            "n_target": pd.array([5, 4, 2], dtype="Int64"),
            "responded": pd.array([True, True, False], dtype="boolean"),
        }
    )
    cases = pd.DataFrame(
        {
            "age": pd.array([60, 70, None, 50], dtype="Int64"),
            "sex": pd.Categorical(["male", "female", "male", None]),
            "coordination": pd.Categorical(["special"] * 4),
            "iq": pd.array([52.5, None, 60.0, 70.0], dtype="Float64"),
            "prison_admissions": pd.array([1, 2, 3, 4], dtype="Int64"),
            "residence_changes": pd.array([0, 0, 1, None], dtype="Int64"),
            "current_residence": pd.Categorical(["own_home", "hospital", None, "own_home"]),
            "welfare": pd.array([True, False, None, True], dtype="boolean"),
        }
    )
    awareness = pd.DataFrame(
        {
            "center_id": ["C01", "C02"],
            **{
                name: pd.array([True, False], dtype="boolean")
                for name in (
                    "need_disability_services",
                    "need_care_manager",
                    "reason_no_agency_cooperation",
                    "reason_no_stable_service",
                    "reason_refuses_other_support",
                    "reason_facility_requests",
                )
            },
        }
    )
    return roster, cases, awareness


def test_compute_published_uses_valid_answers_per_item():
    roster, cases, awareness = _tables()
    values = compute_published(roster, cases, awareness)
    valid = compute_valid_n(roster, cases, awareness)
    s, b, a = values["survey"], values["basic_attributes"], values["awareness"]
    assert s["n_centers_asked"] == 3 and s["n_centers_responded"] == 2
    assert s["pct_centers_responded"] == pytest.approx(200 / 3)
    assert s["n_cases_target"] == 11 and s["n_cases"] == 4
    assert s["period_end"] == "2021-12-07"
    assert b["mean_age"] == pytest.approx(60.0) and valid["basic_attributes"]["mean_age"] == 3
    assert b["pct_male"] == pytest.approx(200 / 3)
    assert b["mean_iq"] == pytest.approx((52.5 + 60 + 70) / 3)
    assert b["pct_current_own_home"] == pytest.approx(200 / 3)
    assert valid["basic_attributes"]["pct_current_hospital"] == 3
    assert b["pct_welfare"] == pytest.approx(200 / 3)
    assert b["pct_special_coordination"] == 100.0
    assert a["n_centers"] == 2 and a["pct_need_care_manager"] == 50.0


def test_compare_published_at_printed_precision(published):
    computed = {s: dict(published[s]) for s in SECTIONS}
    computed["basic_attributes"]["mean_age"] = 56.7149
    computed["awareness"]["pct_need_care_manager"] = 89.96
    computed["basic_attributes"]["pct_male"] = 87.735  # rounds half up to 87.74
    result = {c.key: c for c in compare_published(computed, published)}
    assert result["mean_age"].ok
    assert result["pct_need_care_manager"].ok
    assert not result["pct_male"].ok
    assert result["n_cases"].ok and result["period_start"].ok
