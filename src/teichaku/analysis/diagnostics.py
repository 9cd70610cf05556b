"""Checks of a fitted model, each returned as a row of results/models/diagnostics.csv.

A failed check is reported with status ``warning`` (or ``error`` when the model could not be
fitted at all), never hidden. Rows: model, check, term, value, p_value, threshold, status,
message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from teichaku.analysis.zph import ZphTest


def row(
    model: str,
    check: str,
    status: str,
    message: str = "",
    term: str = "",
    value: float = np.nan,
    p_value: float = np.nan,
    threshold: float = np.nan,
) -> dict:
    return {
        "model": model,
        "check": check,
        "term": term,
        "value": value,
        "p_value": p_value,
        "threshold": threshold,
        "status": status,
        "message": message,
    }


def sample_problems(X: pd.DataFrame, n_events: int | None) -> list[str]:
    """Reasons a design matrix cannot be fitted: empty, no events, constant or collinear terms."""
    return design_problems(X.to_numpy(dtype=float), list(X.columns), n_events)


def design_problems(X: np.ndarray, columns: list[str], n_events: int | None) -> list[str]:
    """:func:`sample_problems` of a design as an array with its column names."""
    problems = []
    if len(X) == 0:
        return ["the sample is empty after restrictions and missing values"]
    if n_events is not None and n_events == 0:
        problems.append("there are no events (outcome 1) in the sample")
    for j, col in enumerate(columns):
        if col == "Intercept":
            continue
        values = np.unique(X[:, j])
        if len(values) < 2:
            problems.append(f"term {col} is constant in the sample (all {values[0]:g})")
    if not problems and np.linalg.matrix_rank(X) < X.shape[1]:
        problems.append("the terms are collinear (the design matrix is not of full rank)")
    return problems


def variance_inflation_factor(exog: np.ndarray, index: int) -> float:
    """1 / (1 - R^2) of column ``index`` of ``exog`` regressed on its other columns, computed
    as statsmodels' ``variance_inflation_factor`` (0.15) computes it, step by step: columns
    standardized (constant ones kept), least squares by the SVD pseudo-inverse, R^2 about the
    mean (the design has a constant), clipped below 1. Without statsmodels: importing its
    regression module costs each model's job about a second."""
    exog = np.asarray(exog, dtype=float)
    stds, means = np.std(exog, axis=0), np.mean(exog, axis=0)
    varies = stds > 1e-10
    working = exog.copy()
    working[:, varies] = (exog[:, varies] - means[varies]) / stds[varies]
    y = working[:, index]
    X = working[:, np.arange(exog.shape[1]) != index]
    u, s, vt = np.linalg.svd(X, False)
    cutoff = 1e-15 * np.maximum.reduce(s)
    s = np.where(s > cutoff, 1.0 / np.where(s > cutoff, s, 1.0), 0.0)
    pinv = np.dot(np.transpose(vt), np.multiply(s[:, np.newaxis], np.transpose(u)))
    resid = y - np.dot(X, np.dot(pinv, y))
    weights = np.repeat(1.0, len(y))
    centered = np.sum(weights * (y - np.average(y, weights=weights)) ** 2)
    r_squared = np.clip(1 - np.dot(resid, resid) / centered, 0.0, 1.0 - 1e-15)
    return 1.0 / (1.0 - r_squared)


def vif_rows(model: str, X: pd.DataFrame, terms: list[str], vif_max: float) -> list[dict]:
    """Variance inflation factor of every term (a constant is added when there is none)."""
    exog = X.drop(columns=["Intercept"], errors="ignore")
    if exog.shape[1] < 2:
        return []
    mat = np.column_stack([np.ones(len(exog)), exog.to_numpy(dtype=float)])
    rows = []
    for i, term in enumerate(terms[-exog.shape[1] :], start=1):
        with np.errstate(divide="ignore"):
            v = float(variance_inflation_factor(mat, i))
        ok = v <= vif_max
        rows.append(
            row(
                model,
                "variance_inflation_factor",
                "ok" if ok else "warning",
                "" if ok else f"VIF {v:.2f} above {vif_max:g}",
                term=term,
                value=v,
                threshold=vif_max,
            )
        )
    return rows


def epv_row(model: str, n_events: int, n_parameters: int, minimum: float) -> dict:
    """Events per estimated parameter (the smaller outcome class for binary outcomes)."""
    epv = n_events / max(n_parameters, 1)
    ok = epv >= minimum
    return row(
        model,
        "events_per_variable",
        "ok" if ok else "warning",
        "" if ok else f"{epv:.1f} events per parameter, fewer than {minimum:g}",
        value=epv,
        threshold=minimum,
    )


def ph_rows(model: str, test: ZphTest, alpha: float) -> list[dict]:
    """Rows of the proportional-hazards score test (``cox.zph``), per term and global."""
    rows = []
    for term, c, df, pv in zip(test.terms, test.chisq, test.df, test.p, strict=True):
        ok = pv >= alpha
        rows.append(
            row(
                model,
                "proportional_hazards",
                "ok" if ok else "warning",
                f"chi2 = {c:.2f} on {df} df"
                + ("" if ok else f"; hazards may not be proportional (p < {alpha:g})"),
                term=term,
                value=float(c),
                p_value=float(pv),
                threshold=alpha,
            )
        )
    ok = test.global_p >= alpha
    rows.append(
        row(
            model,
            "proportional_hazards",
            "ok" if ok else "warning",
            f"global chi2 = {test.global_chisq:.2f} on {test.global_df} df"
            + ("" if ok else f"; proportional hazards rejected (p < {alpha:g})"),
            term="GLOBAL",
            value=test.global_chisq,
            p_value=test.global_p,
            threshold=alpha,
        )
    )
    return rows
