"""The random-intercept logistic model by adaptive Gauss-Hermite quadrature: its likelihood
against direct numerical integration, its score and information against finite differences,
Laplace at one node, the singular (boundary) fit, recovery of a known truth, and the same
maximum from any start and any order of the rows."""

import numpy as np
import pytest
from scipy import integrate
from scipy.special import expit
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM

from teichaku.analysis.mixed import _newton, _Problem, fit_mixed_logit, start_values


def _data(seed, n_clusters=30, size=25, sigma=0.8, beta=(-0.5, 0.7, -0.4)):
    rng = np.random.default_rng(seed)
    codes = np.repeat(np.arange(n_clusters), size)
    X = np.column_stack(
        [np.ones(len(codes)), rng.random(len(codes)) < 0.4, rng.normal(0, 1, len(codes))]
    ).astype(float)
    u = rng.normal(0, sigma, n_clusters)
    y = (rng.random(len(codes)) < expit(X @ np.array(beta) + u[codes])).astype(float)
    return y, X, codes


def _direct_loglik(y, X, codes, beta, sigma):
    """Sum over clusters of log int prod_j p(y_ij | u) phi(u) du by adaptive scipy.quad."""
    total = 0.0
    for g in np.unique(codes):
        rows = codes == g
        eta = X[rows] @ beta

        def integrand(u, eta=eta, yy=y[rows]):
            e = eta + sigma * u
            return np.exp(np.sum(yy * e - np.logaddexp(0, e)) - u**2 / 2) / np.sqrt(2 * np.pi)

        total += np.log(integrate.quad(integrand, -12, 12, epsabs=0, epsrel=1e-12)[0])
    return total


def test_quadrature_likelihood_equals_direct_integration():
    y, X, codes = _data(1)
    theta = np.array([-0.3, 0.5, -0.2, 0.9])
    value = _Problem(y, X, codes, 20).evaluate(theta, 0)
    assert -value == pytest.approx(_direct_loglik(y, X, codes, theta[:-1], theta[-1]), rel=1e-9)
    # with one node the rule is Laplace's approximation: close, but not equal
    laplace = _Problem(y, X, codes, 1).evaluate(theta, 0)
    assert laplace != pytest.approx(value, rel=1e-9) and laplace == pytest.approx(value, rel=1e-2)


