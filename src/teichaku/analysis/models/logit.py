"""Logistic regression of a 0/1 outcome (``type: logit``), cluster-robust SEs with a cluster."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM

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
    model = GLM(y, X, family=Binomial())
    if groups is not None:
        res = model.fit(
            cov_type="cluster",
            cov_kwds={"groups": groups, "use_correction": False},
            tol=GLM_TOL,
        )
        # sandwich::vcovCL's default for a glm: HC0 with cadjust, i.e. G / (G - 1)
        # and no (N - 1) / (N - K) (that is HC1, its default for lm only)
        n_groups = int(groups.max()) + 1
        bse = np.asarray(res.bse) * np.sqrt(n_groups / (n_groups - 1))
        se_type = "cluster_robust"
    else:
        res = model.fit(tol=GLM_TOL)
        bse = np.asarray(res.bse)
        se_type = "model"
    return Estimates(
        list(columns), np.asarray(res.params), bse, se_type, converged=bool(res.converged)
    )
