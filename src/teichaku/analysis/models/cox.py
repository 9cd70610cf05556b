"""Cause-specific Cox model (``type: cox``): Efron ties, optional strata, cluster-robust SEs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.duration.hazard_regression import PHReg

from teichaku.analysis import diagnostics as dg
from teichaku.analysis.cox import cluster_robust_cov, score_residuals
from teichaku.analysis.models.base import EVENT_TYPE, TIME, Estimates, group_codes
from teichaku.analysis.specs import ModelSpec, Settings
from teichaku.analysis.terms import tidy_term


def _stratified_scores(
    time: np.ndarray,
    status: np.ndarray,
    exog: np.ndarray,
    params: np.ndarray,
    strata: np.ndarray | None,
) -> np.ndarray:
    """Score residuals of a Cox model; with strata, each stratum has its own risk sets."""
    if strata is None:
        return score_residuals(time, status, exog, params)
    scores = np.zeros_like(exog, dtype=float)
    for code in np.unique(strata):
        rows = strata == code
        if status[rows].any():
            scores[rows] = score_residuals(time[rows], status[rows], exog[rows], params)
    return scores


def fit(
    spec: ModelSpec,
    frame: pd.DataFrame,
    X: pd.DataFrame,
    settings: Settings,
    *,
    checks: bool,
    start: np.ndarray | None = None,
) -> Estimates:
    cols = list(X.columns)
    status = (frame[EVENT_TYPE] == spec.event).to_numpy(dtype=float)
    strata = group_codes(frame, spec.strata) if spec.strata else None
    model = PHReg(
        frame[TIME].to_numpy(dtype=float),
        X.to_numpy(),
        status=status,
        ties="efron",
        strata=strata,
    )
    res = model.fit(start_params=start)
    params = np.asarray(res.params)
    hessian = model.hessian(params)
    if spec.cluster:
        scores = _stratified_scores(model.endog, status, model.exog, params, strata)
        cov = cluster_robust_cov(hessian, scores, group_codes(frame, spec.cluster))
        bse = np.sqrt(np.diag(cov))
    else:
        bse = np.asarray(res.bse)
    est = Estimates(cols, params, bse, "cluster_robust" if spec.cluster else "model")
    if checks:
        naive = np.linalg.inv(-hessian)
        events = status == 1
        est.diagnostics += dg.ph_rows(
            spec.name,
            [tidy_term(c) for c in cols],
            res.schoenfeld_residuals[events],
            model.endog[events],
            naive,
            settings.ph_alpha,
            settings.ph_time,
        )
    return est
