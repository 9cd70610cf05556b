"""The Cox engine (teichaku.analysis.coxph) against statsmodels' PHReg, and the properties
its residuals, sandwich and PH test must have. The comparisons with R's coxph and cox.zph
are in tests/crosscheck/."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.hazard_regression import PHReg

from teichaku.analysis import coxph
from teichaku.analysis.zph import TRANSFORMS, cox_zph


def _data(seed, n=300, early_censored=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    time = np.round(rng.exponential(1 / np.exp(x @ [0.5, -0.3, 0.1])), 1) + 0.1  # many ties
    status = (rng.random(n) < 0.7).astype(float)
    if early_censored:
        time[0], status[0] = 0.01, 0.0  # censored before the first event
    groups = rng.integers(0, 15, n)
    entry = np.where(rng.random(n) < 0.3, time * rng.random(n) * 0.9, 0.0)
    return time, status, x, groups, entry


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("layout", ["plain", "strata", "entry", "strata+entry"])
def test_estimates_and_information_equal_statsmodels(ties, layout):
    time, status, x, groups, entry = _data(1, n=400)
    kw = {}
    if "strata" in layout:
        kw["strata"] = groups % 4
    if "entry" in layout:
        kw["entry"] = entry
    rs = coxph.RiskSets.build(time, status, x, ties=ties, **kw)
    fit = coxph.fit(rs)
    model = PHReg(time, x, status=status, ties=ties, **kw)
    ref = model.fit()
    assert fit.converged
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fit.loglik, model.loglike(fit.params), rtol=1e-12)
    np.testing.assert_allclose(fit.information, -model.hessian(fit.params), rtol=1e-10)
    np.testing.assert_allclose(fit.terms.score, model.score(fit.params), atol=1e-9)


def test_breslow_score_residuals_equal_statsmodels():
    time, status, x, _, _ = _data(2)
    rs = coxph.RiskSets.build(time, status, x, ties="breslow")
    fit = coxph.fit(rs)
    model = PHReg(time, x, status=status, ties="breslow")
    np.testing.assert_allclose(
        coxph.score_residuals(rs, fit.terms), model.score_residuals(fit.params), atol=1e-10
    )


@pytest.mark.parametrize("layout", ["plain", "strata", "entry+weights"])
def test_efron_score_residuals_sum_to_the_score_at_any_coefficients(layout):
    time, status, x, groups, entry = _data(3)
    kw = {"strata": groups % 3} if layout == "strata" else {}
    if layout == "entry+weights":
        kw = {"entry": entry, "weights": 0.5 + np.random.default_rng(0).random(len(time))}
    rs = coxph.RiskSets.build(time, status, x, **kw)
    beta = np.array([0.3, -0.2, 0.5])
    t = coxph.terms(rs, beta)
    weighted = coxph.score_residuals(rs, t) * rs.weights[:, None]
    np.testing.assert_allclose(weighted.sum(axis=0), t.score, atol=1e-10)
    # Efron's residuals differ from Breslow's where times are tied
    breslow = coxph.RiskSets.build(time, status, x, ties="breslow", **kw)
    assert not np.allclose(coxph.score_residuals(breslow, coxph.terms(breslow, beta)), weighted)


def test_information_is_minus_the_derivative_of_the_score():
    time, status, x, groups, entry = _data(4)
    rs = coxph.RiskSets.build(time, status, x, entry=entry, strata=groups % 2)
    beta = np.array([0.2, 0.1, -0.4])
    info = coxph.information(rs, coxph.terms(rs, beta))
    h = 1e-6
    numeric = np.column_stack(
        [
            (coxph.terms(rs, beta + h * e).score - coxph.terms(rs, beta - h * e).score) / (2 * h)
            for e in np.eye(3)
        ]
    )
    np.testing.assert_allclose(info, -numeric, rtol=1e-6)


def test_sandwich_is_finite_when_a_case_is_censored_before_the_first_event():
    time, status, x, groups, _ = _data(5, early_censored=True)
    rs = coxph.RiskSets.build(time, status, x)
    fit = coxph.fit(rs)
    scores = coxph.score_residuals(rs, fit.terms)
    assert np.all(scores[0] == 0)
    cov = coxph.sandwich(fit.information, scores, rs.weights, groups)
    assert np.all(np.isfinite(cov)) and np.all(np.diag(cov) > 0)


def test_robust_equals_model_based_roughly_with_one_cluster_per_case():
    time, status, x, _, _ = _data(6, n=1500)
    rs = coxph.RiskSets.build(time, status, x)
    fit = coxph.fit(rs)
    cov = coxph.sandwich(fit.information, coxph.score_residuals(rs, fit.terms), rs.weights)
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), fit.bse, rtol=0.1)


def test_a_start_at_the_estimate_converges_at_once_and_a_runaway_does_not_converge():
    time, status, x, _, _ = _data(7)
    rs = coxph.RiskSets.build(time, status, x)
    fit = coxph.fit(rs)
    again = coxph.fit(rs, start=fit.params)
    assert again.n_iter == 1 and np.allclose(again.params, fit.params, atol=1e-12)
    separated = coxph.RiskSets.build(time, status, np.column_stack([x[:, 0], status]))
    runaway = coxph.fit(separated, max_iter=15)
    assert not runaway.converged and runaway.params[1] > 5


@pytest.mark.parametrize("layout", ["plain", "strata+entry"])
def test_risk_sets_with_other_covariates_fit_as_if_built_afresh(layout):
    """The imputed data sets of a sample share its sorted risk sets: a fit on them is the
    same bits as on risk sets built from scratch."""
    time, status, x, groups, entry = _data(9, n=400)
    kw = {"strata": groups % 4, "entry": entry} if layout != "plain" else {}
    other = x + np.random.default_rng(1).normal(0, 0.3, size=x.shape)
    shared = coxph.RiskSets.build(time, status, x, **kw).with_covariates(other)
    fresh = coxph.RiskSets.build(time, status, other, **kw)
    a, b = coxph.fit(shared), coxph.fit(fresh)
    np.testing.assert_array_equal(a.params, b.params)
    np.testing.assert_array_equal(a.information, b.information)
    np.testing.assert_array_equal(
        coxph.sandwich(a.information, coxph.score_residuals(shared, a.terms), shared.weights),
        coxph.sandwich(b.information, coxph.score_residuals(fresh, b.terms), fresh.weights),
    )
    w = np.random.default_rng(2).random(len(time))
    np.testing.assert_array_equal(shared.risk_sums_x(w), shared.risk_sums(w[:, None] * shared.x))
    with pytest.raises(ValueError, match="one row per row"):
        shared.with_covariates(other[:-1])
    other[3, 1] = np.inf
    with pytest.raises(ValueError, match="finite"):
        shared.with_covariates(other)


def test_bad_input_is_refused_with_a_message():
    time, status, x, _, _ = _data(8, n=20)
    with pytest.raises(ValueError, match="entry < time"):
        coxph.RiskSets.build(time, status, x, entry=time)
    with pytest.raises(ValueError, match="ties"):
        coxph.RiskSets.build(time, status, x, ties="exact")


def _ph_p_values(beta_late, transform, seed=4, n=1500):
    """A binary covariate whose log hazard ratio is 0 before t = 1 and beta_late after."""
    rng = np.random.default_rng(seed)
    x = (rng.random(n) < 0.5).astype(float)
    t1 = rng.exponential(1.0, n)
    late = rng.exponential(1 / np.exp(beta_late * x))
    time = np.round(np.where(t1 < 1, t1, 1 + late), 2) + 0.01
    rs = coxph.RiskSets.build(time, np.ones(n), x[:, None])
    test = cox_zph(rs, coxph.fit(rs), {"x": [0]}, transform)
    return test.p[0], test.global_p


@pytest.mark.parametrize("transform", TRANSFORMS)
def test_ph_test_flags_a_time_varying_effect_and_not_a_constant_one(transform):
    p_ok, g_ok = _ph_p_values(0.0, transform)
    p_bad, g_bad = _ph_p_values(1.5, transform)
    assert p_ok > 0.01 and g_ok == pytest.approx(p_ok)  # one term: global = the term
    assert p_bad < 1e-6 and g_bad < 1e-6


def test_ph_test_of_a_factor_is_one_test_on_its_levels():
    time, status, x, groups, _ = _data(9, n=500)
    level = groups % 3
    X = np.column_stack([x[:, 0], level == 1, level == 2]).astype(float)
    rs = coxph.RiskSets.build(time, status, X)
    fit = coxph.fit(rs)
    test = cox_zph(rs, fit, {"x": [0], "level": [1, 2]})
    assert list(test.df) == [1, 2] and test.global_df == 3
    single = cox_zph(rs, fit, {"x": [0], "a": [1], "b": [2]})
    assert test.chisq[0] == pytest.approx(single.chisq[0])
    assert test.global_chisq == pytest.approx(single.global_chisq)


def _separated_small_sample(seed=27, n=24):
    """24 cases, 7 covariates, one held by every case that never ends (and one more): its
    coefficient runs off to minus infinity, and the information matrix becomes nearly
    singular on the way (with this seed no Newton step, however halved, then improves the
    likelihood: the earlier engine raised there)."""
    rng = np.random.default_rng(seed)
    time = np.round(rng.exponential(size=n) * 12, 1) + 0.1
    status = (rng.random(n) < 0.6).astype(int)
    x = np.column_stack([rng.normal(size=(n, 5)), (rng.random((n, 2)) < 0.2).astype(float)])
    x[:, 5] = np.where(status == 0, 1.0, 0.0)
    x[0, 5] = 0.0
    return time, status, x


def test_a_likelihood_that_cannot_be_improved_ends_not_converged_without_an_error():
    time, status, x = _separated_small_sample()
    fit = coxph.fit(coxph.RiskSets.build(time, status, x))
    assert not fit.converged
    assert np.isfinite(fit.loglik) and fit.loglik >= fit.loglik_null
    assert fit.params[5] < -5  # the separated covariate on its way to minus infinity


def test_a_singular_information_matrix_is_a_convergence_error():
    time, status, x = _separated_small_sample()
    x[:, 6] = 0.0  # a covariate that does not vary
    with pytest.raises(coxph.CoxConvergenceError, match="singular"):
        coxph.fit(coxph.RiskSets.build(time, status, x))


def test_group_sums_are_those_of_add_at_to_the_last_bit():
    """The sums by group add each group's values in row order, as np.add.at does: the
    faster bincount per column changes no fit (the simulation's replicates and the default
    run's estimates stay the same bits)."""
    from teichaku.analysis.coxph import _group_sum

    rng = np.random.default_rng(4)
    for n, groups, k in [(1, 1, 1), (50, 7, 3), (20_000, 900, 9), (5, 12, 2)]:
        g = rng.integers(0, groups, size=n)
        values = rng.normal(size=(n, k)) * 10.0 ** rng.uniform(-8, 8, size=(n, 1))
        expected = np.zeros((groups, k))
        np.add.at(expected, g, values)
        np.testing.assert_array_equal(_group_sum(g, values, groups), expected)
        np.testing.assert_array_equal(
            _group_sum(g, values[:, 0], groups), np.bincount(g, values[:, 0], groups)
        )


def _model_sample(seed: int, n: int = 300):
    from teichaku.analysis.models.base import EVENT_TYPE, TIME

    time, status, x, groups, _ = _data(seed, n=n)
    frame = pd.DataFrame(
        {
            TIME: time,
            EVENT_TYPE: np.where(status == 1, "transition", "censored"),
            "center": [f"c{g}" for g in groups % 6],
        }
    )
    return frame, pd.DataFrame(x, columns=["a", "b", "c"])


@pytest.mark.parametrize("differs", [None, "time", "event", "center"])
def test_the_model_reuses_sorted_risk_sets_only_for_the_same_times_events_and_groups(differs):
    """Estimates.reuse is only ever a shortcut: given the first imputed copy's risk sets, a
    fit on another sample (other times, events or centers) is the fit built afresh."""
    from teichaku.analysis.models import cox
    from teichaku.analysis.specs import ModelSpec, Settings

    spec = ModelSpec(
        name="m", type="cox", formula="a + b + c", label_ja="", label_en="",
        event="transition", cluster="center", strata="center",
    )  # fmt: skip
    frame, X = _model_sample(11)
    first = cox.fit(spec, frame, X, Settings(), checks=False)
    other_frame, other_X = frame.copy(), X + 0.25
    if differs == "time":
        other_frame[cox.TIME] = other_frame[cox.TIME] * 1.5 + np.arange(len(frame)) % 3
    elif differs == "event":
        other_frame.loc[::7, cox.EVENT_TYPE] = "censored"
    elif differs == "center":
        other_frame["center"] = np.roll(other_frame["center"].to_numpy(), 5)
    reused = cox.fit(spec, other_frame, other_X, Settings(), checks=False, reuse=first.reuse)
    fresh = cox.fit(spec, other_frame, other_X, Settings(), checks=False)
    np.testing.assert_array_equal(reused.params, fresh.params)
    np.testing.assert_array_equal(reused.bse, fresh.bse)
    assert (reused.reuse is first.reuse) == (differs is None)
