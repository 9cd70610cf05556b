"""Cause-specific Cox model (``type: cox``): Efron ties, optional strata, cluster-robust SEs
(``coxph(ties = "efron", cluster = )``) and the ``cox.zph`` test of proportional hazards."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from teichaku.analysis import coxph
from teichaku.analysis import diagnostics as dg
from teichaku.analysis.models.base import EVENT_TYPE, TIME, Estimates, group_codes, term_columns
from teichaku.analysis.specs import ModelSpec, Settings
from teichaku.analysis.zph import cox_zph


def estimate(
    rs: coxph.RiskSets, start: np.ndarray | None, clusters: np.ndarray | None
) -> tuple[coxph.CoxFit, np.ndarray]:
    """Fit by partial likelihood; SEs from the sandwich over ``clusters`` (model-based, the
    inverse information, without clusters)."""
    fit = coxph.fit(rs, start)
    if not fit.converged:
        warnings.warn(
            f"Newton-Raphson did not converge in {fit.n_iter} iterations",
            ConvergenceWarning,
            stacklevel=2,
        )
    if clusters is None:
        return fit, fit.bse
    scores = coxph.score_residuals(rs, fit.terms)
    cov = coxph.sandwich(fit.information, scores, rs.weights, clusters)
    return fit, np.sqrt(np.diag(cov))


def fit(
    spec: ModelSpec,
    frame: pd.DataFrame,
    X: pd.DataFrame,
    settings: Settings,
    *,
    checks: bool,
    start: np.ndarray | None = None,
) -> Estimates:
    rs = coxph.RiskSets.build(
        frame[TIME].to_numpy(dtype=float),
        (frame[EVENT_TYPE] == spec.event).to_numpy(dtype=float),
        X.to_numpy(dtype=float),
        strata=group_codes(frame, spec.strata) if spec.strata else None,
        ties="efron",
    )
    clusters = group_codes(frame, spec.cluster) if spec.cluster else None
    result, bse = estimate(rs, start, clusters)
    est = Estimates(
        list(X.columns), result.params, bse, "cluster_robust" if spec.cluster else "model"
    )
    if checks:
        test = cox_zph(rs, result, term_columns(X), settings.ph_time)
        est.diagnostics += dg.ph_rows(spec.name, test, settings.ph_alpha)
    return est
