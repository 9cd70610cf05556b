"""The synthetic survey's clean tables: sizes, exact calibration, model and truth."""

from collections import Counter

import numpy as np
import pytest

from teichaku.codebook import load_codebook
from teichaku.published import compare_published, compute_published, compute_valid_n
from teichaku.synthetic import Design, generate_survey, load_synthetic_config, simulate_cases
from teichaku.synthetic.calibration import count_for_pct, sum_for_mean

TERMS = [
    "barrier_no_agency_cooperation",
    "barrier_no_stable_service",
    "barrier_refuses_other_support",
    "barrier_facility_requests",
    "age_10",
    "iq_10",
    "prison_admissions",
    "coordination[general]",
]


@pytest.fixture(scope="session")
def synthetic_config():
    return load_synthetic_config()


@pytest.fixture(scope="session")
def published_exact(root):
    from teichaku.published import load_published

    return load_published(root / "config" / "published-2021.yaml")


@pytest.fixture(scope="session")
def survey(synthetic_config, published_exact):
    return generate_survey(synthetic_config, published_exact)


def test_pct_male_needs_fewer_valid_answers_than_rows():
    from decimal import Decimal

    assert count_for_pct(Decimal("87.73"), 2783) is None
    assert count_for_pct(Decimal("72.91"), 2783) == 2029
    assert sum_for_mean(Decimal("56.71"), 2783) == 157824


def test_sizes_as_published(survey, published_exact):
    roster, cases, aware = survey.roster, survey.cases, survey.awareness
    assert len(roster) == 48 and roster["responded"].sum() == 46
    assert roster["n_target"].sum() == 3043
    assert len(cases) == 2783 and len(aware) == 30
    members = roster[roster["member"].to_numpy(dtype=bool)]
    labels = {lv.code: lv.ja for lv in load_codebook().variable("roster", "operator").levels}
    assert Counter(members["operator"].map(labels)) == published_exact["council_members"]
    assert set(cases["center_id"]) == set(
        roster.loc[roster["responded"].to_numpy(dtype=bool), "center_id"]
    )
    per_center = cases.groupby("center_id").size()
    targets = roster.set_index("center_id")["n_target"]
    assert (targets[per_center.index] >= per_center).all()
    assert not cases.duplicated(["center_id", "case_ref"]).any()


def test_every_published_figure_rounds_right(survey, published_exact):
    values = compute_published(survey.roster, survey.cases, survey.awareness)
    valid = compute_valid_n(survey.roster, survey.cases, survey.awareness)
    bad = [c for c in compare_published(values, published_exact, valid) if not c.ok]
    assert bad == []
    assert valid["basic_attributes"]["pct_welfare"] == 2783
    assert valid["basic_attributes"]["pct_male"] < 2783


def test_outcomes_consistent_with_dates_and_residence(survey):
    c = survey.cases
    open_ = c["cohort"] == "r2_continuing"
    assert c.loc[open_, "followup_end"].isna().all() and c.loc[open_, "end_reason"].isna().all()
    assert c.loc[~open_, "followup_end"].notna().all()
    assert (c.loc[~open_, "followup_end"] > c.loc[~open_, "followup_start"]).all()
    assert (c["followup_end"].dropna() < "2021-10-21").all()
    r1 = c["cohort"] == "r1_ended"
    assert (c.loc[r1, "followup_end"] <= "2020-03-31").all()
    death = c["end_reason"] == "death"
    deceased = c["current_residence"] == "deceased"
    warn = survey.truth["warnings"]
    assert (death & ~deceased).sum() == warn["death_not_deceased"]
    assert (deceased & ~death).sum() == warn["deceased_without_death"]
    reincarcerated = c.loc[c["end_reason"] == "reincarceration", "current_residence"].dropna()
    assert (reincarcerated == "prison").all()
    assert (c["followup_start"] < c["release_date"]).sum() == warn["start_before_release"]
    for barrier in TERMS[:4]:
        assert 0.2 <= c[barrier].mean() <= 0.5


def test_plausible_margins(survey):
    c = survey.cases
    assert c["age"].median() > c["age"].mean() - 10 and (c["age"] >= 65).mean() > 0.3
    assert set(c["iq_status"].dropna()) == {"measured", "range", "unmeasurable", "unknown"}
    assert (c.loc[c["iq_status"] == "range", "iq"] % 1 == 0.5).all()
    assert c["prison_admissions"].mean() > c["prison_admissions"].median()
    elderly_care = c.loc[c["age"] >= 65, "care_level"].isin(["care_1", "care_2", "care_3"]).mean()
    younger_care = c.loc[c["age"] < 65, "care_level"].isin(["care_1", "care_2", "care_3"]).mean()
    assert elderly_care > younger_care
    assert c["act_daily_life"].mean() > c["guar_after_death"].mean()
    assert c.loc[c["end_reason"] == "death", "guar_after_death"].mean() > 0.5


def test_truth_names_every_term(survey):
    truth = survey.truth
    assert list(truth["hazard_ratios"]["transition"]) == TERMS
    for term in TERMS[:4]:
        assert 0.55 <= truth["hazard_ratios"]["transition"][term] <= 0.75
    assert truth["frailty"]["sd"] == pytest.approx(0.3)
    assert set(truth["competing_causes"]) == {
        "death",
        "reincarceration",
        "lost",
        "refused",
        "other",
    }
    assert truth["calibration"]["percentages"]["welfare"]["pct_welfare"]["count"] == 2029


def test_same_seed_same_tables(synthetic_config, published_exact, survey):
    again = generate_survey(synthetic_config, published_exact)
    assert again.cases.equals(survey.cases) and again.roster.equals(survey.roster)


def test_simulate_cases_follows_the_design(synthetic_config):
    # its speed is measured in bench/ (simulation timing), not here
    design = Design.from_config(synthetic_config, load_codebook(), n_cases=3000, n_centers=40)
    cases = simulate_cases(design, np.random.default_rng(7))
    assert len(cases) == 3000 and cases["center_id"].nunique() == 40
    no_frailty = design.replace(frailty_sd=0.0).with_hazard_ratios(
        "transition", barrier_no_agency_cooperation=1.0
    )
    assert no_frailty.log_hr["stable"]["barrier_no_agency_cooperation"] == 0.0
    assert no_frailty.log_hr["handover"]["barrier_no_agency_cooperation"] == 0.0


@pytest.mark.slow
def test_simulated_hazard_ratios_are_recovered(synthetic_config):
    import statsmodels.api as sm

    design = Design.from_config(
        synthetic_config, load_codebook(), n_cases=40000, n_centers=100
    ).replace(frailty_sd=0.0)
    cases, latent = simulate_cases(design, np.random.default_rng(3), latent=True)
    end = cases["followup_end"].fillna(np.datetime64("2021-10-21"))
    months = ((end - cases["followup_start"]).dt.days / (365.25 / 12)).to_numpy()
    event = cases["end_reason"].isin(["stable", "handover"]).to_numpy(dtype=int)
    x = np.column_stack(
        [
            *(cases[b].to_numpy(dtype=float) for b in TERMS[:4]),
            cases["age"].to_numpy(dtype=float) / 10,
            latent["iq_true"] / 10,
            cases["prison_admissions"].to_numpy(dtype=float),
            (cases["coordination"] == "general").to_numpy(dtype=float),
        ]
    )
    ok = ~np.isnan(x).any(axis=1)
    fit = sm.PHReg(months[ok], x[ok], status=event[ok]).fit()
    truth = np.array([design.log_hr["stable"][t] for t in TERMS])
    assert np.all(np.abs(fit.params - truth) < 4 * fit.bse + 0.01)
