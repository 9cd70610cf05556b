"""Multiple imputation by chained equations with predictive mean matching, and Rubin's rules
with Barnard-Rubin degrees of freedom: the algorithm of R's ``mice(method = "pmm")`` and
``pool()`` (van Buuren 2018, Flexible Imputation of Missing Data, 2nd ed., sections 3.4 and
5.2; ``mice`` 3.x).

- m independent chains: chain c draws from its own random stream, seeded by (seed, c), starts
  from its own random fill (each missing value a draw from the observed values of its column)
  and runs ``burn_in`` cycles over the incomplete columns; its last state is completed data
  set c. (The data sets are not successive states of one chain.)
- One cycle visits the incomplete columns left to right. Each is regressed on every other
  column (current values) plus an intercept among the rows where it was observed; the
  regression is drawn from its posterior (sigma* = sqrt(RSS / chi2(n_obs - p)),
  beta* = beta_hat + sigma* L z, L the Cholesky factor of (X'X + ridge diag(X'X))^-1), and
  each missing value is the observed value of a donor picked at random among the ``donors``
  observed rows whose fitted value (beta_hat) is closest to the missing row's predicted value
  (beta*): mice's type-1 matching with 5 donors and ridge 1e-5.
- The result does not depend on the order of the rows: callers pass rows in a canonical
  order (``canonical_order``) and the imputations are mapped back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

DONORS = 5
RIDGE = 1e-5
#: mice's floor on the fraction of missing information in the Barnard-Rubin df.
LAMBDA_FLOOR = 1e-4


def canonical_order(frame: pd.DataFrame) -> np.ndarray:
    """Positions that sort the rows by every column (missing last, text by its value).

    Rows that tie are equal in every column, so which of them comes first cannot change any
    result computed from the rows."""
    keys = pd.DataFrame(
        {
            str(c): (
                frame[c].astype("string")
                if not pd.api.types.is_numeric_dtype(frame[c])
                else frame[c].astype("float64")
            )
            for c in frame.columns
        }
    ).reset_index(drop=True)
    ordered = keys.sort_values(list(keys.columns), kind="mergesort", na_position="last")
    return ordered.index.to_numpy()


@dataclass
class _Regressors:
    """The regressors of one incomplete column (an intercept, then the other columns in
    order) at the rows where it was observed and where it is imputed, kept for a whole
    chain: after each imputation only the column just imputed is refreshed (the complete
    columns are gathered once per chain, not once per column and cycle)."""

    column: int
    observed: np.ndarray  # rows where the column was observed
    missing: np.ndarray  # rows where it is imputed
    y_observed: np.ndarray  # its observed values
    at_observed: np.ndarray  # n_observed x p
    at_missing: np.ndarray  # n_missing x p

    @classmethod
    def of(cls, filled: np.ndarray, column: int, missing: np.ndarray) -> _Regressors:
        observed, imputed = np.flatnonzero(~missing), np.flatnonzero(missing)
        return cls(
            column,
            observed,
            imputed,
            filled[observed, column],
            _intercept_and_others(filled, column, observed),
            _intercept_and_others(filled, column, imputed),
        )

    def refresh(self, filled: np.ndarray, column: int) -> None:
        """Take the current values of ``column`` (another column) from ``filled``."""
        at = column + 1 if column < self.column else column
        self.at_observed[:, at] = filled[self.observed, column]
        self.at_missing[:, at] = filled[self.missing, column]


def _intercept_and_others(filled: np.ndarray, column: int, rows: np.ndarray) -> np.ndarray:
    at_rows = filled[rows]  # whole rows at once: twice as fast as rows and columns
    X = np.empty_like(at_rows)
    X[:, 0] = 1.0
    X[:, 1 : column + 1] = at_rows[:, :column]
    X[:, column + 1 :] = at_rows[:, column + 1 :]
    return X


def _pmm(r: _Regressors, rng: np.random.Generator, donors: int) -> np.ndarray:
    """Draws for the missing entries of column ``r.column`` (mice.impute.pmm, matchtype 1)."""
    xo, yo = r.at_observed, r.y_observed
    xtx = xo.T @ xo
    v = np.linalg.inv(xtx + np.diag(RIDGE * np.diag(xtx)))
    coef = v @ xo.T @ yo
    fitted = xo @ coef
    resid = yo - fitted
    df = max(len(yo) - xo.shape[1], 1)
    sigma = np.sqrt(resid @ resid / rng.chisquare(df))
    beta = coef + np.linalg.cholesky((v + v.T) / 2) @ rng.standard_normal(xo.shape[1]) * sigma
    return yo[_match(fitted, r.at_missing @ beta, rng, donors)]


def _match(fitted: np.ndarray, targets: np.ndarray, rng: np.random.Generator, donors: int):
    """For each target, the index of a donor drawn at random among the ``donors`` observed
    rows with the closest fitted values (mice's ``matchindex``: the observed rows are shuffled
    before a stable sort so that ties are broken at random, then from each target's place in
    the sorted values the nearer neighbour is taken ``donors`` times)."""
    order, ranked = _ranked_order(fitted, rng.permutation(len(fitted)))
    k = min(donors, len(ranked))
    pick = rng.integers(0, k, size=len(targets))  # which of the k nearest is the donor
    right = _insertion_points(ranked, targets)
    left = right - 1
    chosen = np.empty(len(targets), dtype=np.int64)
    for step in range(k):
        d_left = np.where(left >= 0, targets - ranked[np.maximum(left, 0)], np.inf)
        d_right = np.where(
            right < len(ranked), ranked[np.minimum(right, len(ranked) - 1)] - targets, np.inf
        )
        take_right = d_right < d_left
        position = np.where(take_right, right, left)
        chosen = np.where(pick == step, position, chosen)
        right = np.where(take_right, right + 1, right)
        left = np.where(take_right, left, left - 1)
    return order[chosen]


def _ranked_order(fitted: np.ndarray, shuffle: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``shuffle[np.argsort(fitted[shuffle], kind="stable")]`` (the rows by fitted value, tied
    values in the order of ``shuffle``) and the sorted values. Computed by the default
    (unstable, about three times faster) sort, then only the rows of tied values are put in
    ``shuffle``'s order: the fitted values of a regression with a continuous regressor are
    nearly all distinct."""
    order = np.argsort(fitted)
    ranked = fitted[order]
    tied = ranked[1:] == ranked[:-1]
    if not tied.any():
        return order, ranked
    in_tie = np.zeros(len(order), dtype=bool)
    in_tie[1:] = tied
    in_tie[:-1] |= tied
    at = np.flatnonzero(in_tie)
    run = np.concatenate([[0], np.cumsum(~tied)])[at]  # which group of equal values
    place = np.empty(len(shuffle), dtype=np.int64)
    place[shuffle] = np.arange(len(shuffle))  # each row's place in the shuffle
    rows = order[at]
    # (run, place) keys are distinct, so the default sort orders them the one way
    order[at] = rows[np.argsort(run * len(order) + place[rows])]
    return order, ranked


