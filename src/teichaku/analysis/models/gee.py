"""Logistic GEE with an exchangeable working correlation within clusters (``type: gee``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.genmod.cov_struct import Exchangeable
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_estimating_equations import GEE

from teichaku.analysis import diagnostics as dg
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
    model = GEE(
        frame[spec.outcome].to_numpy(dtype=float),
        X.to_numpy(),
        groups=group_codes(frame, spec.cluster),
        family=Binomial(),
        cov_struct=Exchangeable(),
    )
    # geepack's moment estimators: scale and alpha without the ddof = p of
    # statsmodels' default (sum of squares over N, cross products over pairs)
    res = model.fit(ddof_scale=0)
    est = Estimates(list(X.columns), np.asarray(res.params), np.asarray(res.bse), "gee_robust")
    if checks:
        est.diagnostics.append(
            dg.row(
                spec.name,
                "within_cluster_correlation",
                "ok",
                "exchangeable working correlation within centers",
                value=float(np.asarray(model.cov_struct.dep_params).ravel()[0]),
            )
        )
    return est
