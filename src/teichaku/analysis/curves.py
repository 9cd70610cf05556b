"""Non-parametric curves: Kaplan-Meier of follow-up and the Aalen-Johansen cumulative
incidence of one way of ending with the others competing.

Both return one row per distinct event time (plus time 0) with the estimate, a pointwise
confidence interval on the log(-log) scale and the number at risk just before that time:
aggregated, no case-level identifiers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from teichaku.analysis import distributions, survfunc
from teichaku.analysis.specs import CurveSpec

CURVE_COLUMNS = [
    "curve",
    "by",
    "group",
    "time",
    "estimate",
    "std_error",
    "lower",
    "upper",
    "n_at_risk",
]


def _loglog_interval(
    estimate: np.ndarray, se: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise interval for a probability p via log(-log p); p in {0, 1} gives (p, p)."""
    z = distributions.normal_quantile(1 - (1 - confidence) / 2)
    p = np.asarray(estimate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        inner = (p > 0) & (p < 1) & np.isfinite(se)
        factor = np.exp(z * se / (p * np.log(p)))
        a, b = p**factor, p ** (1 / factor)
    lower = np.where(inner, np.minimum(a, b), p)
    upper = np.where(inner, np.maximum(a, b), p)
    return lower, upper


def _extend_to_last_time(table: pd.DataFrame, time: np.ndarray) -> pd.DataFrame:
    """Carry the curve on to the longest follow-up when it ends in censoring, so that a plot
    shows how far the data reach (the estimate does not change after the last event)."""
    last = float(np.max(time))
    if last <= table["time"].iloc[-1]:
        return table
    tail = table.iloc[[-1]].copy()
    tail["time"] = last
    tail["n_at_risk"] = int(np.sum(time >= last))
    return pd.concat([table, tail], ignore_index=True)


def kaplan_meier(time: np.ndarray, ended: np.ndarray, confidence: float = 0.95) -> pd.DataFrame:
    """Probability of still being followed (every end is the event; open cases censored)."""
    sf = survfunc.survival(np.asarray(time, dtype=float), np.asarray(ended, dtype=float))
    times = np.concatenate([[0.0], sf.times])
    est = np.concatenate([[1.0], sf.prob])
    se = np.concatenate([[0.0], sf.se])
    at_risk = np.concatenate([[len(time)], sf.n_risk])
    lower, upper = _loglog_interval(est, se, confidence)
    table = pd.DataFrame(
        {
            "time": times,
            "estimate": est,
            "std_error": se,
            "lower": lower,
            "upper": upper,
            "n_at_risk": at_risk.astype("int64"),
        }
    )
    return _extend_to_last_time(table, np.asarray(time, dtype=float))


def aalen_johansen(
    time: np.ndarray, cause: np.ndarray, of_interest: int = 1, confidence: float = 0.95
) -> pd.DataFrame:
    """Cumulative incidence F(t) = sum_{t_j <= t} S(t_j-) d1_j / n_j of the cause
    ``of_interest`` (``cause`` 0 = censored, any other value = a competing end).

    S is the all-cause Kaplan-Meier. The variance is the delta-method one (Marubini and
    Valsecchi), which equals Greenwood's for 1 - KM when nothing competes:
    Var F(t) = sum [F(t) - F(t_j)]^2 d_j / (n_j (n_j - d_j)) + sum S(t_j-)^2 d1_j
    (n_j - d1_j) / n_j^3 - 2 sum [F(t) - F(t_j)] S(t_j-) d1_j / n_j^2, computed for every
    t at once by expanding the squares into cumulative sums.
    """
    time = np.asarray(time, dtype=float)
    cause = np.asarray(cause)
    event = cause != 0
    t_j = np.unique(time[event])
    sorted_time = np.sort(time)
    n_j = (len(time) - np.searchsorted(sorted_time, t_j, side="left")).astype(float)
    idx = np.searchsorted(t_j, time[event])
    d_j = np.bincount(idx, minlength=len(t_j)).astype(float)
    d1_j = np.bincount(idx, weights=(cause[event] == of_interest).astype(float), minlength=len(t_j))
    surv = np.cumprod(1 - d_j / n_j)
    surv_before = np.concatenate([[1.0], surv[:-1]])
    f = np.cumsum(surv_before * d1_j / n_j)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(n_j > d_j, d_j / (n_j * (n_j - d_j)), 0.0)
    b = surv_before**2 * d1_j * (n_j - d1_j) / n_j**3
    c = surv_before * d1_j / n_j**2
    cum = np.cumsum
    var = (
        f**2 * cum(a)
        - 2 * f * cum(a * f)
        + cum(a * f**2)
        + cum(b)
        - 2 * f * cum(c)
        + 2 * cum(c * f)
    )
    se = np.sqrt(np.maximum(var, 0.0))
    times = np.concatenate([[0.0], t_j])
    est = np.concatenate([[0.0], f])
    se = np.concatenate([[0.0], se])
    # The log(-log) transform is applied to F itself, as cmprsk does.
    lower, upper = _loglog_interval(est, se, confidence)
    at_risk = np.concatenate([[len(time)], n_j]).astype("int64")
    table = pd.DataFrame(
        {
            "time": times,
            "estimate": est,
            "std_error": se,
            "lower": lower,
            "upper": upper,
            "n_at_risk": at_risk,
        }
    )
    return _extend_to_last_time(table, time)


def _groups(data: pd.DataFrame, by: str) -> list[tuple[str, pd.DataFrame]]:
    if by == "all":
        return [("all", data)]
    column = data[by]
    if pd.api.types.is_bool_dtype(column):
        valid = data[column.notna()]
        return [
            (label, valid[valid[by].astype(bool) == value])
            for label, value in (("yes", True), ("no", False))
        ]
    levels = (
        list(column.cat.categories)
        if isinstance(column.dtype, pd.CategoricalDtype)
        else sorted(column.dropna().unique())
    )
    return [(str(level), data[column == level]) for level in levels]


def build_curves(
    analysis: pd.DataFrame, curves: tuple[CurveSpec, ...], confidence: float
) -> pd.DataFrame:
    """Every curve of the specification for every group of its ``by`` variables."""
    data = analysis[analysis["followup_months"].notna()]
    parts = []
    for spec in curves:
        for by in spec.by:
            for group, sub in _groups(data, by):
                if sub.empty:
                    continue
                time = sub["followup_months"].to_numpy(dtype=float)
                if spec.type == "kaplan_meier":
                    table = kaplan_meier(time, sub["ended"].to_numpy(), confidence)
                else:
                    event = sub["event_type"].astype(str).to_numpy()
                    cause = np.where(event == spec.event, 1, np.where(event == "censored", 0, 2))
                    table = aalen_johansen(time, cause, 1, confidence)
                table.insert(0, "group", group)
                table.insert(0, "by", by)
                table.insert(0, "curve", spec.name)
                parts.append(table)
    if not parts:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[CURVE_COLUMNS]
