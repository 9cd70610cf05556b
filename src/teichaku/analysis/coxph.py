"""Cox proportional-hazards regression by partial likelihood, in numpy.

What R's ``survival::coxph`` computes, vectorised: case weights, (start, stop] data (delayed
entry, the split rows of a Fine-Gray data set), strata, Breslow or Efron ties; Newton-Raphson
with step halving; the information matrix, the score residuals (Efron-weighted, as survival's
``coxscore``/``agscore`` and ``residuals(type = "score")``) and from them the cluster-robust
sandwich of ``coxph(cluster = )``; the same quantities give the ``cox.zph`` score test
(:mod:`teichaku.analysis.zph`).

The rows are sorted once (:class:`RiskSets`). Every risk-set sum is then a difference of two
entries of a cumulative sum: with the times of a stratum mapped to integer keys
``stratum * M + rank(time)``, the rows at risk at an event time t of stratum s are those with
``key(stop) >= key(t)`` and ``key(start) < key(t)`` within the stratum. Per-row quantities
accumulated over the event times a row is at risk at (the cumulative hazard, the
hazard-weighted means) are differences of cumulative sums over the event times.

Efron's approximation: at a time with d tied events, the k-th of d terms (k = 0 .. d-1) has
the events' share of the risk set down-weighted by k/d; with case weights the terms carry
the mean weight of the tied events (as coxph does).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

TIES = ("efron", "breslow")


class CoxConvergenceError(ArithmeticError):
    """Newton-Raphson could not improve the partial likelihood from a non-finite point."""


@dataclass(frozen=True)
class RiskSets:
    """A Cox data set sorted once: the event-time groups and where every row is at risk.

    Rows are not reordered; the index arrays below are computed once and reused by every
    Newton iteration, the residuals and the PH test.
    """

    x: np.ndarray  # n x p covariates, centered (column means of the rows)
    x_mean: np.ndarray  # p, the means subtracted
    status: np.ndarray  # n, 1.0 for an event, 0.0 for censoring
    weights: np.ndarray  # n case weights
    stop: np.ndarray  # n event/censoring times
    entry: np.ndarray | None  # n entry times (None: all at risk from the start)
    ties: str
    # the event groups (one per stratum and distinct event time), in key order
    n_groups: int
    group_time: np.ndarray  # G, the event time of each group
    group_of_event: np.ndarray  # E, the group of each event row (event rows in row order)
    event_rows: np.ndarray  # E, row index of each event
    group_deaths: np.ndarray  # G, number of tied events (counts, not weights)
    group_mean_weight: np.ndarray  # G, mean case weight of the tied events
    # Efron terms: one per event, its group and its fraction k/d (0 for Breslow)
    term_group: np.ndarray  # E
    term_fraction: np.ndarray  # E
    # risk-set sums: rows sorted by stop key (and entry key), group positions in those orders
    stop_order: np.ndarray
    stop_lo: np.ndarray  # G, first sorted row with stop key >= group key
    stop_hi: np.ndarray  # G, first sorted row of the next stratum
    entry_order: np.ndarray | None
    entry_lo: np.ndarray | None
    entry_hi: np.ndarray | None
    # per row: the event groups it is at risk at are groups [row_lo, row_hi)
    row_lo: np.ndarray
    row_hi: np.ndarray
    # the covariates in the orders the sums read them (gathered once, not per iteration)
    x_by_stop: np.ndarray  # x[stop_order]
    x_by_entry: np.ndarray | None  # x[entry_order]
    x_events: np.ndarray  # x[event_rows]
    event_x_sum: np.ndarray  # p, the events' weighted sum of x (the score's first part)

    @classmethod
    def build(
        cls,
        time: np.ndarray,
        status: np.ndarray,
        x: np.ndarray,
        *,
        entry: np.ndarray | None = None,
        strata: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        ties: str = "efron",
    ) -> RiskSets:
        """Sort the data once. ``time`` ends each row's interval (event or censoring),
        ``entry`` (optional) starts it: a row is at risk at t when entry < t <= time."""
        if ties not in TIES:
            raise ValueError(f"ties must be one of {TIES}, not {ties!r}")
        stop = np.asarray(time, dtype=float)
        status = np.asarray(status, dtype=float)
        x = _as_matrix(x)
        n = len(stop)
        weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        if entry is not None:
            entry = np.asarray(entry, dtype=float)
            if np.any(entry >= stop):
                raise ValueError("every row needs entry < time")
        if not (len(status) == len(x) == len(weights) == n):
            raise ValueError("time, status, x and weights need one value per row")
        if np.any(weights <= 0):
            raise ValueError("weights must be positive")
        _check_finite(x)
        strata_codes = (
            np.zeros(n, dtype=np.int64)
            if strata is None
            else np.unique(np.asarray(strata), return_inverse=True)[1].astype(np.int64)
        )
        # Integer keys: stratum * M + rank of the time among all times (0 = before them all).
        grid = np.unique(stop if entry is None else np.concatenate([stop, entry]))
        m = len(grid) + 1
        stop_key = strata_codes * m + np.searchsorted(grid, stop) + 1
        entry_key = strata_codes * m + (0 if entry is None else np.searchsorted(grid, entry) + 1)
        next_stratum = (strata_codes + 1) * m

        events = status == 1
        group_key, group_of_event = np.unique(stop_key[events], return_inverse=True)
        event_rows = np.flatnonzero(events)
        n_groups = len(group_key)
        group_stratum = group_key // m
        group_deaths = np.bincount(group_of_event, minlength=n_groups)
        group_mean_weight = (
            np.bincount(group_of_event, weights=weights[events], minlength=n_groups) / group_deaths
        )
        # Efron term k of a group: its events sorted by group, k = position within the group.
        by_group = np.argsort(group_of_event, kind="stable")
        term_group = group_of_event[by_group]
        first = np.searchsorted(term_group, np.arange(n_groups))
        k = np.arange(len(term_group)) - first[term_group]
        term_fraction = (
            k / group_deaths[term_group] if ties == "efron" else np.zeros(len(term_group))
        )

        stop_order = np.argsort(stop_key, kind="stable")
        sorted_stop = stop_key[stop_order]
        group_next = (group_stratum + 1) * m
        entry_order = entry_lo = entry_hi = None
        if entry is not None:
            entry_order = np.argsort(entry_key, kind="stable")
            sorted_entry = entry_key[entry_order]
            entry_lo = np.searchsorted(sorted_entry, group_key, side="left")
            entry_hi = np.searchsorted(sorted_entry, group_next, side="left")
        return cls(
            **_covariates(x, weights, stop_order, entry_order, event_rows),
            status=status,
            weights=weights,
            stop=stop,
            entry=entry,
            ties=ties,
            n_groups=n_groups,
            group_time=grid[(group_key % m) - 1],
            group_of_event=group_of_event,
            event_rows=event_rows,
            group_deaths=group_deaths,
            group_mean_weight=group_mean_weight,
            term_group=term_group,
            term_fraction=term_fraction,
            stop_order=stop_order,
            stop_lo=np.searchsorted(sorted_stop, group_key, side="left"),
            stop_hi=np.searchsorted(sorted_stop, group_next, side="left"),
            entry_order=entry_order,
            entry_lo=entry_lo,
            entry_hi=entry_hi,
            row_lo=np.searchsorted(group_key, entry_key, side="right"),
            row_hi=np.minimum(
                np.searchsorted(group_key, stop_key, side="right"),
                np.searchsorted(group_key, next_stratum, side="left"),
            ),
        )

    def with_covariates(self, x: np.ndarray) -> RiskSets:
        """The same rows (times, events, strata, weights) with other covariates, without
        sorting again: the completed data sets of a multiple imputation differ only there."""
        x = _as_matrix(x)
        if len(x) != len(self.stop):
            raise ValueError("x needs one row per row of the risk sets")
        _check_finite(x)
        return replace(
            self,
            **_covariates(x, self.weights, self.stop_order, self.entry_order, self.event_rows),
        )

    @property
    def n_events(self) -> int:
        return len(self.event_rows)

    def risk_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (n or n x k) over the rows at risk at each event group."""
        return self._sorted_risk_sums(
            values[self.stop_order],
            None if self.entry_order is None else values[self.entry_order],
        )

    def risk_sums_x(self, row_weights: np.ndarray) -> np.ndarray:
        """``risk_sums(row_weights[:, None] * x)``, the same floats, from the covariates
        gathered once in each order."""
        return self._sorted_risk_sums(
            row_weights[self.stop_order][:, None] * self.x_by_stop,
            None
            if self.entry_order is None
            else row_weights[self.entry_order][:, None] * self.x_by_entry,
        )

    def _sorted_risk_sums(self, by_stop: np.ndarray, by_entry: np.ndarray | None) -> np.ndarray:
        prefix = _prefix(by_stop)
        total = prefix[self.stop_hi] - prefix[self.stop_lo]
        if by_entry is not None:
            prefix = _prefix(by_entry)
            total = total - (prefix[self.entry_hi] - prefix[self.entry_lo])
        return total

    def over_risk_time(self, per_group: np.ndarray) -> np.ndarray:
        """Per row, the sum of ``per_group`` (G or G x k) over the event groups it is at
        risk at."""
        prefix = _prefix(per_group)
        return prefix[self.row_hi] - prefix[self.row_lo]

    def event_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (n or n x k) over the tied events of each group."""
        return _group_sum(self.group_of_event, values[self.event_rows], self.n_groups)


def _as_matrix(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x[:, None] if x.ndim == 1 else x


def _check_finite(x: np.ndarray) -> None:
    if not np.all(np.isfinite(x)):
        raise ValueError("covariates must be finite")


def _covariates(
    x: np.ndarray,
    weights: np.ndarray,
    stop_order: np.ndarray,
    entry_order: np.ndarray | None,
    event_rows: np.ndarray,
) -> dict[str, np.ndarray | None]:
    """The fields of :class:`RiskSets` that depend on the covariates: centered, and gathered
    in the orders the sums read them."""
    x_mean = x.mean(axis=0)
    x = x - x_mean
    x_events = x[event_rows]
    return {
        "x": x,
        "x_mean": x_mean,
        "x_by_stop": x[stop_order],
        "x_by_entry": None if entry_order is None else x[entry_order],
        "x_events": x_events,
        "event_x_sum": weights[event_rows] @ x_events,
    }


def _prefix(values: np.ndarray) -> np.ndarray:
    """Cumulative sums with a leading zero row (sum of rows [i, j) = prefix[j] - prefix[i])."""
    out = np.zeros((len(values) + 1, *values.shape[1:]))
    np.cumsum(values, axis=0, out=out[1:])
    return out


def _group_sum(groups: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of ``values`` (n or n x k) by group, each group's values added in row order
    (as ``np.add.at``, the same bits; a bincount per column is about ten times faster)."""
    if values.ndim == 1:
        return np.bincount(groups, weights=values, minlength=n_groups)
    out = np.empty((n_groups, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(groups, weights=values[:, j], minlength=n_groups)
    return out


@dataclass(frozen=True)
class Terms:
    """The partial likelihood at one coefficient vector, and its Efron terms.

    ``risk`` is exp(x b - c) for a constant c (the largest linear predictor), which cancels
    in every ratio; ``hazard`` (one per term, i.e. per event) is the term's hazard increment
    mean weight / risk-set sum on that same scale. Per group: ``hazard_sum`` and
    ``hazard_tied`` sum hazard and (k/d) x hazard over the group's terms, ``mean_hazard`` and
    ``mean_hazard_tied`` the same weighted by the term's risk-set mean of x."""

    risk: np.ndarray  # n
    shift: float  # the constant c
    loglik: float
    score: np.ndarray  # p
    mean: np.ndarray  # E x p, risk-weighted mean of x over each term's risk set
    hazard: np.ndarray  # E
    hazard_sum: np.ndarray  # G
    hazard_tied: np.ndarray  # G
    mean_hazard: np.ndarray  # G x p
    mean_hazard_tied: np.ndarray  # G x p


def terms(rs: RiskSets, beta: np.ndarray) -> Terms:
    """Partial log-likelihood, score and the Efron terms at ``beta``."""
    G = rs.n_groups
    lp = rs.x @ beta
    shift = lp.max()
    risk = np.exp(lp - shift)
    wrisk = rs.weights * risk
    s0 = rs.risk_sums(wrisk)
    s1 = rs.risk_sums_x(wrisk)
    s0_tied = rs.event_sums(wrisk)
    s1_tied = _group_sum(rs.group_of_event, wrisk[rs.event_rows][:, None] * rs.x_events, G)
    g, f = rs.term_group, rs.term_fraction
    denom = s0[g] - f * s0_tied[g]
    mean = (s1[g] - f[:, None] * s1_tied[g]) / denom[:, None]
    mean_weight = rs.group_mean_weight[g]
    ev = rs.event_rows
    # the shift cancels: the mean weights sum to the events' total weight
    loglik = float(rs.weights[ev] @ (lp[ev] - shift) - mean_weight @ np.log(denom))
    score = rs.event_x_sum - mean_weight @ mean
    hazard = mean_weight / denom
    return Terms(
        risk=risk,
        shift=float(shift),
        loglik=loglik,
        score=score,
        mean=mean,
        hazard=hazard,
        hazard_sum=np.bincount(g, weights=hazard, minlength=G),
        hazard_tied=np.bincount(g, weights=f * hazard, minlength=G),
        mean_hazard=_group_sum(g, mean * hazard[:, None], G),
        mean_hazard_tied=_group_sum(g, mean * (f * hazard)[:, None], G),
    )


def information(rs: RiskSets, t: Terms, group_factor: np.ndarray | None = None) -> np.ndarray:
    """Observed information -d2 loglik / d b2 at the coefficients of ``t``.

    It is the sum over terms of mean weight x (S2_k / S0_k - mean_k mean_k') with
    S2_k = S2 - (k/d) S2_tied; summed over the terms, the S2 parts become per-row sums over
    the event times the row is at risk at, so no p x p sum per event time is formed. With
    ``group_factor`` h (one value per event group) each event time's contribution is
    multiplied by h (the blocks of the PH test's information)."""
    h = np.ones(rs.n_groups) if group_factor is None else np.asarray(group_factor, float)
    wrisk = rs.weights * t.risk
    scale = wrisk * rs.over_risk_time(h * t.hazard_sum)
    info = (rs.x * scale[:, None]).T @ rs.x
    ev = rs.event_rows
    tied = wrisk[ev] * (h * t.hazard_tied)[rs.group_of_event]
    info -= (rs.x[ev] * tied[:, None]).T @ rs.x[ev]
    mw = rs.group_mean_weight[rs.term_group] * h[rs.term_group]
    info -= (t.mean * mw[:, None]).T @ t.mean
    return (info + info.T) / 2


def score_residuals(rs: RiskSets, t: Terms) -> np.ndarray:
    """Score residuals per row and unit of case weight (survival's
    ``residuals(fit, type = "score")``), Efron-weighted: at its own event time a tied event
    is in the k-th term's risk set with weight 1 - k/d. The weighted residuals sum to the
    score (zero at the estimate).

    U_i = d_i (x_i - mean over the group's terms of mean_k)
          - r_i sum over risk times and terms of c_ik (x_i - mean_k) hazard_k,
    with c_ik = 1 - k/d for the tied events themselves and 1 for the other rows at risk."""
    resid = -t.risk[:, None] * (
        rs.x * rs.over_risk_time(t.hazard_sum)[:, None] - rs.over_risk_time(t.mean_hazard)
    )
    ev, ge = rs.event_rows, rs.group_of_event
    mean_of_terms = _group_sum(rs.term_group, t.mean, rs.n_groups) / rs.group_deaths[:, None]
    resid[ev] += rs.x[ev] - mean_of_terms[ge]
    resid[ev] += t.risk[ev, None] * (rs.x[ev] * t.hazard_tied[ge, None] - t.mean_hazard_tied[ge])
    return resid


def sandwich(
    information_matrix: np.ndarray,
    scores: np.ndarray,
    weights: np.ndarray,
    clusters: np.ndarray | None = None,
) -> np.ndarray:
    """Robust covariance V (sum_g D_g D_g') V with V the inverse information and D_g the
    weighted score residuals summed within cluster g (each row its own cluster without
    ``clusters``): ``coxph(cluster = )``, no small-sample factor."""
    weighted = scores * weights[:, None]
    if clusters is not None:
        codes = np.unique(np.asarray(clusters), return_inverse=True)[1]
        weighted = _group_sum(codes, weighted, codes.max() + 1)
    bread = np.linalg.inv(information_matrix)
    return bread @ (weighted.T @ weighted) @ bread


@dataclass(frozen=True)
class CoxFit:
    params: np.ndarray
    loglik: float
    loglik_null: float
    information: np.ndarray
    cov: np.ndarray  # inverse information (model-based)
    n_iter: int
    converged: bool
    terms: Terms

    @property
    def bse(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))


def fit(
    rs: RiskSets,
    start: np.ndarray | None = None,
    *,
    max_iter: int = 30,
    tol: float = 1e-9,
) -> CoxFit:
    """Maximise the partial likelihood by Newton-Raphson with step halving.

    Converged when a full Newton step changes no coefficient by more than ``tol``; with
    quadratic convergence the estimate is then exact to about tol^2. A step that lowers the
    log-likelihood is halved (back towards the previous estimate), as coxph does; a
    likelihood that keeps rising without a maximum (a coefficient running off to infinity)
    ends at ``max_iter`` with ``converged`` False."""
    p = rs.x.shape[1]
    beta = np.zeros(p) if start is None else np.asarray(start, dtype=float).copy()
    t = terms(rs, np.zeros(p))
    loglik_null = t.loglik
    if start is not None:
        t = terms(rs, beta)
    if not np.isfinite(t.loglik):
        raise CoxConvergenceError("the partial likelihood is not finite at the start")
    info = information(rs, t)
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        try:
            step = np.linalg.solve(info, t.score)
        except np.linalg.LinAlgError:
            break  # a singular information matrix: not converged
        trial = beta + step
        new = terms(rs, trial)
        halvings = 0
        while not (np.isfinite(new.loglik) and new.loglik >= t.loglik - 1e-12 * abs(t.loglik)):
            halvings += 1
            if halvings > 30:
                break
            step = step / 2
            trial = beta + step
            new = terms(rs, trial)
        else:
            beta, t = trial, new
            info = information(rs, t)
            if halvings == 0 and np.max(np.abs(step)) <= tol:
                converged = True
                break
            continue
        # No step improves the likelihood (as where a coefficient runs off to infinity and
        # the information is nearly singular): stop at the last estimate, not converged,
        # as coxph stops with its "may be infinite" warning.
        break
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError as err:
        raise CoxConvergenceError("the information matrix is singular") from err
    return CoxFit(
        params=beta,
        loglik=t.loglik,
        loglik_null=loglik_null,
        information=info,
        cov=cov,
        n_iter=n_iter,
        converged=converged,
        terms=t,
    )
