"""The Kaplan-Meier estimate, its Greenwood standard error and its median with a confidence
interval, computed as statsmodels' ``SurvfuncRight`` computes them (the same steps, so the
same floats: tested), without importing statsmodels, which costs the curves' and the
numbers' jobs about a second each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from teichaku.analysis import distributions


@dataclass(frozen=True)
class Survival:
    """The estimate at each time an event occurred."""

    times: np.ndarray
    prob: np.ndarray
    se: np.ndarray
    n_risk: np.ndarray
    n_events: np.ndarray


def survival(time, status) -> Survival:
    """Kaplan-Meier of right-censored ``time`` (``status`` 1: the event, 0: censored)."""
    time, status = np.asarray(time), np.asarray(status)
    if len(time) != len(status):
        raise ValueError("time and status must have the same length")
    utime, rtime = np.unique(time, return_inverse=True)
    d = np.bincount(rtime, weights=status, minlength=len(utime))
    n = np.cumsum(np.bincount(rtime, minlength=len(utime))[::-1])[::-1]
    events = np.flatnonzero(d > 0)
    d, n, utime = d[events], n[events], utime[events]
    sp = 1 - d / n.astype(np.float64)
    zero = sp < 1e-16
    sp[zero] = 1e-16
    sp = np.exp(np.cumsum(np.log(sp)))
    sp[zero] = 0
    # Greenwood's formula
    denom = np.clip(n * (n - d), 1e-12, np.inf)
    se = d / denom.astype(np.float64)
    se[(n == d) | (n == 0)] = np.nan
    se = np.sqrt(np.cumsum(se))
    locs = np.isfinite(se) | (sp != 0)
    se[locs] *= sp[locs]
    se[~locs] = np.nan
    return Survival(utime, sp, se, n, d)


def quantile(fit: Survival, p: float) -> float:
    """The first event time at which the estimate falls below 1 - ``p`` (NaN if never)."""
    below = np.flatnonzero(fit.prob < 1 - p)
    return fit.times[below[0]] if len(below) else np.nan


def quantile_ci(fit: Survival, p: float, alpha: float = 0.05) -> tuple[float, float]:
    """The interval of the ``p`` quantile by inverting z-tests on the log(-log) scale (as SAS
    and statsmodels' ``quantile_ci`` with ``method="cloglog"``); its limits are event times,
    the upper one infinite when the last time is inside."""
    z = distributions.normal_quantile(1 - alpha / 2)
    r = np.log(-np.log(fit.prob)) - np.log(-np.log(1 - p))
    r /= (-1 / (fit.prob * np.log(fit.prob))) * fit.se
    inside = np.flatnonzero(np.abs(r) <= z)
    if len(inside) == 0:
        return np.nan, np.nan
    lower = fit.times[inside[0]]
    upper = np.inf if inside[-1] == len(fit.times) - 1 else fit.times[inside[-1] + 1]
    return lower, upper
