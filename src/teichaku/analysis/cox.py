"""Cluster-robust (sandwich) covariance of a Cox model fitted by statsmodels ``PHReg``.

``PHReg.fit(groups=...)`` in statsmodels 0.15 does compute the Huber-White sandwich
H^-1 (sum_g U_g U_g') H^-1 from per-observation score residuals U_i summed within groups
(no small-sample factor, as R's ``coxph(cluster=)``), but it marks the score residual of any
observation that is never at risk at an event time (censored before the first event) as NaN
instead of 0, so with such rows every robust SE is NaN; its Python loop over risk sets is also
slow for repeated fits (multiple imputation). This module computes the same score residuals
(Breslow increments, as statsmodels does), vectorised and with those rows at 0, and the
sandwich around the model's own (Efron) Hessian.
"""

from __future__ import annotations

import numpy as np


def score_residuals(
    time: np.ndarray, status: np.ndarray, exog: np.ndarray, params: np.ndarray
) -> np.ndarray:
    """Per-observation score residuals U_i = d_i (x_i - xbar(T_i))
    - r_i sum_{t_j <= T_i} (x_i - xbar(t_j)) dL0(t_j), with r_i = exp(x_i b),
    xbar(t) the risk-weighted mean of x over the risk set at t and dL0 = d_j / S0(t_j)."""
    time = np.asarray(time, dtype=float)
    status = np.asarray(status, dtype=float)
    exog = np.asarray(exog, dtype=float)
    lp = exog @ params
    risk = np.exp(lp - lp.max())
    order = np.argsort(-time, kind="stable")
    # Cumulative sums from the longest time down give the risk-set sums at every time.
    s0 = np.cumsum(risk[order])
    s1 = np.cumsum(risk[order, None] * exog[order], axis=0)
    event_times = np.unique(time[status == 1])
    # Risk set at t = rows with time >= t = the first k rows of the descending order.
    k = len(time) - np.searchsorted(np.sort(time), event_times, side="left")
    s0_t = s0[k - 1]
    xbar_t = s1[k - 1] / s0_t[:, None]
    deaths = np.bincount(
        np.searchsorted(event_times, time[status == 1]), minlength=len(event_times)
    ).astype(float)
    dhaz = deaths / s0_t
    cum_haz = np.cumsum(dhaz)
    cum_xbar = np.cumsum(xbar_t * dhaz[:, None], axis=0)
    # Index of the last event time <= T_i (-1: none).
    last = np.searchsorted(event_times, time, side="right") - 1
    has = last >= 0
    a = np.where(has, cum_haz[np.maximum(last, 0)], 0.0)
    b = np.where(has[:, None], cum_xbar[np.maximum(last, 0)], 0.0)
    resid = -risk[:, None] * (exog * a[:, None] - b)
    events = status == 1
    resid[events] += exog[events] - xbar_t[last[events]]
    return resid


def cluster_robust_cov(hessian: np.ndarray, scores: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """H^-1 (sum_g U_g U_g') H^-1 with U_g the score residuals summed within group g."""
    codes = np.unique(np.asarray(groups), return_inverse=True)[1]
    summed = np.zeros((codes.max() + 1, scores.shape[1]))
    np.add.at(summed, codes, scores)
    meat = summed.T @ summed
    bread = np.linalg.inv(hessian)
    return bread @ meat @ bread