def _insertion_points(ranked: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``np.searchsorted(ranked, targets)``, searched in the targets' increasing order (where
    numpy's binary search starts from the previous key's result: about three times faster at
    40,000 targets among 235,000 values)."""
    by_value = np.argsort(targets)
    right = np.empty(len(targets), dtype=np.intp)
    right[by_value] = np.searchsorted(ranked, targets[by_value])
    return right


def impute_chain(
    data: np.ndarray, burn_in: int, rng: np.random.Generator, donors: int = DONORS
) -> np.ndarray:
    """One chain: a random start, then ``burn_in`` cycles; returns the completed array."""
    missing = np.isnan(data)
    filled = data.copy()
    incomplete = [j for j in range(data.shape[1]) if missing[:, j].any()]
    for j in incomplete:
        pool = data[~missing[:, j], j]
        filled[missing[:, j], j] = rng.choice(pool, size=int(missing[:, j].sum()))
    regressors = [_Regressors.of(filled, j, missing[:, j]) for j in incomplete]
    for _ in range(burn_in):
        for r in regressors:
            filled[r.missing, r.column] = _pmm(r, rng, donors)
            for other in regressors:
                if other is not r:
                    other.refresh(filled, r.column)
    return filled


def impute(
    data: pd.DataFrame, m: int, burn_in: int, seed: int, donors: int = DONORS
) -> Iterator[pd.DataFrame]:
    """m completed copies of ``data`` (numeric columns, NaN where missing) from m independent
    chains, one at a time (a caller fitting each copy and dropping it holds one copy, not
    m: at 278,000 cases ten copies were about half the job's memory); chain c uses
    ``numpy.random.default_rng([seed, c])``. Rows must come in a canonical order (see
    ``canonical_order``) for the result not to depend on it."""
    if m < 2 or burn_in < 1:
        raise ValueError("multiple imputation needs at least 2 imputations and 1 cycle")
    values = data.to_numpy(dtype=float)
    for chain in range(m):
        rng = np.random.default_rng([seed, chain])
        yield pd.DataFrame(
            impute_chain(values, burn_in, rng, donors), index=data.index, columns=data.columns
        )


@dataclass(frozen=True)
class Pooled:
    estimate: np.ndarray
    std_error: np.ndarray
    df: np.ndarray  # Barnard-Rubin degrees of freedom per term
    within: np.ndarray
    between: np.ndarray
    fraction_missing_information: np.ndarray  # lambda = (1 + 1/m) B / T


def pool(estimates: np.ndarray, variances: np.ndarray, df_complete: float) -> Pooled:
    """Rubin's rules: total variance T = W + (1 + 1/m) B; Barnard and Rubin's (1999) degrees
    of freedom nu = nu_old nu_obs / (nu_old + nu_obs), nu_old = (m - 1) / lambda^2,
    nu_obs = (nu_com + 1) / (nu_com + 3) nu_com (1 - lambda), lambda = (1 + 1/m) B / T
    floored at 1e-4, nu_com the complete-data degrees of freedom (as mice::pool; mice takes
    n - number of coefficients for a model without residual df, such as coxph)."""
    q = np.asarray(estimates, dtype=float)
    u = np.asarray(variances, dtype=float)
    m = q.shape[0]
    within = u.mean(axis=0)
    between = q.var(axis=0, ddof=1)
    total = within + (1 + 1 / m) * between
    lam = np.maximum((1 + 1 / m) * between / total, LAMBDA_FLOOR)
    df_old = (m - 1) / lam**2
    if np.isinf(df_complete):
        df = df_old
    else:
        df_obs = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - lam)
        df = df_old * df_obs / (df_old + df_obs)
    return Pooled(q.mean(axis=0), np.sqrt(total), df, within, between, lam)
