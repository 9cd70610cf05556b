"""Logistic regression of a 0/1 outcome (``type: logit``), cluster-robust SEs with a cluster."""

from __future__ import annotations

import numpy as np
import pandas as pd

from teichaku.analysis.glm import fit_logistic
from teichaku.analysis.models.base import GLM_TOL, Estimates, group_codes
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
        X.to_numpy(),
        list(X.columns),
        group_codes(frame, spec.cluster) if spec.cluster else None,
    )


def fit_arrays(
    y: np.ndarray, X: np.ndarray, columns: list[str], groups: np.ndarray | None
) -> Estimates:
    """The fit of :func:`fit` on arrays: ``groups`` the cluster codes 0..G-1 (in the sorted
    order of the cluster's text, ``group_codes``) or None."""
    res = fit_logistic(y, X, tol=GLM_TOL)
    if groups is not None:
        # sandwich::vcovCL's default for a glm: HC0 with cadjust, i.e. G / (G - 1)
        # and no (N - 1) / (N - K) (that is HC1, its default for lm only)
        n_groups = int(groups.max()) + 1
        cov = res.cluster_cov(groups) * (n_groups / (n_groups - 1))
        se_type = "cluster_robust"
    else:
        cov = res.model_cov()
        se_type = "model"
    return Estimates(
        list(columns), res.params, np.sqrt(np.diag(cov)), se_type, converged=res.converged
    )
