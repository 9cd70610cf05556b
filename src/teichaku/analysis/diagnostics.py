"""Checks of a fitted model, each returned as a row of results/models/diagnostics.csv.

A failed check is reported with status ``warning`` (or ``error`` when the model could not be
fitted at all), never hidden. Rows: model, check, term, value, p_value, threshold, status,
message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.outliers_influence import variance_inflation_factor

#: Transformations of time for the proportional-hazards test (Grambsch & Therneau).
PH_TIME_TRANSFORMS = ("identity", "log", "rank")


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
    problems = []
    if len(X) == 0:
        return ["the sample is empty after restrictions and missing values"]
    if n_events is not None and n_events == 0:
        problems.append("there are no events (outcome 1) in the sample")
    for col in X.columns:
        if col == "Intercept":
            continue
        values = X[col].unique()
        if len(values) < 2:
            problems.append(f"term {col} is constant in the sample (all {values[0]:g})")
    if not problems and np.linalg.matrix_rank(X.to_numpy(dtype=float)) < X.shape[1]:
        problems.append("the terms are collinear (the design matrix is not of full rank)")
    return problems


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


def ph_test(
    schoenfeld: np.ndarray, time: np.ndarray, naive_cov: np.ndarray, transform: str = "rank"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """Grambsch-Therneau test of proportional hazards from Schoenfeld residuals.

    ``schoenfeld`` holds the unscaled residuals of the event rows (d x p), ``time`` their
    event times and ``naive_cov`` the model-based covariance of the coefficients. The scaled
    residuals are d * r V + beta; each term's test is the score test of a linear slope of its
    scaled residual in g(time), the global test the joint one (as in survival's cox.zph before
    version 3). Returns per term (rho, chi2, p) and the global (chi2, p).
    """
    if transform not in PH_TIME_TRANSFORMS:
        raise ValueError(f"time transform {transform!r} not in {PH_TIME_TRANSFORMS}")
    g = {"identity": time, "log": np.log(np.maximum(time, 1e-8)), "rank": stats.rankdata(time)}[
        transform
    ].astype(float)
    xx = g - g.mean()
    d = schoenfeld.shape[0]
    scaled = schoenfeld @ naive_cov * d
    sxx = float(xx @ xx)
    test = xx @ scaled
    chi2 = test**2 / (np.diag(naive_cov) * d * sxx)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.array([np.corrcoef(xx, scaled[:, j])[0, 1] for j in range(scaled.shape[1])])
    p = stats.chi2.sf(chi2, 1)
    u = xx @ schoenfeld
    global_chi2 = float(u @ naive_cov @ u * d / sxx)
    global_p = float(stats.chi2.sf(global_chi2, schoenfeld.shape[1]))
    return rho, chi2, p, global_chi2, global_p


def ph_rows(
    model: str,
    terms: list[str],
    schoenfeld: np.ndarray,
    time: np.ndarray,
    naive_cov: np.ndarray,
    alpha: float,
    transform: str,
) -> list[dict]:
    rho, chi2, p, gchi2, gp = ph_test(schoenfeld, time, naive_cov, transform)
    rows = []
    for term, r, c, pv in zip(terms, rho, chi2, p, strict=True):
        ok = pv >= alpha
        rows.append(
            row(
                model,
                "proportional_hazards",
                "ok" if ok else "warning",
                f"rho = {r:.3f}, chi2 = {c:.2f}"
                + ("" if ok else f"; hazards may not be proportional (p < {alpha:g})"),
                term=term,
                value=float(c),
                p_value=float(pv),
                threshold=alpha,
            )
        )
    ok = gp >= alpha
    rows.append(
        row(
            model,
            "proportional_hazards",
            "ok" if ok else "warning",
            f"global chi2 = {gchi2:.2f} on {len(terms)} df"
            + ("" if ok else f"; proportional hazards rejected (p < {alpha:g})"),
            term="GLOBAL",
            value=gchi2,
            p_value=gp,
            threshold=alpha,
        )
    )
    return rows
