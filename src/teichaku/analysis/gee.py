"""Logistic GEE with an exchangeable working correlation, as statsmodels'
``GEE(family=Binomial(), cov_struct=Exchangeable()).fit(ddof_scale=0)`` computes it, on
arrays: the start at the logistic fit (statsmodels' GLM at its default tolerance), Fisher
scoring steps with the correlation of the step before, the correlation re-estimated from the
Pearson residuals after each step (geepack's moment estimators: sums of squares over N,
cross products over the pairs), the stop once the score's norm falls below ``ctol`` after at
least one update of the correlation, and the robust (sandwich) covariance.

The working covariance of a cluster, diag(s) ((1 - a) I + a J) diag(s), is inverted in closed
form, so every per-cluster product is a sum within clusters: no loop over the clusters.
Without statsmodels: importing its GLM and GEE costs the job about 1.2 s of CPU.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from teichaku.analysis.glm import FLOAT_EPS, fit_logistic


class IterationLimitWarning(UserWarning):
    """The score had not fallen below the tolerance at the last iteration. Named as
    statsmodels' warning of the same meaning (the diagnostics show the class name)."""


@dataclass
class GEEFit:
    params: np.ndarray
    cov: np.ndarray  # robust (sandwich) covariance
    correlation: float  # the exchangeable working correlation
    n_iter: int
    converged: bool


def _group_sums(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    out = np.zeros((n_groups, *values.shape[1:]))
    np.add.at(out, groups, values)
    return out


class _Exchangeable:
    """The fitted means of the current estimates and the solves with the working covariance."""

    def __init__(self, y, X, groups, sizes, params, alpha):
        self.y, self.X, self.groups, self.sizes = y, X, groups, sizes
        eta = X @ params
        self.mu = 1.0 / (1.0 + np.exp(-eta))
        t = np.exp(-eta)
        self.D = X * (t / (1.0 + t) ** 2)[:, None]  # d mu / d beta
        p = np.clip(self.mu, FLOAT_EPS, 1 - FLOAT_EPS)
        self.sdev = np.sqrt(p * (1 - p))
        self.alpha = alpha

    def solve(self, x: np.ndarray) -> np.ndarray:
        """V^-1 x within each cluster, V = diag(s) ((1 - a) I + a J) diag(s)."""
        a, k = self.alpha, self.sizes[self.groups]
        c = a / (1.0 - a) / (1.0 + a * (k - 1))
        x1 = x / (self.sdev if x.ndim == 1 else self.sdev[:, None])
        sums = _group_sums(x1, self.groups, len(self.sizes))[self.groups]
        y = x1 / (1.0 - a) - (c if x.ndim == 1 else c[:, None]) * sums
        return y / (self.sdev if x.ndim == 1 else self.sdev[:, None])

    def bread_and_scores(self) -> tuple[np.ndarray, np.ndarray]:
        """sum D' V^-1 D and the clusters' scores D' V^-1 (y - mu), one row per cluster."""
        vinv_d = self.solve(self.D)
        vinv_r = self.solve(self.y - self.mu)
        scores = _group_sums(self.D * vinv_r[:, None], self.groups, len(self.sizes))
        return self.D.T @ vinv_d, scores

    def correlation(self) -> float:
        """The moment estimate of the exchangeable correlation (ddof 0)."""
        r = (self.y - self.mu) / self.sdev
        ssr = _group_sums(r * r, self.groups, len(self.sizes))
        total = _group_sums(r, self.groups, len(self.sizes))
        scale = ssr.sum() / len(r)
        pairs = 0.5 * self.sizes * (self.sizes - 1)
        return float(np.sum((total**2 - ssr) / 2) / scale / pairs.sum())


def fit_gee(
    y: np.ndarray, X: np.ndarray, groups: np.ndarray, *, maxiter: int = 60, ctol: float = 1e-6
) -> GEEFit:
    """The fit (``groups``: cluster codes 0..G-1)."""
    y, X = np.asarray(y, dtype=float), np.asarray(X, dtype=float)
    sizes = np.bincount(groups).astype(float)
    params = fit_logistic(y, X).params.copy()
    state = _Exchangeable(y, X, groups, sizes, params, 0.0)
    norm, n_updates, n_iter = -1.0, 0, 0
    while n_iter < maxiter:
        n_iter += 1
        bread, scores = state.bread_and_scores()
        score = scores.sum(axis=0)
        params = params + np.linalg.solve(bread, score)
        state = _Exchangeable(y, X, groups, sizes, params, state.alpha)
        norm = float(np.sqrt(np.sum(score**2)))
        if norm < ctol and n_updates > 0:
            break
        state.alpha = state.correlation()
        n_updates += 1
    converged = norm < ctol
    if not converged:
        warnings.warn(
            "Iteration limit reached prior to convergence", IterationLimitWarning, stacklevel=2
        )
    bread, scores = state.bread_and_scores()
    inverse = np.linalg.inv(bread)
    cov = inverse @ (scores.T @ scores) @ inverse
    return GEEFit(params, cov, state.alpha, n_iter, converged)
