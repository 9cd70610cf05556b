"""Logistic GEE with an exchangeable working correlation within clusters (``type: gee``),
as statsmodels' GEE with geepack's moment estimators (:mod:`teichaku.analysis.gee`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from teichaku.analysis import diagnostics as dg
from teichaku.analysis.gee import fit_gee
from teichaku.analysis.models.base import Estimates, group_codes
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
    res = fit_gee(
        frame[spec.outcome].to_numpy(dtype=float),
        X.to_numpy(dtype=float),
        group_codes(frame, spec.cluster),
    )
    est = Estimates(list(X.columns), res.params, np.sqrt(np.diag(res.cov)), "gee_robust")
    if checks:
        est.diagnostics.append(
            dg.row(
                spec.name,
                "within_cluster_correlation",
                "ok",
                "exchangeable working correlation within centers",
                value=res.correlation,
            )
        )
    return est
