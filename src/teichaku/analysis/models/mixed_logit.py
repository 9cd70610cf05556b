"""Logistic model with a random intercept per cluster (``type: mixed_logit``) by maximum
likelihood, adaptive Gauss-Hermite quadrature with ``analysis.mixed.quadrature_points``
nodes (as ``glmer(nAGQ = k)``; :mod:`teichaku.analysis.mixed`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from teichaku.analysis.mixed import fit_mixed_logit
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
    return fit_arrays(
        frame[spec.outcome].to_numpy(dtype=float),
        X.to_numpy(dtype=float),
        list(X.columns),
        group_codes(frame, spec.cluster),
        spec.cluster,
        settings.quadrature_points,
    )


def fit_arrays(
    y: np.ndarray,
    X: np.ndarray,
    columns: list[str],
    groups: np.ndarray,
    cluster: str,
    quadrature_points: int,
) -> Estimates:
    """The fit of :func:`fit` on arrays (``groups``: cluster codes 0..G-1)."""
    result = fit_mixed_logit(y, X, groups, quadrature_points=quadrature_points)
    est = Estimates(list(columns), result.params, result.bse, "model", converged=result.converged)
    if result.boundary:
        log_sd = {"log_mean": -np.inf, "log_sd": np.nan}
        est.warnings.append("singular fit: the SD between clusters is estimated at the boundary 0")
    else:
        log_sd = {"log_mean": float(np.log(result.sigma)), "log_sd": result.log_sigma_se}
    est.extra.append({"column": f"sd({cluster})", **log_sd})
    if not result.converged:
        est.warnings.append(f"quadrature ML: {result.message}")
    return est
