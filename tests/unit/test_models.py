"""Models of prolonged involvement: all declared models fit, report n / events / clusters,
name and label their terms, survive broken specs, and recover the synthetic truth."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.fit import COEFFICIENT_COLUMNS, fit_model, tidy
from teichaku.analysis.outputs import DIAGNOSTIC_COLUMNS
from teichaku.analysis.run import run_models
from teichaku.analysis.specs import ModelSpec, Settings, load_analysis_spec
from teichaku.codebook import load_codebook
from tests.unit.analysis_cases import BARRIERS, make_tables

pytestmark = pytest.mark.slow  # the module's fixtures take seconds

SETTINGS = Settings(mice_imputations=3, mice_burn_in=2)


@pytest.fixture(scope="module")
def spec(root):
    return load_analysis_spec(
        root / "config" / "models.yaml", list(SETTINGS.thresholds), load_codebook()
    )


@pytest.fixture(scope="module")
def tables():
    return make_tables(n=800, n_centers=16, seed=11)


@pytest.fixture(scope="module")
def analysis(spec, tables):
    roster, cases, _ = tables
    return build_analysis_dataset(cases, roster, spec, list(SETTINGS.thresholds), load_codebook())


@pytest.fixture(scope="module")
def results(spec, analysis, tables):
    return run_models(analysis, tables[2], spec, SETTINGS, load_codebook())


def test_every_declared_model_fits_and_reports_its_sample(spec, analysis, results):
    coef, diag, texts = results
    assert list(coef.columns) == COEFFICIENT_COLUMNS
    assert list(diag.columns) == DIAGNOSTIC_COLUMNS
    assert set(coef["model"]) == {m.name for m in spec.models}
    assert set(texts) == {m.name for m in spec.models}
    assert not (diag["status"] == "error").any(), diag[diag["status"] == "error"]
    assert coef[["n", "n_events", "n_clusters"]].notna().all().all()
    case_models = coef[~coef["model"].str.startswith("centers_")]
    assert (case_models["n_clusters"] == analysis["center_id"].nunique()).all()
    primary = coef[coef["model"] == "cox_transition"]
    complete = analysis.dropna(subset=["iq_10", "age_10", "prison_admissions", *BARRIERS])
    assert primary["n"].iloc[0] == len(complete)
    assert primary["n_events"].iloc[0] == (complete["event_type"] == "transition").sum()
    assert (primary["scale"] == "HR").all() and (primary["se_type"] == "cluster_robust").all()
    assert "coordination[general]" in set(primary["term"])
    assert set(BARRIERS) <= set(primary["term"])
    ok = coef.dropna(subset=["conf_low"])
    assert ((ok["conf_low"] <= ok["estimate"]) & (ok["estimate"] <= ok["conf_high"])).all()


def test_center_model_states_its_number_of_centers(spec, analysis, results, tables):
    coef, _, texts = results
    center = coef[coef["model"] == "centers_reasons_prolonged_12"]
    assert (center["n"] == len(tables[2])).all()
    assert f"n: {len(tables[2])}" in texts["centers_reasons_prolonged_12"]
    # An awareness row of a center without cases cannot inform a share: left out and said so.
    awareness = pd.concat(
        [tables[2], tables[2].iloc[[0]].assign(center_id="C48")], ignore_index=True
    )
    only = dataclasses.replace(spec, models=(spec.model("centers_reasons_prolonged_12"),))
    coef2, diag2, _ = run_models(analysis, awareness, only, SETTINGS, load_codebook())
    assert (coef2["n"] == len(tables[2])).all()
    sample = diag2.loc[diag2["check"] == "sample", "message"].iloc[0]
    assert f"n = {len(tables[2])} centers" in sample and "1 without" in sample


def test_mixed_model_reports_the_center_sd(results):
    coef, diag, _ = results
    sd = coef[(coef["model"] == "mixed_prolonged_12") & (coef["term"] == "sd(center_id)")]
    assert len(sd) == 1 and sd["scale"].iloc[0] == "SD"
    assert sd["label_en"].iloc[0] != "sd(center_id)"
    # These cases have no center effect: the ML estimate is at the boundary 0 (a singular
    # fit, as glmer reports it), without an interval, and the convergence check says so.
    assert sd["estimate"].iloc[0] == 0 and np.isnan(sd["conf_low"].iloc[0])
    check = diag[(diag["model"] == "mixed_prolonged_12") & (diag["check"] == "convergence")]
    assert check["status"].iloc[0] == "warning" and "singular" in check["message"].iloc[0]


def test_diagnostics_include_ph_vif_and_events_per_variable(results):
    _, diag, _ = results
    cox = diag[diag["model"] == "cox_transition"]
    ph = cox[cox["check"] == "proportional_hazards"]
    assert "GLOBAL" in set(ph["term"]) and set(BARRIERS) <= set(ph["term"])
    assert ph["p_value"].between(0, 1).all()
    assert {"variance_inflation_factor", "events_per_variable", "convergence"} <= set(cox["check"])


def test_labels_are_filled_from_the_codebook(results):
    coef, _, _ = results
    cb = load_codebook()
    row = coef[
        (coef["model"] == "cox_transition") & (coef["term"] == "barrier_no_stable_service")
    ].iloc[0]
    assert row["label_ja"] == cb.variable("cases", "barrier_no_stable_service").label_ja
    assert (coef["label_ja"] != coef["term"]).all()


def test_multiple_imputation_uses_more_cases_and_is_reproducible(spec, analysis, results):
    from teichaku.analysis.dataset import key_independent_order

    mice = spec.model("cox_transition_mice")
    # run_models fits on the rows in their key-independent order (imputation draws per row)
    est, _, info = fit_model(mice, key_independent_order(analysis), SETTINGS)
    earlier = results[0][results[0]["model"] == mice.name]
    np.testing.assert_allclose(np.log(earlier["estimate"].to_numpy()), est.params, rtol=1e-12)
    primary = results[0][results[0]["model"] == "cox_transition"]
    assert info["n"] == len(analysis) > primary["n"].iloc[0]
    assert est.se_type.startswith("rubin")


def test_broken_specs_are_reported_and_the_others_still_run(spec, analysis, tables):
    good = spec.model("cox_transition")
    broken = [
        dataclasses.replace(good, name="constant_term", where="barrier_no_stable_service"),
        dataclasses.replace(good, name="no_events", where="event_type != 'transition'"),
        dataclasses.replace(good, name="unknown_variable", formula="age_10 + shoe_size"),
        dataclasses.replace(good, name="bad_query", where="age_10 >>> 3"),
        ModelSpec(
            name="logit_empty",
            type="logit",
            outcome="prolonged_12",
            formula="age_10",
            cluster="center_id",
            where="age_10 > 200",
            label_ja="空",
            label_en="empty",
        ),
    ]
    bad_spec = dataclasses.replace(spec, models=(*broken, good))
    coef, diag, texts = run_models(analysis, tables[2], bad_spec, SETTINGS, load_codebook())
    assert set(coef["model"]) == {"cox_transition"}
    errors = diag[diag["status"] == "error"].set_index("model")["message"]
    assert set(errors.index) == {b.name for b in broken}
    assert "constant" in errors["constant_term"]
    assert "no events" in errors["no_events"]
    assert "shoe_size" in errors["unknown_variable"]
    assert "empty" in errors["logit_empty"]
    assert "not fitted" in texts["bad_query"]


def test_outputs_are_deterministic(spec, analysis, tables, results):
    subset = dataclasses.replace(
        spec, models=(spec.model("cox_transition"), spec.model("mixed_prolonged_12"))
    )
    coef, diag, _ = run_models(analysis, tables[2], subset, SETTINGS, load_codebook())
    again, diag2, _ = run_models(analysis, tables[2], subset, SETTINGS, load_codebook())
    assert coef.to_csv() == again.to_csv() and diag.to_csv() == diag2.to_csv()
    full = results[0][results[0]["model"].isin(["cox_transition", "mixed_prolonged_12"])]
    pd.testing.assert_frame_equal(coef, full.reset_index(drop=True))


def _synthetic_analysis(spec, cases, roster):
    return build_analysis_dataset(cases, roster, spec, list(SETTINGS.thresholds), load_codebook())


def test_primary_model_recovers_the_synthetic_truth(spec):
    from teichaku.published import load_published
    from teichaku.synthetic import generate_survey, load_synthetic_config

    survey = generate_survey(load_synthetic_config(), load_published("config/published-2021.yaml"))
    truth = survey.truth["hazard_ratios"]["transition"]
    primary = spec.model("cox_transition")
    a = _synthetic_analysis(spec, survey.cases, survey.roster)
    est, _, info = fit_model(primary, a, SETTINGS)
    table = tidy(primary, est, info, SETTINGS).set_index("term")
    for term in BARRIERS:
        low, high = table.loc[term, "conf_low"], table.loc[term, "conf_high"]
        assert low <= truth[term] <= high, (term, low, truth[term], high)


@pytest.mark.slow
def test_barrier_intervals_cover_the_truth_about_95_percent(spec):
    from teichaku.synthetic import Design, load_synthetic_config, simulate_cases

    cb = load_codebook()
    design = Design.from_config(load_synthetic_config(), cb, n_cases=2783, n_centers=46)
    truth = {t: float(np.exp(b)) for t, b in design.log_hr["stable"].items()}
    primary = spec.model("cox_transition")
    covered = []
    for seed in range(20):
        cases = simulate_cases(design, np.random.default_rng(seed), cb)
        ids = sorted(cases["center_id"].unique())
        roster = pd.DataFrame(
            {
                "center_id": ids,
                "operator": pd.Categorical(
                    [spec.reference_levels["operator"]] * len(ids),
                    categories=cb.variable("roster", "operator").codes,
                ),
                "member": pd.array([True] * len(ids), dtype="boolean"),
            }
        )
        a = _synthetic_analysis(spec, cases, roster)
        est, _, info = fit_model(primary, a, SETTINGS)
        table = tidy(primary, est, info, SETTINGS).set_index("term")
        covered += [
            table.loc[t, "conf_low"] <= truth[t] <= table.loc[t, "conf_high"] for t in BARRIERS
        ]
    coverage = float(np.mean(covered))
    # 80 intervals: at a true 95% the observed share falls below 0.85 with probability < 1e-4.
    assert coverage >= 0.85, coverage


def test_rubin_rules_combine_within_and_between_variance():
    from teichaku.analysis.fit import Estimates, _rubin

    a = Estimates(["x"], np.array([1.0]), np.array([0.2]), "model")
    b = Estimates(["x"], np.array([1.4]), np.array([0.4]), "model")
    out = _rubin([a, b], n=50)
    # W = (0.04 + 0.16) / 2 = 0.1, B = var(1.0, 1.4) = 0.08, T = W + 1.5 B = 0.22
    assert out.params[0] == pytest.approx(1.2)
    assert out.bse[0] == pytest.approx(np.sqrt(0.22))
    # Barnard-Rubin with complete-data df 50 - 1 coefficient
    lam = 1.5 * 0.08 / 0.22
    df_old, df_obs = 1 / lam**2, 50 / 52 * 49 * (1 - lam)
    assert out.df[0] == pytest.approx(df_old * df_obs / (df_old + df_obs))
    assert out.df[0] < df_old  # classical Rubin's df overstates the information
    same = _rubin([a, a], n=10**9)
    assert same.bse[0] == pytest.approx(0.2)
    table = tidy(
        ModelSpec(name="m", type="logit", outcome="y", formula="x", label_ja="", label_en=""),
        same,
        {"n": 1, "n_events": 1, "n_clusters": 1},
        SETTINGS,
    )
    # identical imputations and a huge sample: the t interval is the normal one
    assert table["conf_high"].iloc[0] == pytest.approx(np.exp(1.0 + 1.959964 * 0.2))


def test_interaction_terms_are_named_per_factor(spec, analysis):
    model = dataclasses.replace(
        spec.model("logit_prolonged_12"),
        name="interaction",
        formula="barrier_no_stable_service * coordination",
    )
    est, _, info = fit_model(model, analysis, SETTINGS)
    terms = tidy(model, est, info, SETTINGS)["term"].tolist()
    assert "barrier_no_stable_service:coordination[general]" in terms


def test_nelson_aalen_hand_computed():
    from teichaku.analysis.fit import nelson_aalen

    time = np.array([1.0, 2.0, 2.0, 3.0, 5.0])
    event = np.array([1, 1, 0, 0, 1])
    # H(1) = 1/5, H(2) = 1/5 + 1/4, H(3) = H(2), H(5) = H(2) + 1/1
    np.testing.assert_allclose(nelson_aalen(time, event), [0.2, 0.45, 0.45, 0.45, 1.45])


def test_separation_and_non_convergence_are_flagged(spec, analysis, tables):
    logit = dataclasses.replace(
        spec.model("logit_prolonged_12"), name="separated", formula="age_10 + prolonged_6"
    )  # prolonged_6 = 0 => 12 = 0
    cox = dataclasses.replace(
        spec.model("cox_transition"), name="cox_separated", formula="age_10 + ended"
    )  # open cases never have the event
    models = dataclasses.replace(spec, models=(logit, cox, spec.model("logit_prolonged_12")))
    _, diag, _ = run_models(analysis, tables[2], models, SETTINGS, load_codebook())
    for name, term in (("separated", "prolonged_6"), ("cox_separated", "ended")):
        rows = diag[diag["model"] == name]
        assert (rows["status"] != "ok").any()
        flagged = rows[rows["check"] == "separation"]
        assert term in set(flagged["term"]) and (flagged["status"] == "warning").all()
    assert (diag.loc[diag["model"] == "logit_prolonged_12", "status"] == "ok").all()
