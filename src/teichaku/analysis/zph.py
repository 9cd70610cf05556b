"""The proportional-hazards score test of survival >= 3.0's ``cox.zph``.

For each term the test is the score test, at the fitted Cox model, of adding the interaction
of the term's covariates with g(t), a transform of time; the global test adds them all.
With gamma the coefficients of x * g(t), the score U_gamma = sum over event times of
g(t) x (the event time's contribution to the score) is tested against the information of the
extended model at (beta-hat, gamma = 0), whose blocks are the event times' contributions to
the Cox information times 1, g(t) and g(t)^2:

    chi2 = u' I^-1 u,   u = (0, U_gamma),   I = [[I, I_g], [I_g, I_gg]].

Like ``cox.zph``, g is centered at its mean over the event rows, and the test is per term
(a factor with k levels: one test on k - 1 df). Transforms: identity, log, rank (average
ranks of all rows' times) and km (1 minus the left-continuous Kaplan-Meier estimate of the
fitted event, all rows, unweighted). This replaces the approximate test of survival < 3.0,
which divided by a single averaged variance instead of the information.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from teichaku.analysis import distributions
from teichaku.analysis.coxph import CoxFit, RiskSets, information

TRANSFORMS = ("identity", "log", "km", "rank")


@dataclass(frozen=True)
class ZphTest:
    terms: list[str]
    chisq: np.ndarray
    df: np.ndarray
    p: np.ndarray
    global_chisq: float
    global_df: int
    global_p: float


def time_transform(rs: RiskSets, transform: str) -> np.ndarray:
    """g(time) of every row, before centering."""
    times = rs.stop
    if transform == "identity":
        return times.copy()
    if transform == "log":
        return np.log(times)
    if transform == "rank":
        return distributions.rankdata(times)
    if transform == "km":
        return 1.0 - _km_left(times, rs.status, rs.entry)
    raise ValueError(f"time transform {transform!r} not in {TRANSFORMS}")


def _km_left(times: np.ndarray, status: np.ndarray, entry: np.ndarray | None) -> np.ndarray:
    """The Kaplan-Meier survival just before each row's time (all rows, one stratum)."""
    event_times = np.unique(times[status == 1])
    sorted_stop = np.sort(times)
    at_risk = len(times) - np.searchsorted(sorted_stop, event_times, side="left")
    if entry is not None:
        at_risk -= len(entry) - np.searchsorted(np.sort(entry), event_times, side="left")
    deaths = np.bincount(
        np.searchsorted(event_times, times[status == 1]), minlength=len(event_times)
    )
    surv = np.concatenate([[1.0], np.cumprod(1.0 - deaths / at_risk)])
    return surv[np.searchsorted(event_times, times, side="left")]


def cox_zph(
    rs: RiskSets,
    fit: CoxFit,
    term_columns: dict[str, list[int]],
    transform: str = "rank",
) -> ZphTest:
    """The test per term (``term_columns`` maps a term name to its columns of the design)
    and globally, at the fit ``fit`` of ``rs``."""
    if transform not in TRANSFORMS:
        raise ValueError(f"time transform {transform!r} not in {TRANSFORMS}")
    g_row = time_transform(rs, transform)
    ev = rs.event_rows
    g_row = g_row - g_row[ev].mean()
    g = np.zeros(rs.n_groups)
    g[rs.group_of_event] = g_row[ev]  # all events of a group share their time
    t = fit.terms
    u = (rs.weights[ev] * g_row[ev]) @ rs.x[ev] - (
        rs.group_mean_weight[rs.term_group] * g[rs.term_group]
    ) @ t.mean
    i11 = information(rs, t)
    i12 = information(rs, t, g)
    i22 = information(rs, t, g * g)
    full = np.block([[i11, i12], [i12.T, i22]])
    p = len(u)
    names = list(term_columns)
    chisq = np.zeros(len(names))
    df = np.zeros(len(names), dtype=int)
    for i, name in enumerate(names):
        cols = list(term_columns[name])
        keep = list(range(p)) + [p + j for j in cols]
        vec = np.concatenate([np.zeros(p), u[cols]])
        chisq[i] = float(vec @ np.linalg.solve(full[np.ix_(keep, keep)], vec))
        df[i] = len(cols)
    vec = np.concatenate([np.zeros(p), u])
    global_chisq = float(vec @ np.linalg.solve(full, vec))
    return ZphTest(
        terms=names,
        chisq=chisq,
        df=df,
        p=distributions.chi2_sf(chisq, df),
        global_chisq=global_chisq,
        global_df=p,
        global_p=float(distributions.chi2_sf(global_chisq, p)),
    )
