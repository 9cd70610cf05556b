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

The likelihood is maximized by Newton-Raphson with that information, started where lme4
starts its quadrature fit, at the logistic regression's estimates, and with sigma at a
moment estimate from the logistic regression's residuals (the fixed effects rescaled from
marginal to conditional by sqrt(1 + 0.346 sigma^2), Zeger, Liang and Albert 1988): about
four iterations. Where the information is not positive definite (far from the maximum) the
step uses the absolute values of its eigenvalues; steps are halved until the likelihood
rises enough (Armijo), or, within a thousand times the gradient tolerance of a maximum,
until they shrink the gradient (there the likelihood's changes are at its rounding level;
scipy's trust-exact, used before, ended such fits as failures). The sums over cases of
each cluster at every node are sums over contiguous runs of one array laid out by cluster,
node and case (``_Problem``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import sparse
from scipy.special import expit

#: Newton steps of the conditional modes stop when the largest step is below this.
MODE_TOL = 1e-10
MODE_MAX_ITER = 100
#: A random-intercept SD below this (on the logit scale) is taken as the boundary 0.
SIGMA_BOUNDARY = 1e-4
#: The smallest starting SD: sigma = 0 is a stationary point of the likelihood.
START_SIGMA_MIN = 0.1
#: A Newton step is taken when the log-likelihood rises by this share of its first-order
#: prediction (Armijo); else it is halved, down to MIN_STEP.
ARMIJO = 1e-4
MIN_STEP = 1e-10
#: Within NEAR times the gradient tolerance of a maximum (the information positive
#: definite), a step is also taken when it shrinks the gradient.
NEAR = 1e3


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


@cache
def hermite_rule(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the k-point rule for the weight exp(-t^2 / 2), the weights
    divided by sqrt(2 pi) so that they integrate the standard normal density to one
    (read-only: computed once per k)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(k)
    weights = weights / np.sqrt(2 * np.pi)
    nodes.flags.writeable = weights.flags.writeable = False
    return nodes, weights


class _Problem:
    """The data of one fit, the quadrature rule and the conditional modes (warm-started).

    The cases are sorted by cluster, and the arrays over cases and nodes are laid out by
    cluster, then node, then case: the run of cluster g at node t holds g's cases, so that
    each cluster's sum at every node is a sum over one contiguous run (``np.add.reduceat``)
    and the scores of all clusters and nodes are one sparse product with the design.
    """

    def __init__(self, y: np.ndarray, X: np.ndarray, codes: np.ndarray, k: int) -> None:
        order = np.argsort(codes, kind="stable")
        # clusters numbered 0..G-1 in their order, every one with cases
        self.codes = np.unique(codes[order], return_inverse=True)[1]
        self.y, self.X = y[order], np.ascontiguousarray(X[order])
        self.G = int(self.codes[-1]) + 1 if len(codes) else 0
        self.nodes, self.weights = hermite_rule(k)
        # L_i = s int f(m + s t) dt = s E_phi[f(m + s t) / phi(t)], 1/phi(t) = sqrt(2pi) e^(t^2/2)
        self.log_weights = np.log(self.weights) + self.nodes**2 / 2 + 0.5 * np.log(2 * np.pi)
        self.mode = np.zeros(self.G)
        # the (cluster, node, case) layout: run (g, t) starts at k * first_g + t * n_g
        size = np.bincount(self.codes, minlength=self.G)
        first = np.concatenate([[0], np.cumsum(size)[:-1]])
        runs = (k * first)[:, None] + np.arange(k)[None, :] * size[:, None]  # G x k
        self.run_starts = runs.ravel()
        self.run = np.repeat(np.arange(self.G * k), np.repeat(size, k))  # (g, t) of each
        self.case = np.arange(len(self.run)) - np.repeat(
            self.run_starts - np.repeat(first, k), np.repeat(size, k)
        )
        self.sign = 2 * self.y[self.case] - 1  # y = 1: +1, y = 0: -1
        # (cluster, node) x case: the sums over each run of element x design row
        self.by_run = sparse.csr_matrix(
            (np.ones(len(self.run)), self.case, np.append(self.run_starts, len(self.run))),
            shape=(self.G * k, len(self.y)),
        )

    def _sum(self, values: np.ndarray) -> np.ndarray:
        """Per-cluster sums of a vector over cases."""
        return np.bincount(self.codes, weights=values, minlength=self.G)

    def _run_sums(self, values: np.ndarray) -> np.ndarray:
        """Sums over each (cluster, node) run: G x k."""
        return np.add.reduceat(values, self.run_starts).reshape(self.G, -1)

    def modes(self, offset: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
        """Conditional modes of u_i and the SDs of the Gaussian approximation there (Newton
        on each cluster's strictly concave log density; all clusters at once)."""
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
        offset = self.X @ beta
        mode, scale = self.modes(offset, sigma)
        # u at every node of every cluster: G x k
        u = mode[:, None] + scale[:, None] * self.nodes[None, :]
        # z = (2y - 1) eta: log p(y | eta) = min(z, 0) - log(1 + e^-|z|)
        z = self.sign * (offset[self.case] + (sigma * u).ravel()[self.run])
        e = np.exp(-np.abs(z))
        one_e = 1 + e
        log_f = self._run_sums(np.minimum(z, 0) - np.log(one_e))
        log_f += -(u**2) / 2 - 0.5 * np.log(2 * np.pi)
        log_terms = log_f + self.log_weights[None, :]
        top = log_terms.max(axis=1, keepdims=True)
        post = np.exp(log_terms - top)
        total = post.sum(axis=1)
        log_L = np.log(scale) + top[:, 0] + np.log(total)
        value = -float(log_L.sum())
        if derivatives == 0:
            return value
        post /= total[:, None]  # posterior weights of the nodes, G x k
        resid = self.sign * np.where(z >= 0, e, 1.0) / one_e  # y - p
        G, k, P = self.G, len(self.nodes), self.X.shape[1] + 1
        # scores of log f at each node: G x k x P (beta part, then sigma part)
        scores = np.empty((G, k, P))
        self.by_run.data = resid
        scores[:, :, :-1] = (self.by_run @ self.X).reshape(G, k, P - 1)
        scores[:, :, -1] = self._run_sums(resid) * u
        mean_score = np.einsum("gk,gkp->gp", post, scores)
        gradient = -mean_score.sum(axis=0)
        if derivatives == 1:
            return value, gradient
        # E[-d2 log f]: sum over cases of w p (1 - p) z z' with z = (x, u), w the node weight
        self.by_run.data = e / (one_e * one_e)  # p (1 - p)
        moments = np.stack([post, post * u, post * u**2], axis=2).reshape(G * k, 3)
        weights = self.by_run.T @ moments  # per case: E[p(1-p)], E[p(1-p) u], E[p(1-p) u^2]
        info = np.empty((P, P))
        info[:-1, :-1] = self.X.T @ (weights[:, :1] * self.X)
        info[:-1, -1] = info[-1, :-1] = weights[:, 1] @ self.X
        info[-1, -1] = weights[:, 2].sum()
        # minus Var[d log f] within each cluster's posterior
        flat = scores.reshape(G * k, P)
        second = (flat * post.reshape(-1, 1)).T @ flat
        info -= second - mean_score.T @ mean_score
        return value, gradient, info


def _logistic(y: np.ndarray, X: np.ndarray, max_iter: int = 25) -> np.ndarray:
    """The logistic regression's estimates by Newton-Raphson (IRLS) from zero."""
    beta = np.zeros(X.shape[1])
    for _ in range(max_iter):
        p = expit(X @ beta)
        try:
            step = np.linalg.solve(X.T @ ((p * (1 - p))[:, None] * X), X.T @ (y - p))
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if not np.all(np.isfinite(beta)) or np.max(np.abs(step)) < 1e-8:
            break
    return beta


def start_values(y: np.ndarray, X: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Start of the fit: (beta, sigma) from the logistic regression ignoring the clusters.

    sigma^2 is the moment estimate from the clusters' residual sums r_i = sum_j (y_ij -
    p_ij): E[r_i^2] ~ W_i + sigma^2 W_i^2 with W_i = sum_j p_ij (1 - p_ij) (the model
    linearised in sigma u_i), at least 0.1 (sigma = 0 is a stationary point); beta is
    rescaled from marginal to conditional, times sqrt(1 + 0.346 sigma^2).
    """
    beta = _logistic(y, X)
    if not np.all(np.isfinite(beta)):
        return np.append(np.zeros(X.shape[1]), 1.0)
    p = expit(X @ beta)
    residual = np.bincount(codes, weights=y - p)
    w = np.bincount(codes, weights=p * (1 - p))
    moment = np.sum(residual**2 - w) / np.sum(w**2) if np.sum(w**2) > 0 else 0.0
    sigma = float(np.sqrt(max(moment, START_SIGMA_MIN**2)))
    return np.append(beta * np.sqrt(1 + 0.346 * sigma**2), sigma)


def _newton(problem: _Problem, theta: np.ndarray, gtol: float, max_iter: int):
    """Minimize minus the log-likelihood from ``theta``: (theta, value, gradient,
    information, iterations, converged, message)."""
    value, gradient, info = problem.evaluate(theta, 2)
    for iteration in range(max_iter + 1):
        if np.max(np.abs(gradient)) <= gtol:
            return theta, value, gradient, info, iteration, True, "converged"
        if iteration == max_iter:
            break
        largest = np.max(np.abs(gradient))
        try:
            np.linalg.cholesky(info)
            step = np.linalg.solve(info, gradient)
            # near a maximum the likelihood's changes are at its rounding (and the
            # quadrature's) level: a step is taken when it shrinks the gradient
            near = largest <= NEAR * gtol
        except np.linalg.LinAlgError:  # not positive definite: |eigenvalues|
            eigenvalues, vectors = np.linalg.eigh(info)
            size = np.maximum(np.abs(eigenvalues), 1e-8 * np.max(np.abs(eigenvalues)))
            step = vectors @ ((vectors.T @ gradient) / size)
            near = False
        slope = float(gradient @ step)
        length = 1.0
        while True:
            candidate = theta - length * step
            new = problem.evaluate(candidate, 2)
            if new[0] <= value - ARMIJO * length * slope or (
                near and np.max(np.abs(new[1])) < largest
            ):
                break
            length /= 2
            if length < MIN_STEP:
                message = "the line search found no step that increases the likelihood"
                return theta, value, gradient, info, iteration, False, message
        theta, (value, gradient, info) = candidate, new
    return theta, value, gradient, info, max_iter, False, f"no convergence in {max_iter} steps"


def fit_mixed_logit(
    y: np.ndarray,
    X: np.ndarray,
    codes: np.ndarray,
    quadrature_points: int = 20,
    start: np.ndarray | None = None,
    gtol: float = 1e-8,
    max_iter: int = 200,
) -> MixedLogitFit:
    """Maximum-likelihood fit of the random-intercept logistic model.

    ``codes`` are cluster numbers 0..G-1 of the rows. ``start`` is a starting (beta, sigma)
    (default: :func:`start_values`, from the logistic regression). The likelihood is
    maximized by Newton-Raphson with the quadrature's gradient and information (see the
    module); ``gtol`` is the largest gradient element accepted, per case (the
    log-likelihood is a sum over cases).
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    codes = np.asarray(codes)
    if quadrature_points < 1:
        raise ValueError("quadrature_points must be at least 1")
    problem = _Problem(y, X, codes, quadrature_points)
    theta0 = start_values(y, X, codes) if start is None else np.asarray(start, dtype=float)
    theta, value, _, info, iterations, success, message = _newton(
        problem, theta0, gtol * len(y), max_iter
    )
    theta = theta.copy()
    # The likelihood is symmetric in sigma: report the non-negative root (the SEs' diagonal
    # is the same at either root).
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
    converged = success and bool(np.all(np.isfinite(se[:-1])))
    return MixedLogitFit(
        params=theta[:-1],
        bse=se[:-1],
        sigma=float(theta[-1]),
        sigma_se=float(se[-1]),
        loglik=-value,
        converged=converged,
        iterations=iterations,
        quadrature_points=quadrature_points,
        message=message,
        boundary=bool(boundary),
    )
