"""The few distribution functions the fits need, from scipy.special.

scipy.stats computes these with the same special functions (``norm.ppf`` is ``ndtri``,
``t.sf`` is ``stdtr`` at ``-x``, ``chi2.sf`` is ``chdtrc``) and the same floats, but takes
about half a second to import; each model's job is a process of its own.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def normal_quantile(q):
    return special.ndtri(q)


def normal_sf(x):
    """The upper tail of the standard normal distribution."""
    return special.ndtr(-np.asarray(x, dtype=float))


def t_quantile(q, df):
    return special.stdtrit(df, q)


def t_sf(x, df):
    """The upper tail of Student's t distribution with ``df`` degrees of freedom."""
    return special.stdtr(df, -np.asarray(x, dtype=float))


def chi2_sf(x, df):
    """The upper tail of the chi-squared distribution with ``df`` degrees of freedom."""
    return special.chdtrc(df, x)


def rankdata(values) -> np.ndarray:
    """Ranks 1..n, ties given the mean of their ranks (as ``scipy.stats.rankdata``)."""
    values = np.asarray(values)
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    last = np.r_[first[1:], len(values)] - 1
    ranks = np.empty(len(values), dtype=float)
    ranks[order] = (first[group] + last[group]) / 2 + 1
    return ranks
