"""Binomial GLM of counts per center (``type: binomial_counts``, ``data: centers``), with
SEs scaled by the Pearson dispersion when ``overdispersion: true``."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM

from teichaku.analysis import diagnostics as dg
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
    endog = frame[[f"{spec.outcome}_yes", f"{spec.outcome}_no"]].to_numpy(float)
    res = GLM(endog, X.to_numpy(), family=Binomial()).fit(tol=GLM_TOL)
    # GLM(scale="X2") with a (successes, failures) endog computes the Pearson statistic on
    # the proportions without the trials weights, so the dispersion is applied here; it never
    # shrinks the binomial SEs (floor 1).
    dispersion = float(res.pearson_chi2 / res.df_resid) if res.df_resid else 1.0
    bse = np.asarray(res.bse)
    if spec.overdispersion:
        bse = bse * np.sqrt(max(1.0, dispersion))
    est = Estimates(
        list(X.columns),
        np.asarray(res.params),
        bse,
        "quasi_binomial" if spec.overdispersion else "model",
        converged=bool(res.converged),
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
