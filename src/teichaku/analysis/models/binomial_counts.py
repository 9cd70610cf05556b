"""Binomial GLM of counts per center (``type: binomial_counts``, ``data: centers``), with
SEs scaled by the Pearson dispersion when ``overdispersion: true``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from teichaku.analysis import diagnostics as dg
from teichaku.analysis.glm import fit_logistic
from teichaku.analysis.models.base import GLM_TOL, Estimates
from teichaku.analysis.specs import ModelSpec, Settings


def fit(
    spec: ModelSpec,
    frame: pd.DataFrame,
    X: pd.DataFrame,
    settings: Settings,
    *,
    checks: bool,
    start: np.ndarray | None = None,
) -> Estimates:
    yes = frame[f"{spec.outcome}_yes"].to_numpy(float)
    trials = yes + frame[f"{spec.outcome}_no"].to_numpy(float)
    res = fit_logistic(yes / trials, X.to_numpy(), trials, tol=GLM_TOL)
    # the Pearson dispersion, as quasibinomial's; it never shrinks the binomial SEs (floor 1)
    df_resid = res.df_resid
    dispersion = res.pearson_chi2() / df_resid if df_resid else 1.0
    bse = np.sqrt(np.diag(res.model_cov()))
    if spec.overdispersion:
        bse = bse * np.sqrt(max(1.0, dispersion))
    est = Estimates(
        list(X.columns),
        res.params,
        bse,
        "quasi_binomial" if spec.overdispersion else "model",
        converged=res.converged,
    )
    if checks:
        est.diagnostics.append(
            dg.row(
                spec.name,
                "dispersion",
                "ok",
                "Pearson chi2 / residual df"
                + (" (SEs scaled by its square root when > 1)" if spec.overdispersion else ""),
                value=dispersion,
            )
        )
    return est
