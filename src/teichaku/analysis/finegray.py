"""The Fine-Gray subdistribution hazard model as a weighted Cox model on split rows.

Fine and Gray (1999) keep a person who ended by a competing event in the risk set of the
event of interest after their end, with a weight G(t-) / G(T-) that falls as the censoring
distribution G says they would have been censored. ``survival::finegray`` writes this as a
counting-process data set: each competing-event row is extended, as rows (start, stop] with
constant weight, between the censoring times that follow it (only the intervals holding an
event of interest are kept: the others add nothing to the likelihood). A Cox fit of those
rows with their weights (:mod:`teichaku.analysis.coxph`) gives the estimates of
``cmprsk::crr``, whose risk-set weights are the same G(t-) / G(T_j-).

The split rows grow with the persons times the event times (about 45 per person on the
survey, more the larger the sample). Every fit therefore computes their sums
without forming them (:func:`fit_unsplit`: cumulative sums over the persons, O(n p^2) per
Newton step); :func:`split_rows` is the data set itself, which the tests compare with
``survival::finegray`` and fit by :mod:`teichaku.analysis.coxph` as the reference the sums
must equal.

G is the Kaplan-Meier estimate of censoring. Where an end of follow-up and a censoring fall
on the same time, the two references differ: ``cmprsk::crr`` estimates G with everyone
followed up to that time at risk of censoring (``survfit(Surv(time, censored))``),
``survival::finegray`` with the ends first (those who ended are no longer at risk). With
follow-up in days many times coincide, and the estimates differ by a few 1e-5 (log scale) on
the survey; ``censoring_ties`` chooses. A model follows the reference whose variance it
reports (:mod:`teichaku.analysis.models.fine_gray`): finegray's with clusters, crr's without.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from teichaku.analysis.coxph import sandwich

#: Codes of how a row ended, as the ``status`` argument below expects them.
CENSORED, EVENT, COMPETING = 0, 1, 2
#: Conventions for G where ends and censorings share a time (see the module docstring).
CENSORING_TIES = ("crr", "finegray")


@dataclass(frozen=True)
class SplitRows:
    """The Fine-Gray rows: the n original rows first, in order, then the added ones.
    ``row`` indexes the original row of each, (start, stop] its
    interval, ``event`` 1 for the original event-of-interest rows, ``weight`` G(t-)/G(T-)
    (1 for rows of people still followed)."""

    row: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    event: np.ndarray
    weight: np.ndarray


def censoring_survival(
    time: np.ndarray, status: np.ndarray, censoring_ties: str = "crr"
) -> tuple[np.ndarray, np.ndarray]:
    """The censoring times and the Kaplan-Meier estimate of G just after each."""
    if censoring_ties not in CENSORING_TIES:
        raise ValueError(f"censoring_ties must be one of {CENSORING_TIES}")
    censor_times, n_censored = np.unique(time[status == CENSORED], return_counts=True)
    sorted_censored = np.sort(time[status == CENSORED])
    sorted_ended = np.sort(time[status != CENSORED])
    # ends at the censoring time itself are at risk of censoring (crr) or not (finegray)
    side = "left" if censoring_ties == "crr" else "right"
    at_risk = (len(sorted_censored) - np.searchsorted(sorted_censored, censor_times, "left")) + (
        len(sorted_ended) - np.searchsorted(sorted_ended, censor_times, side)
    )
    return censor_times, np.cumprod(1.0 - n_censored / at_risk)


def split_rows(time: np.ndarray, status: np.ndarray, censoring_ties: str = "crr") -> SplitRows:
    """The rows of ``survival::finegray`` for right-censored data (``status`` coded
    CENSORED / EVENT / COMPETING; follow-up starting at 0), with G estimated by the
    ``censoring_ties`` convention."""
    time = np.asarray(time, dtype=float)
    status = np.asarray(status)
    n = len(time)
    censor_times, g = censoring_survival(time, status, censoring_ties)
    # Interval j (0-based) is (cut[j-1], cut[j]], weight G at its start (1 for the first).
    cut = np.append(censor_times, time.max())
    prob = np.append(1.0, g)
    n_cut = len(prob)
    event_times = np.unique(time[status == EVENT])
    keep = np.zeros(n_cut, dtype=bool)
    keep[0] = True
    keep[np.searchsorted(cut, event_times, side="left")] = True  # intervals holding events
    competing = np.flatnonzero(status == COMPETING)
    first = np.searchsorted(cut, time[competing], side="left")  # interval holding T
    stop = time.copy()
    stop[competing] = cut[first]
    kept = np.flatnonzero(keep)
    # every kept interval after each competing row's own: (cut[j-1], cut[j]], G(j)/G(first)
    starts = np.searchsorted(kept, first, side="right")
    counts = len(kept) - starts
    owner = np.repeat(np.arange(len(competing)), counts)
    offset = np.cumsum(counts) - counts
    j = kept[starts[owner] + np.arange(counts.sum()) - offset[owner]]
    rows = competing[owner]
    return SplitRows(
        row=np.concatenate([np.arange(n), rows]),
        start=np.concatenate([np.zeros(n), cut[j - 1]]),
        stop=np.concatenate([stop, cut[j]]),
        event=np.concatenate([(status == EVENT).astype(float), np.zeros(len(rows))]),
        weight=np.concatenate([np.ones(n), prob[j] / prob[first[owner]]]),
    )


def censoring_residuals(
    time: np.ndarray,
    status: np.ndarray,
    risk: np.ndarray,
    x: np.ndarray,
    group_time: np.ndarray,
    hazard: np.ndarray,
    mean_hazard: np.ndarray,
    censoring_ties: str = "crr",
) -> np.ndarray:
    """Per person, the term psi_i that the estimation of G adds to the score residuals in
    Fine and Gray's variance (``cmprsk::crr``'s ``crrvv``):

        psi_i = integral of q(u) / pi(u) dM^c_i(u),
        q(u) = sum over events s >= u of dL(s) sum over competing ends j before u of
               r_j G(s-) / G(T_j-) (x_j - xbar(s)),

    M^c_i the censoring martingale of person i, pi(u) the number followed at u. ``risk`` and
    ``x`` are per person (r_j on the scale of the fit's hazards, x centered as in the fit);
    ``group_time``, ``hazard`` and ``mean_hazard`` the fit's event times, hazard increments
    and hazard-weighted means of x. q factorises into sums before u (competing ends) times
    sums after u (events), so everything is a cumulative sum."""
    censor_times, g_after = censoring_survival(time, status, censoring_ties)
    n = len(time)
    if len(censor_times) == 0:
        return np.zeros((n, x.shape[1]))

    def g_before(t: np.ndarray) -> np.ndarray:
        i = np.searchsorted(censor_times, t, side="left")  # censorings strictly before t
        return np.where(i > 0, g_after[np.maximum(i - 1, 0)], 1.0)

    # sums over the events s >= u of G(s-) dL(s) and G(s-) xbar(s) dL(s)
    g_s = g_before(group_time)
    after0 = np.cumsum((g_s * hazard)[::-1])[::-1]
    after1 = np.cumsum((g_s[:, None] * mean_hazard)[::-1], axis=0)[::-1]
    # sums over competing ends before u of r_j / G(T_j-) and r_j x_j / G(T_j-)
    comp = np.flatnonzero(status == COMPETING)
    order = comp[np.argsort(time[comp], kind="stable")]
    c_w = risk[order] / g_before(time[order])
    c0 = np.concatenate([[0.0], np.cumsum(c_w)])
    c1 = np.vstack([np.zeros(x.shape[1]), np.cumsum(c_w[:, None] * x[order], axis=0)])
    before = np.searchsorted(time[order], censor_times, side="left")
    first_event = np.searchsorted(group_time, censor_times, side="left")
    has_events = first_event < len(group_time)
    k = np.minimum(first_event, len(group_time) - 1)
    q = np.where(
        has_events[:, None],
        c1[before] * after0[k][:, None] - c0[before][:, None] * after1[k],
        0.0,
    )
    # pi(u): everyone followed at u; dN^c at the person's own censoring, dL^c = n_c / pi
    sorted_time = np.sort(time)
    followed = n - np.searchsorted(sorted_time, censor_times, side="left")
    n_censored = np.bincount(
        np.searchsorted(censor_times, time[status == CENSORED]), minlength=len(censor_times)
    )
    compensator = np.cumsum(q * (n_censored / followed**2)[:, None], axis=0)
    last = np.searchsorted(censor_times, time, side="right") - 1  # censorings at or before T
    psi = -np.where(last[:, None] >= 0, compensator[np.maximum(last, 0)], 0.0)
    own = status == CENSORED
    at = np.searchsorted(censor_times, time[own])
    psi[own] += q[at] / followed[at][:, None]
    return psi


@dataclass(frozen=True)
class PointFit:
    params: np.ndarray
    n_iter: int
    converged: bool


class _Unsplit:
    """The weighted risk sets of the Fine-Gray rows without splitting them.

    At an event time s the weighted risk set is everyone still followed plus the competing
    ends before s, weighted G(s-) / G(T_j-); its sums of r, r x and r x x' are a sum over
    those followed (a cumulative sum from the end) plus G(s-) times a cumulative sum over
    the competing ends, so each evaluation costs O(n p^2)."""

    def __init__(
        self, time: np.ndarray, status: np.ndarray, x: np.ndarray, censoring_ties: str
    ) -> None:
        self.time = time = np.asarray(time, dtype=float)
        self.status = status = np.asarray(status)
        x = np.asarray(x, dtype=float)
        self.x_mean = x.mean(axis=0)
        self.x = x = x - self.x_mean  # the estimates do not change; exp() stays in range
        self.censoring_ties = censoring_ties
        self.censor_times, self.g_after = censoring_survival(time, status, censoring_ties)
        self.event_times, self.n_events = np.unique(time[status == EVENT], return_counts=True)
        self.x_events = x[status == EVENT].sum(axis=0)
        self.order = np.argsort(time, kind="stable")
        # T_j >= s from here
        self.followed = np.searchsorted(time[self.order], self.event_times, side="left")
        comp = np.flatnonzero(status == COMPETING)
        self.comp = comp = comp[np.argsort(time[comp], kind="stable")]
        self.before = np.searchsorted(time[comp], self.event_times, side="left")  # T_j < s
        self.g_s = self.g_before(self.event_times)
        self.comp_weight = 1.0 / self.g_before(time[comp])

    def g_before(self, t: np.ndarray) -> np.ndarray:
        """G just before t (censorings strictly before t)."""
        i = np.searchsorted(self.censor_times, t, side="left")
        return np.where(i > 0, self.g_after[np.maximum(i - 1, 0)], 1.0)

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per event time, the weighted risk-set sum of ``values`` (rows per person)."""
        shape = values.shape[1:]
        tail = np.cumsum(values[self.order][::-1], axis=0)[::-1]
        tail = np.concatenate([tail, np.zeros((1, *shape))])[self.followed]
        head = np.cumsum(values[self.comp] * self.comp_weight.reshape(-1, *([1] * len(shape))), 0)
        head = np.concatenate([np.zeros((1, *shape)), head])[self.before]
        return tail + self.g_s.reshape(-1, *([1] * len(shape))) * head

    def terms(self, beta: np.ndarray):
        """Log partial likelihood, score and information at ``beta``, and per event time
        the risk-set sum of r and the risk-weighted mean of x."""
        x, n_events = self.x, self.n_events
        eta = x @ beta
        r = np.exp(eta)
        s0 = self.sums(r)
        loglik = float(eta[self.status == EVENT].sum() - n_events @ np.log(s0))
        s1 = self.sums(r[:, None] * x)
        mean = s1 / s0[:, None]
        score = self.x_events - n_events @ mean
        s2 = self.sums(r[:, None, None] * x[:, :, None] * x[:, None, :])
        info = np.einsum("k,kij->ij", n_events / s0, s2) - np.einsum(
            "k,ki,kj->ij", n_events, mean, mean
        )
        return loglik, score, info, r, s0, mean

    def at_risk_sums(self, hazard: np.ndarray, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per person, the sums over the event times s they are at risk at, with their
        weight w_i(s) (1 for s <= T_i, G(s-) / G(T_i-) after a competing end T_i), of
        ``hazard`` (per event time) and of ``hazard`` x ``mean``."""
        upto = np.searchsorted(self.event_times, self.time, side="right")  # s <= T_i
        p = self.x.shape[1]
        head0 = np.concatenate([[0.0], np.cumsum(hazard)])[upto]
        head1 = np.vstack([np.zeros(p), np.cumsum(mean * hazard[:, None], 0)])[upto]
        g_hazard = self.g_s * hazard
        tail0 = np.concatenate([np.cumsum(g_hazard[::-1])[::-1], [0.0]])[upto]
        tail1 = np.vstack([np.cumsum((mean * g_hazard[:, None])[::-1], 0)[::-1], np.zeros(p)])
        after = np.where(self.status == COMPETING, 1.0 / self.g_before(self.time), 0.0)
        return head0 + after * tail0, head1 + after[:, None] * tail1[upto]

    def row_terms(self, beta: np.ndarray):
        """:meth:`terms` with the information as one weighted ``X'X`` product: summed over
        the event times, sum_k d_k S2_k / S0_k is sum_i r_i a_i x_i x_i' with a_i the
        person's :meth:`at_risk_sums` of the hazard d_k / S0_k (O(n p^2) in BLAS, no
        n x p x p cumulative sums)."""
        x, n_events = self.x, self.n_events
        eta = x @ beta
        r = np.exp(eta)
        s0 = self.sums(r)
        loglik = float(eta[self.status == EVENT].sum() - n_events @ np.log(s0))
        mean = self.sums(r[:, None] * x) / s0[:, None]
        score = self.x_events - n_events @ mean
        a, _ = self.at_risk_sums(n_events / s0, mean)
        info = (x * (r * a)[:, None]).T @ x - (mean * n_events[:, None]).T @ mean
        return loglik, score, (info + info.T) / 2, r, s0, mean

    def score_residuals(self, r: np.ndarray, s0: np.ndarray, mean: np.ndarray) -> np.ndarray:
        """Per person, the weighted score residuals of their split rows summed (what
        ``coxph(cluster = )`` sums within clusters): d_i (x_i - xbar(T_i)) minus
        r_i sum over the event times s of w_i(s) (x_i - xbar(s)) dL(s) (Breslow:
        dL = d / S0; w_i as in :meth:`at_risk_sums`)."""
        a, b = self.at_risk_sums(self.n_events / s0, mean)
        resid = -r[:, None] * (self.x * a[:, None] - b)
        own = np.flatnonzero(self.status == EVENT)
        at = np.searchsorted(self.event_times, self.time[own])
        resid[own] += self.x[own] - mean[at]
        return resid


def _newton(
    problem: _Unsplit,
    max_iter: int,
    tol: float,
    by_rows: bool = False,
    start: np.ndarray | None = None,
):
    """Newton-Raphson with step halving (as :func:`teichaku.analysis.coxph.fit`) from
    ``start`` (zero without): the estimate, the terms there, the iterations and whether it
    converged; ``by_rows`` uses :meth:`_Unsplit.row_terms`."""
    terms = problem.row_terms if by_rows else problem.terms
    p = problem.x.shape[1]
    beta = np.zeros(p) if start is None else np.asarray(start, dtype=float).copy()
    current = terms(beta)
    for n_iter in range(1, max_iter + 1):
        step = np.linalg.solve(current[2], current[1])
        for _ in range(31):
            new = terms(beta + step)
            if np.isfinite(new[0]) and new[0] >= current[0] - 1e-12 * abs(current[0]):
                break
            step = step / 2
        else:
            return beta, current, n_iter, False
        beta = beta + step
        current = new
        if np.max(np.abs(step)) <= tol:
            return beta, current, n_iter, True
    return beta, current, max_iter, False


def fit_coefficients(
    time: np.ndarray,
    status: np.ndarray,
    x: np.ndarray,
    censoring_ties: str = "crr",
    *,
    max_iter: int = 30,
    tol: float = 1e-9,
) -> PointFit:
    """The Fine-Gray log subdistribution hazard ratios (Breslow ties) without splitting rows:
    the estimates of a Cox fit of :func:`split_rows`, for populations whose split rows
    would not fit in memory (the simulation's pseudo-truth, teichaku.simulation.truth).
    Each Newton-Raphson step (with step halving, as :func:`teichaku.analysis.coxph.fit`)
    costs O(n p^2) (:class:`_Unsplit`)."""
    beta, _, n_iter, converged = _newton(_Unsplit(time, status, x, censoring_ties), max_iter, tol)
    return PointFit(beta, n_iter, converged)


@dataclass(frozen=True)
class UnsplitFit:
    """A Fine-Gray fit computed without split rows, and what the analysis reads off it:
    the covariance of either R reference and the predicted cumulative incidence. ``risk``,
    ``s0`` and ``mean`` are the terms at the estimate (per person r_i = exp(x_i b), x
    centered at its column means; per event time the risk-set sum of r and the
    risk-weighted mean of x)."""

    params: np.ndarray
    information: np.ndarray
    n_iter: int
    converged: bool
    problem: _Unsplit
    risk: np.ndarray
    s0: np.ndarray
    mean: np.ndarray

    @property
    def event_times(self) -> np.ndarray:
        return self.problem.event_times

    @property
    def hazard(self) -> np.ndarray:
        """The Breslow increments d_k / S0_k of the baseline subdistribution hazard (at the
        column means of x)."""
        return self.problem.n_events / self.s0

    def score_residuals(self) -> np.ndarray:
        """Per person, the weighted score residuals of their split rows summed."""
        return self.problem.score_residuals(self.risk, self.s0, self.mean)

    def clustered_cov(self, clusters: np.ndarray) -> np.ndarray:
        """``coxph(cluster = )`` on the split rows: the grouped-score sandwich."""
        return sandwich(self.information, self.score_residuals(), np.ones(len(self.risk)), clusters)

    def crr_cov(self) -> np.ndarray:
        """``crr``'s variance, Fine and Gray's sandwich: per person the score residuals of
        their rows plus the censoring term (:func:`censoring_residuals`), each person a
        cluster. Defined for crr's censoring convention only."""
        p = self.problem
        if p.censoring_ties != "crr":
            raise ValueError("crr's variance needs crr's censoring convention")
        hazard = self.hazard
        psi = censoring_residuals(
            p.time,
            p.status,
            self.risk,
            p.x,
            p.event_times,
            hazard,
            self.mean * hazard[:, None],
        )
        return sandwich(self.information, self.score_residuals() + psi, np.ones(len(self.risk)))

    def cumulative_incidence(self, profiles: np.ndarray, times: np.ndarray) -> np.ndarray:
        """F(t | z) = 1 - exp(-L0(t) exp(z b)) for each row z of ``profiles`` (design
        columns) at ``times``, with L0 the Breslow estimate of the baseline subdistribution
        cumulative hazard (as ``predict.crr``, and ``survfit`` of the coxph fit)."""
        steps = np.cumsum(self.hazard)
        index = np.searchsorted(self.event_times, times, side="right") - 1
        baseline = np.where(index >= 0, steps[np.maximum(index, 0)], 0.0)
        lp = (np.asarray(profiles, dtype=float) - self.problem.x_mean) @ self.params
        return 1.0 - np.exp(-np.outer(np.exp(lp), baseline))


def fit_unsplit(
    time: np.ndarray,
    status: np.ndarray,
    x: np.ndarray,
    censoring_ties: str = "crr",
    *,
    start: np.ndarray | None = None,
    max_iter: int = 30,
    tol: float = 1e-9,
) -> UnsplitFit:
    """The weighted Cox fit of :func:`split_rows` (Breslow ties) computed without splitting
    rows: memory and time linear in the persons (the split rows grow with the persons
    times the event times). The information is one weighted ``X'X``
    (:meth:`_Unsplit.row_terms`). Raises ``numpy.linalg.LinAlgError`` where the
    information is singular."""
    problem = _Unsplit(time, status, x, censoring_ties)
    beta, (_, _, info, r, s0, mean), n_iter, converged = _newton(
        problem, max_iter, tol, by_rows=True, start=start
    )
    return UnsplitFit(beta, info, n_iter, converged, problem, r, s0, mean)


@dataclass(frozen=True)
class ClusteredFit:
    params: np.ndarray
    cov: np.ndarray
    n_iter: int
    converged: bool


def fit_clustered(
    time: np.ndarray,
    status: np.ndarray,
    x: np.ndarray,
    clusters: np.ndarray,
    censoring_ties: str = "finegray",
    *,
    max_iter: int = 30,
    tol: float = 1e-9,
) -> ClusteredFit:
    """:func:`fit_unsplit` with the covariance of ``coxph(cluster = )`` on the split
    rows (the grouped-score sandwich, censoring weights taken as known): the split rows of
    a person sum to one score residual (:meth:`_Unsplit.score_residuals`). Equal to the
    weighted Cox fit of :func:`split_rows` to rounding (the simulation's replicates). A
    singular information ends the fit, not converged."""
    p = np.shape(x)[1]
    try:
        fit = fit_unsplit(time, status, x, censoring_ties, max_iter=max_iter, tol=tol)
        cov = fit.clustered_cov(clusters)
    except np.linalg.LinAlgError:
        return ClusteredFit(np.full(p, np.nan), np.full((p, p), np.nan), 0, False)
    return ClusteredFit(fit.params, cov, fit.n_iter, fit.converged)
