"""Logistic model with a random intercept per cluster (``type: mixed_logit``), by mean-field
variational Bayes; coefficients are posterior means, SEs posterior SDs (no p-values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from teichaku.analysis.models.base import Estimates, group_codes
from teichaku.analysis.specs import ModelSpec, Settings
from teichaku.analysis.vb import BinomialMixedVB


def fit(
    spec: ModelSpec,
    frame: pd.DataFrame,
    X: pd.DataFrame,
    settings: Settings,
    *,
    checks: bool,
    start: np.ndarray | None = None,
) -> Estimates:
    codes = group_codes(frame, spec.cluster)
    exog_vc = sparse.csr_matrix((np.ones(len(codes)), (np.arange(len(codes)), codes)))
    params, sds, res = _fit_vb(frame[spec.outcome].to_numpy(dtype=float), X, exog_vc, settings.seed)
    est = Estimates(list(X.columns), params, sds, "posterior", p_available=False)
    est.extra.append(
        {
            "column": f"sd({spec.cluster})",
            "log_mean": float(res.vcp_mean[0]),
            "log_sd": float(res.vcp_sd[0]),
        }
    )
    return est


def _fit_vb(endog: np.ndarray, X: pd.DataFrame, exog_vc: sparse.csr_matrix, seed: int):
    """Random-intercept logistic model by mean-field variational Bayes, on centered and
    standardized covariates.

    Mean-field VB treats the coefficients as independent a posteriori; with raw covariates
    (age_10 around 6, correlated with the intercept) that makes their posterior SDs several
    times too small. Standardizing first removes most of that correlation. statsmodels'
    ``scale_fe=True`` does this too but does not shift the intercept back after centering,
    so the back-transformation is done here: slopes b = b' / s, intercept
    b0 = b0' - sum(m b), with variance var(b0') + sum(m^2 var(b)) (independence, as in the
    approximation itself).
    """
    exog = X.to_numpy(dtype=float).copy()
    slope = np.array([c != "Intercept" for c in X.columns])
    mean = np.where(slope, exog.mean(axis=0), 0.0)
    sd = np.where(slope, exog.std(axis=0), 1.0)
    sd[sd == 0] = 1.0
    exog = (exog - mean) / sd
    model = BinomialMixedVB(endog, exog, exog_vc, np.zeros(exog_vc.shape[1], dtype=int))
    # The ELBO is a sum over cases, so its gradient grows with n: BFGS's absolute default
    # gtol (1e-5) is unreachable on large data (precision loss, or thousands of iterations at
    # 278,000 cases). A tolerance per case keeps the iterations independent of the size
    # (about 130-190) and matches the default at the published size (2.8e-5 at 2,783 cases).
    res = model.fit_vb(rng=seed, minim_opts={"gtol": 1e-8 * len(endog)})
    params = np.asarray(res.fe_mean) / sd
    sds = np.asarray(res.fe_sd) / sd
    if not slope.all():
        i = int(np.flatnonzero(~slope)[0])
        params[i] = res.fe_mean[i] - np.sum(mean * params)
        sds[i] = np.sqrt(res.fe_sd[i] ** 2 + np.sum((mean * sds)[slope] ** 2))
    return params, sds, res
