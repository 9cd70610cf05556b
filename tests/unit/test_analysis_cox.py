"""Cluster-robust Cox covariance and the proportional-hazards test."""

import numpy as np
from statsmodels.duration.hazard_regression import PHReg

from teichaku.analysis.cox import cluster_robust_cov, score_residuals
from teichaku.analysis.diagnostics import ph_test


def _data(seed, n=300, early_censored=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    time = np.round(rng.exponential(1 / np.exp(x @ [0.5, -0.3, 0.1])), 1) + 0.1
    status = (rng.random(n) < 0.7).astype(float)
    if early_censored:
        time[0], status[0] = 0.01, 0.0  # censored before the first event
    groups = rng.integers(0, 15, n)
    return time, status, x, groups


def test_matches_statsmodels_sandwich_where_statsmodels_is_defined():
    time, status, x, groups = _data(1)
    model = PHReg(time, x, status=status, ties="efron")
    res = model.fit(groups=groups)
    np.testing.assert_allclose(
        score_residuals(time, status, x, res.params), model.score_residuals(res.params), atol=1e-10
    )
    cov = cluster_robust_cov(
        model.hessian(res.params), score_residuals(time, status, x, res.params), groups
    )
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), res.bse, rtol=1e-10)


def test_finite_when_a_case_is_censored_before_the_first_event():
    time, status, x, groups = _data(2, early_censored=True)
    model = PHReg(time, x, status=status, ties="efron")
    res = model.fit(groups=groups)
    assert np.isnan(res.bse).all()  # statsmodels 0.15: NaN score residual poisons the sum
    scores = score_residuals(time, status, x, res.params)
    assert np.all(scores[0] == 0)
    cov = cluster_robust_cov(model.hessian(res.params), scores, groups)
    assert np.all(np.isfinite(cov)) and np.all(np.diag(cov) > 0)


def test_robust_equals_model_based_without_clustering_asymptotically():
    # One cluster per case: the sandwich and the inverse information agree roughly.
    time, status, x, _ = _data(3, n=1500)
    model = PHReg(time, x, status=status, ties="efron")
    res = model.fit()
    cov = cluster_robust_cov(
        model.hessian(res.params), score_residuals(time, status, x, res.params), np.arange(1500)
    )
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), res.bse, rtol=0.1)


def _ph_p_values(beta_late, seed=4, n=1500):
    """A binary covariate whose log hazard ratio is 0 before t = 1 and beta_late after."""
    rng = np.random.default_rng(seed)
    x = (rng.random(n) < 0.5).astype(float)
    t1 = rng.exponential(1.0, n)
    late = rng.exponential(1 / np.exp(beta_late * x))
    time = np.round(np.where(t1 < 1, t1, 1 + late), 2)  # few distinct times: fast fits
    status = np.ones(n)
    model = PHReg(time, x[:, None], status=status, ties="efron")
    res = model.fit()
    events = status == 1
    naive = np.linalg.inv(-model.hessian(res.params))
    _, _, p, _, global_p = ph_test(res.schoenfeld_residuals[events], time[events], naive)
    return p[0], global_p


def test_ph_test_flags_a_time_varying_effect_and_not_a_constant_one():
    p_ok, _ = _ph_p_values(0.0)
    p_bad, g_bad = _ph_p_values(1.5)
    assert p_ok > 0.01
    assert p_bad < 1e-6 and g_bad < 1e-6


def test_stratified_scores_match_statsmodels_and_solve_the_score_equation():
    from teichaku.analysis.models.cox import _stratified_scores

    time, status, x, groups = _data(3, n=400)
    strata = groups % 4
    model = PHReg(time, x, status=status, ties="efron", strata=strata)
    res = model.fit(groups=groups)
    scores = _stratified_scores(time, status, x, res.params, strata)
    np.testing.assert_allclose(scores, model.score_residuals(res.params), atol=1e-10)
    # Breslow-type residuals at the Efron MLE: the score sums to about zero, not exactly.
    assert np.abs(scores.sum(axis=0)).max() < 0.05 * np.abs(scores).sum(axis=0).max()
    cov = cluster_robust_cov(model.hessian(res.params), scores, groups)
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), res.bse, rtol=1e-10)
    # Ignoring the strata gives other residuals: the risk sets differ.
    assert not np.allclose(scores, _stratified_scores(time, status, x, res.params, None))
