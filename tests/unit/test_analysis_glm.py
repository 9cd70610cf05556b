"""The logistic fit of our own (teichaku.analysis.glm) against statsmodels' GLM, which it
replaces in the model jobs: estimates, model-based and cluster-robust covariances, Pearson
statistic, iterations, convergence and the warning on perfect prediction, on random designs
(binary outcomes with clusters, and counts out of trials)."""

import warnings

import numpy as np
import pytest
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning as SMPerfectSeparation

from teichaku.analysis.glm import PerfectSeparationWarning, fit_logistic
from teichaku.analysis.models.base import GLM_TOL

RTOL = 1e-10


def _design(rng, n, k):
    X = rng.normal(size=(n, k)) * rng.uniform(0.2, 5, k) + rng.uniform(-2, 2, k)
    half = X[:, : k // 2]
    X[:, : k // 2] = half > np.quantile(half, rng.uniform(0.2, 0.8), axis=0)  # as the barriers
    return np.column_stack([np.ones(n), X])


def _outcome(rng, X):
    beta = rng.normal(0, 0.5, X.shape[1]) / np.maximum(1, X.std(axis=0))
    return 1 / (1 + np.exp(-(X @ beta)))


def _same_steps(ours, theirs, trial) -> bool:
    """Whether both stopped after the same number of steps. The stopping rule compares
    deviances of about 1e3 to 1e-12: their last bits (sums in another order) may stop one
    step earlier or later, at the same estimates to rounding."""
    assert abs(ours.n_iter - theirs.fit_history["iteration"]) <= 1, trial
    return ours.n_iter == theirs.fit_history["iteration"]


def test_binary_logistic_fits_are_statsmodels_with_cluster_sandwich():
    rng = np.random.default_rng(21)
    other_steps = 0
    for trial in range(40):
        n, k = int(rng.integers(60, 3000)), int(rng.integers(1, 9))
        X = _design(rng, n, k)
        y = (rng.random(n) < _outcome(rng, X)).astype(float)
        groups = rng.integers(0, int(rng.integers(5, 60)), n)
        groups = np.unique(groups, return_inverse=True)[1]
        theirs = GLM(y, X, family=Binomial()).fit(
            cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}, tol=GLM_TOL
        )
        model = GLM(y, X, family=Binomial()).fit(tol=GLM_TOL)
        ours = fit_logistic(y, X, tol=GLM_TOL)
        assert ours.converged and theirs.converged
        np.testing.assert_allclose(ours.params, theirs.params, rtol=RTOL, atol=1e-13)
        np.testing.assert_allclose(ours.cluster_cov(groups), theirs.cov_params(), rtol=RTOL)
        np.testing.assert_allclose(ours.mu, model.mu, rtol=RTOL)
        # the model-based covariance takes the weights of the step before the last
        same_steps = _same_steps(ours, theirs, trial)
        rtol = RTOL if same_steps else 1e-5
        np.testing.assert_allclose(ours.model_cov(), model.cov_params(), rtol=rtol)
        other_steps += not same_steps
    assert other_steps <= 2


def test_binomial_counts_fits_are_statsmodels_with_pearson_statistic():
    rng = np.random.default_rng(22)
    other_steps = 0
    for trial in range(40):
        n, k = int(rng.integers(10, 400)), int(rng.integers(1, 5))
        X = _design(rng, n, k)
        trials = rng.integers(1, 40, n).astype(float)
        yes = rng.binomial(trials.astype(int), _outcome(rng, X)).astype(float)
        theirs = GLM(np.column_stack([yes, trials - yes]), X, family=Binomial()).fit(tol=GLM_TOL)
        ours = fit_logistic(yes / trials, X, trials, tol=GLM_TOL)
        np.testing.assert_allclose(ours.params, theirs.params, rtol=RTOL, atol=1e-13)
        same_steps = _same_steps(ours, theirs, trial)
        rtol = RTOL if same_steps else 1e-5
        np.testing.assert_allclose(ours.model_cov(), theirs.cov_params(), rtol=rtol)
        other_steps += not same_steps
        assert ours.pearson_chi2() == pytest.approx(theirs.pearson_chi2, rel=RTOL)
        assert ours.df_resid == theirs.df_resid
    assert other_steps <= 2


def test_perfect_prediction_warns_and_an_unfinished_fit_is_not_converged():
    x = np.r_[np.zeros(20), np.ones(20)]
    X, y = np.column_stack([np.ones(40), x]), x.copy()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        theirs = GLM(y, X, family=Binomial()).fit(tol=GLM_TOL)
        ours = fit_logistic(y, X, tol=GLM_TOL)
    ours_w = {str(w.message) for w in caught if w.category is PerfectSeparationWarning}
    theirs_w = {str(w.message) for w in caught if issubclass(w.category, SMPerfectSeparation)}
    assert ours_w and ours_w == theirs_w
    assert ours.n_iter == theirs.fit_history["iteration"]
    assert ours.converged == theirs.converged
    np.testing.assert_allclose(ours.params, theirs.params, rtol=1e-6)

    rng = np.random.default_rng(23)
    X = _design(rng, 500, 3)
    y = (rng.random(500) < _outcome(rng, X)).astype(float)
    short = fit_logistic(y, X, tol=GLM_TOL, maxiter=2)
    theirs = GLM(y, X, family=Binomial()).fit(tol=GLM_TOL, maxiter=2)
    assert not short.converged and not theirs.converged
    np.testing.assert_allclose(short.params, theirs.params, rtol=RTOL)


def test_exchangeable_gee_fits_are_statsmodels_with_moment_estimators():
    from statsmodels.genmod.cov_struct import Exchangeable
    from statsmodels.genmod.generalized_estimating_equations import GEE

    from teichaku.analysis.gee import fit_gee

    rng = np.random.default_rng(24)
    for trial in range(25):
        n, k, G = int(rng.integers(100, 2500)), int(rng.integers(1, 9)), int(rng.integers(5, 60))
        X = _design(rng, n, k)
        groups = np.unique(rng.integers(0, G, n), return_inverse=True)[1]
        shared = rng.normal(0, rng.uniform(0, 1), groups.max() + 1)[groups]  # within-cluster
        p = 1 / (1 + np.exp(-(np.log(_outcome(rng, X) / (1 - _outcome(rng, X))) + shared)))
        y = (rng.random(n) < p).astype(float)
        model = GEE(y, X, groups=groups, family=Binomial(), cov_struct=Exchangeable())
        theirs = model.fit(ddof_scale=0)
        ours = fit_gee(y, X, groups)
        assert ours.n_iter == len(model._fit_history["params"]), trial
        np.testing.assert_allclose(ours.params, theirs.params, rtol=RTOL, atol=1e-13)
        np.testing.assert_allclose(ours.cov, theirs.cov_params(), rtol=RTOL, atol=1e-15)
        alpha = float(np.ravel(model.cov_struct.dep_params)[0])
        assert ours.correlation == pytest.approx(alpha, rel=RTOL, abs=1e-14)