def test_score_and_information_equal_finite_differences():
    y, X, codes = _data(2)
    problem = _Problem(y, X, codes, 20)
    theta = np.array([-0.4, 0.6, -0.3, 0.7])
    _, gradient, info = problem.evaluate(theta, 2)
    h = 1e-5
    numeric_grad = np.empty(len(theta))
    numeric_hess = np.empty((len(theta), len(theta)))
    for i in range(len(theta)):
        step = np.zeros(len(theta))
        step[i] = h
        numeric_grad[i] = (
            problem.evaluate(theta + step, 0) - problem.evaluate(theta - step, 0)
        ) / (2 * h)
        numeric_hess[i] = (
            problem.evaluate(theta + step, 1)[1] - problem.evaluate(theta - step, 1)[1]
        ) / (2 * h)
    np.testing.assert_allclose(gradient, numeric_grad, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(info, numeric_hess, rtol=1e-5, atol=1e-5)


@pytest.mark.slow
def test_fit_recovers_a_known_truth_and_is_at_a_maximum():
    beta, sigma = np.array([-0.5, 0.7, -0.4]), 0.8
    estimates, sigmas, covered = [], [], []
    for seed in range(8):
        y, X, codes = _data(10 + seed, n_clusters=60, size=40, sigma=sigma, beta=beta)
        fit = fit_mixed_logit(y, X, codes, quadrature_points=20)
        assert fit.converged and not fit.boundary
        estimates.append(fit.params)
        sigmas.append(fit.sigma)
        covered.append(np.abs(fit.params - beta) <= 1.96 * fit.bse)
        # the maximum: the likelihood is lower a small step away in every direction
        problem = _Problem(y, X, codes, 20)
        at = problem.evaluate(np.append(fit.params, fit.sigma), 0)
        for i in range(4):
            for sign in (-1, 1):
                theta = np.append(fit.params, fit.sigma)
                theta[i] += sign * 1e-3
                assert problem.evaluate(theta, 0) > at
    # 8 replicates of 2,400 cases: the mean estimate is within 3 of its Monte Carlo SEs
    mean = np.mean(estimates, axis=0)
    mcse = np.std(estimates, axis=0, ddof=1) / np.sqrt(len(estimates))
    assert np.all(np.abs(mean - beta) < 3 * mcse + 0.02), (mean, mcse)
    assert abs(np.mean(sigmas) - sigma) < 0.1
    assert np.mean(covered) >= 0.75


def test_no_cluster_effect_gives_a_singular_fit_equal_to_logistic_regression():
    y, X, codes = _data(3, sigma=0.0)
    # a data set with clearly no between-cluster variation: shuffle the clusters
    codes = np.random.default_rng(0).permutation(codes)
    fit = fit_mixed_logit(y, X, codes)
    glm = GLM(y, X, family=Binomial()).fit()
    assert fit.boundary and fit.converged
    assert fit.sigma == 0 and np.isnan(fit.sigma_se) and np.isnan(fit.log_sigma_se)
    np.testing.assert_allclose(fit.params, glm.params, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(fit.bse, glm.bse, rtol=1e-5)


def test_bad_quadrature_points_are_refused():
    y, X, codes = _data(4)
    with pytest.raises(ValueError, match="quadrature_points"):
        fit_mixed_logit(y, X, codes, quadrature_points=0)


def test_the_same_maximum_from_far_starts_and_in_any_row_order():
    """Newton from the logistic start, from sigma far too large (where the information is
    not positive definite) and from a negative sigma (the mirror root) reach the same
    maximum; shuffling the rows and renumbering the clusters changes nothing but rounding."""
    y, X, codes = _data(6, n_clusters=40, size=30, sigma=0.6)
    fit = fit_mixed_logit(y, X, codes)
    assert fit.converged and fit.iterations <= 10
    start = start_values(y, X, codes)
    assert 0.1 <= start[-1] and np.all(np.isfinite(start))
    far = np.append(np.zeros(X.shape[1]), 4.0)
    assert np.any(np.linalg.eigvalsh(_Problem(y, X, codes, 20).evaluate(far, 2)[2]) < 0)
    for theta in (far, np.append(start[:-1], -start[-1])):
        other = fit_mixed_logit(y, X, codes, start=theta)
        assert other.converged
        np.testing.assert_allclose(other.params, fit.params, rtol=0, atol=1e-7)
        assert other.sigma == pytest.approx(fit.sigma, abs=1e-7)
        np.testing.assert_allclose(other.bse, fit.bse, rtol=1e-6)
    order = np.random.default_rng(1).permutation(len(y))
    renumbered = (codes * 7 + 3) % 40  # another numbering of the same 40 clusters
    shuffled = fit_mixed_logit(y[order], X[order], renumbered[order])
    np.testing.assert_allclose(shuffled.params, fit.params, rtol=0, atol=1e-7)
    np.testing.assert_allclose(shuffled.bse, fit.bse, rtol=1e-6)
    assert shuffled.loglik == pytest.approx(fit.loglik, rel=1e-12)


def test_near_a_maximum_a_step_that_shrinks_the_gradient_is_taken():
    """Within the rounding of the likelihood a Newton step need not raise it: near the
    maximum (positive definite information, a small gradient) the step is taken when it
    shrinks the gradient, so that the fit ends converged (where scipy's trust-exact
    reported 'A bad approximation caused failure to predict improvement')."""
    y, X, codes = _data(6, n_clusters=40, size=30, sigma=0.6)
    fit = fit_mixed_logit(y, X, codes)
    problem = _Problem(y, X, codes, 20)
    calls = []

    class Drifting:
        """The likelihood with a drift of 1e-9 per evaluation: no step raises it."""

        def evaluate(self, theta, derivatives):
            calls.append(1)
            value, *rest = problem.evaluate(theta, derivatives)
            return (value + 1e-9 * len(calls), *rest)

    start = np.append(fit.params, fit.sigma) + 1e-6
    gtol = 1e-8 * len(y)
    assert np.max(np.abs(problem.evaluate(start, 1)[1])) > gtol
    theta, *_, converged, message = _newton(Drifting(), start, gtol, max_iter=20)
    assert converged, message
    # the same maximum (fit stopped within its gradient tolerance: about 1e-7 away)
    np.testing.assert_allclose(theta, np.append(fit.params, fit.sigma), rtol=0, atol=1e-6)
