"""Random-intercept logistic model by maximum likelihood with adaptive Gauss-Hermite
quadrature, as ``lme4::glmer(y ~ x + (1 | cluster), family = binomial, nAGQ = k)``.

The model is ``logit P(y_ij = 1) = x_ij' beta + sigma u_i`` with ``u_i ~ N(0, 1)``: lme4's
"spherical" random effect, in which sigma (lme4's theta) enters the linear predictor like a
coefficient, so the likelihood is smooth at sigma = 0 and its derivatives are those of a
logistic regression with one more covariate, ``u_i``.

Each cluster's likelihood ``L_i = int prod_j p(y_ij | u) phi(u) du`` is approximated by
Gauss-Hermite quadrature centred at the conditional mode of ``u_i`` and scaled by the
curvature there (Liu and Pierce 1994; lme4's ``nAGQ > 1``). The nodes are probabilists'
Hermite nodes (weight ``exp(-t^2 / 2)``), so with one node the approximation is Laplace's.

The score and the observed information are the quadrature's approximations of the exact ones
(Louis 1982): score = E[d log f], information = E[-d^2 log f] - Var[d log f], expectations
over each cluster's posterior of ``u_i`` taken with the same nodes. The standard errors of
beta are the square roots of the diagonal of the inverse of the full information matrix in
(beta, sigma), which is what ``vcov(glmer(...))`` reports at ``nAGQ > 1`` (there from a
finite-difference Hessian of the deviance in theta and beta).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse
from scipy.special import expit

#: Newton steps of the conditional modes stop when the largest step is below this.
MODE_TOL = 1e-10
MODE_MAX_ITER = 100
#: A random-intercept SD below this (on the logit scale) is taken as the boundary 0.
SIGMA_BOUNDARY = 1e-4


@dataclass(frozen=True)
class MixedLogitFit:
    """Estimates of the random-intercept logistic model."""

    params: np.ndarray  # fixed effects beta
    bse: np.ndarray  # their standard errors
    sigma: float  # SD of the random intercept (>= 0)
    sigma_se: float  # its standard error (delta method on sigma itself)
    loglik: float  # the quadrature's marginal log-likelihood
    converged: bool
    iterations: int
    quadrature_points: int
    message: str
    boundary: bool = False  # sigma estimated at 0 (a singular fit)

    @property
    def log_sigma_se(self) -> float:
        """SE of log(sigma), for a Wald interval on the log scale (NaN at sigma = 0)."""
        return self.sigma_se / self.sigma if self.sigma > 0 else float("nan")


def hermite_rule(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the k-point rule for the weight exp(-t^2 / 2), the weights
    divided by sqrt(2 pi) so that they integrate the standard normal density to one."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(k)
    return nodes, weights / np.sqrt(2 * np.pi)


class _Problem:
    """The data of one fit, the quadrature rule and the conditional modes (warm-started)."""

    def __init__(self, y: np.ndarray, X: np.ndarray, codes: np.ndarray, k: int) -> None:
        self.y, self.X, self.codes = y, X, codes
        self.G = int(codes.max()) + 1
        self.nodes, self.weights = hermite_rule(k)
        # L_i = s int f(m + s t) dt = s E_phi[f(m + s t) / phi(t)], 1/phi(t) = sqrt(2pi) e^(t^2/2)
        self.log_weights = np.log(self.weights) + self.nodes**2 / 2 + 0.5 * np.log(2 * np.pi)
        self.mode = np.zeros(self.G)
        # cluster x case indicator: per-cluster sums of every column at once
        self.indicator = sparse.csr_matrix(
            (np.ones(len(codes)), (codes, np.arange(len(codes)))), shape=(self.G, len(codes))
        )

    def _sum(self, values: np.ndarray) -> np.ndarray:
        """Per-cluster sums of a vector over cases."""
        return np.bincount(self.codes, weights=values, minlength=self.G)

    def modes(self, beta: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
        """Conditional modes of u_i and the SDs of the Gaussian approximation there (Newton
        on each cluster's strictly concave log density; all clusters at once)."""
        offset = self.X @ beta
        u = self.mode.copy()
        for _ in range(MODE_MAX_ITER):
            p = expit(offset + sigma * u[self.codes])
            grad = sigma * self._sum(self.y - p) - u
            curvature = sigma**2 * self._sum(p * (1 - p)) + 1
            step = grad / curvature
            u += step
            if np.max(np.abs(step)) < MODE_TOL:
                break
        p = expit(offset + sigma * u[self.codes])
        curvature = sigma**2 * self._sum(p * (1 - p)) + 1
        self.mode = u
        return u, 1 / np.sqrt(curvature)

    def evaluate(self, theta: np.ndarray, derivatives: int):
        """Minus the log-likelihood and, with ``derivatives`` >= 1 and 2, its gradient and
        Hessian in theta = (beta, sigma)."""
        beta, sigma = theta[:-1], float(theta[-1])
        mode, scale = self.modes(beta, sigma)
        offset = self.X @ beta
        # u at every node of every cluster: G x k
        u = mode[:, None] + scale[:, None] * self.nodes[None, :]
        eta = offset[:, None] + sigma * u[self.codes]  # n x k
        loglik_case = self.y[:, None] * eta - np.logaddexp(0, eta)
        # per-cluster sums of every node's column at once (the same sums as _sum's)
        log_f = self.indicator @ loglik_case
        log_f += -(u**2) / 2 - 0.5 * np.log(2 * np.pi)
        log_terms = log_f + self.log_weights[None, :]
        top = log_terms.max(axis=1, keepdims=True)
        log_L = np.log(scale) + top[:, 0] + np.log(np.exp(log_terms - top).sum(axis=1))
        value = -float(log_L.sum())
        if derivatives == 0:
            return value
        post = np.exp(log_terms - log_terms.max(axis=1, keepdims=True))
        post /= post.sum(axis=1, keepdims=True)  # posterior weights of the nodes, G x k
        p = expit(eta)
        resid = self.y[:, None] - p  # n x k
        G, k, P = self.G, len(self.nodes), self.X.shape[1] + 1
        # scores of log f at each node: G x k x P (beta part, then sigma part)
        scores = np.empty((G, k, P))
        products = (resid[:, :, None] * self.X[:, None, :]).reshape(len(self.y), -1)
        scores[:, :, :-1] = (self.indicator @ products).reshape(G, k, P - 1)
        scores[:, :, -1] = (self.indicator @ resid) * u
        mean_score = np.einsum("gk,gkp->gp", post, scores)
        gradient = -mean_score.sum(axis=0)
        if derivatives == 1:
            return value, gradient
        # E[-d2 log f]: sum over cases of w p (1 - p) z z' with z = (x, u), w the node weight
        w = post[self.codes] * p * (1 - p)  # n x k
        u_case = u[self.codes]  # n x k
        info = np.empty((P, P))
        wx = w.sum(axis=1)
        info[:-1, :-1] = self.X.T @ (wx[:, None] * self.X)
        cross = (w * u_case).sum(axis=1) @ self.X
        info[:-1, -1] = info[-1, :-1] = cross
        info[-1, -1] = float((w * u_case**2).sum())
        # minus Var[d log f] within each cluster's posterior
        second = np.einsum("gk,gkp,gkr->pr", post, scores, scores)
        info -= second - mean_score.T @ mean_score
        return value, gradient, info


def fit_mixed_logit(
    y: np.ndarray,
    X: np.ndarray,
    codes: np.ndarray,
    quadrature_points: int = 20,
    start: np.ndarray | None = None,
    sigma_start: float = 1.0,
    gtol: float = 1e-8,
    max_iter: int = 200,
) -> MixedLogitFit:
    """Maximum-likelihood fit of the random-intercept logistic model.

    ``codes`` are cluster numbers 0..G-1 of the rows. ``start`` are starting fixed effects
    (default: zero; a GLM fit is a good start); sigma starts at ``sigma_start`` (lme4: 1),
    away from the saddle point at sigma = 0. The likelihood is maximized by a trust-region
    Newton method with the exact (quadrature) gradient and Hessian; ``gtol`` is the largest
    gradient element accepted, per case (the log-likelihood is a sum over cases).
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    codes = np.asarray(codes)
    if quadrature_points < 1:
        raise ValueError("quadrature_points must be at least 1")
    problem = _Problem(y, X, codes, quadrature_points)
    theta0 = np.append(np.zeros(X.shape[1]) if start is None else start, sigma_start)
    # trust-exact asks for the value and gradient, then the Hessian, at the same point:
    # one evaluation serves both.
    last: dict[bytes, tuple] = {}

    def evaluate(theta):
        key = theta.tobytes()
        if key not in last:
            last.clear()
            last[key] = problem.evaluate(theta, 2)
        return last[key]

    res = optimize.minimize(
        lambda t: evaluate(t)[:2],
        theta0,
        jac=True,
        hess=lambda t: evaluate(t)[2],
        method="trust-exact",
        options={"gtol": gtol * len(y), "maxiter": max_iter},
    )
    theta = res.x.copy()
    # The likelihood is symmetric in sigma: report the non-negative root.
    theta[-1] = abs(theta[-1])
    boundary = theta[-1] < SIGMA_BOUNDARY
    if boundary:
        theta[-1] = 0.0
    value, _, info = problem.evaluate(theta, 2)
    with np.errstate(invalid="ignore"):
        if boundary:
            # A singular fit (glmer: "boundary (singular) fit"): sigma = 0 has no Wald
            # interval and the fixed effects' information is the logistic regression's.
            se = np.append(np.sqrt(np.diag(np.linalg.inv(info[:-1, :-1]))), np.nan)
        else:
            se = np.sqrt(np.diag(np.linalg.inv(info)))
    converged = bool(res.success) and bool(np.all(np.isfinite(se[:-1])))
    return MixedLogitFit(
        params=theta[:-1],
        bse=se[:-1],
        sigma=float(theta[-1]),
        sigma_se=float(se[-1]),
        loglik=-value,
        converged=converged,
        iterations=int(res.nit),
        quadrature_points=quadrature_points,
        message=str(res.message),
        boundary=bool(boundary),
    )
