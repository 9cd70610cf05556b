"""Logistic regression (binomial GLM, logit link) by IRLS on a design built once, as
statsmodels' ``GLM(family=Binomial()).fit()`` computes it: the same starting values
(mu = (y + 1/2) / 2), the same stopping rule (an absolute change of the deviance of at most
``tol`` between iterations), the same clipping of probabilities at machine epsilon, the same
warning on perfect prediction, and the cluster sandwich of ``cov_type="cluster"`` (scores
summed within clusters, the inverse Hessian on both sides, no small-sample factor).

Each IRLS step solves for the change of the coefficients (not for the coefficients), so the
converged estimates are the root of the score to rounding: they equal statsmodels' to about
1e-13 relative on the survey. Without statsmodels: importing its GLM costs each model's job
about 1.2 s of CPU, several times the fit.

Binary outcomes have ``trials`` 1; counts (successes out of ``trials``) enter as the share of
successes with ``trials`` as weights, as statsmodels' two-column ``endog`` does.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

FLOAT_EPS = np.finfo(float).eps


class PerfectSeparationWarning(UserWarning):
    """Every fitted probability equals its outcome: the estimates run off to infinity. Named
    as statsmodels' warning of the same meaning (the diagnostics show the class name)."""


@dataclass
class LogisticFit:
    """The converged IRLS iterate and what the covariances need."""

    params: np.ndarray
    mu: np.ndarray  # fitted probabilities
    weights: np.ndarray  # IRLS weights of the last step (trials * mu (1 - mu), previous mu)
    converged: bool
    n_iter: int
    X: np.ndarray
    y: np.ndarray  # outcome, or share of successes
    trials: np.ndarray

    @property
    def df_resid(self) -> int:
        return len(self.y) - np.linalg.matrix_rank(self.X)

    def model_cov(self) -> np.ndarray:
        """The inverse information with the last step's weights (statsmodels' ``cov_params``
        of a binomial GLM, scale 1)."""
        return np.linalg.inv(_crossprod(self.X, self.weights))

    def pearson_chi2(self) -> float:
        """Sum of the squared Pearson residuals, trials * (y - mu)^2 / (mu (1 - mu))."""
        return float(np.sum(self.trials * (self.y - self.mu) ** 2 / _variance(self.mu)))

    def cluster_cov(self, groups: np.ndarray) -> np.ndarray:
        """H^-1 S H^-1, S the sum over clusters of the outer products of the summed scores
        (``groups``: codes 0..G-1), H the Hessian at the estimates; no G / (G - 1)."""
        scores = self.X * (self.trials * (self.y - self.mu))[:, None]
        sums = np.zeros((int(groups.max()) + 1, scores.shape[1]))
        np.add.at(sums, groups, scores)
        bread = np.linalg.inv(_crossprod(self.X, self.trials * _variance(self.mu)))
        return bread @ (sums.T @ sums) @ bread


def _crossprod(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    return (X * w[:, None]).T @ X


def _variance(mu: np.ndarray) -> np.ndarray:
    p = np.clip(mu, FLOAT_EPS, 1 - FLOAT_EPS)
    return p * (1 - p)


def _expit(eta: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-eta))


def _deviance(y: np.ndarray, mu: np.ndarray, trials: np.ndarray) -> float:
    """Binomial deviance as statsmodels computes it (ratios clipped at machine epsilon)."""
    ratio = np.clip(y / (mu + 1e-20), FLOAT_EPS, np.inf)
    other = np.clip((1.0 - y) / (1.0 - mu + 1e-20), FLOAT_EPS, np.inf)
    return float(np.sum(2 * trials * (y * np.log(ratio) + (1 - y) * np.log(other))))


def fit_logistic(
    y: np.ndarray,
    X: np.ndarray,
    trials: np.ndarray | None = None,
    *,
    tol: float = 1e-8,
    maxiter: int = 100,
) -> LogisticFit:
    """IRLS from statsmodels' starting values until the deviance changes by at most ``tol``
    (or ``maxiter`` steps: then ``converged`` is False, without a warning, as statsmodels)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    trials = np.ones(len(y)) if trials is None else np.asarray(trials, dtype=float)
    mu = (y + 0.5) / 2
    p = np.clip(mu, FLOAT_EPS, 1 - FLOAT_EPS)
    eta = np.log(p / (1 - p))
    # the starting eta is not X @ params: the first step is the least-squares solve
    params = np.linalg.lstsq(
        X * np.sqrt(trials * _variance(mu))[:, None],
        (eta + (y - mu) / _variance(mu)) * np.sqrt(trials * _variance(mu)),
        rcond=None,
    )[0]
    deviance = _deviance(y, mu, trials)
    converged, n_iter = False, 0
    weights = trials * _variance(mu)
    while True:
        n_iter += 1
        eta = X @ params
        mu = _expit(eta)
        if np.allclose(mu - y, 0):
            warnings.warn(
                "Perfect separation or prediction detected, parameter may not be identified",
                PerfectSeparationWarning,
                stacklevel=2,
            )
        new_deviance = _deviance(y, mu, trials)
        if abs(new_deviance - deviance) <= tol:
            converged = True
            break
        deviance = new_deviance
        if n_iter >= maxiter:
            break
        weights = trials * _variance(mu)
        step = np.linalg.solve(_crossprod(X, weights), X.T @ (trials * (y - mu)))
        params = params + step
    return LogisticFit(params, mu, weights, converged, n_iter, X, y, trials)
