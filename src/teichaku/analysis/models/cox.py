"""Cause-specific Cox model (``type: cox``): Efron ties, optional strata, cluster-robust SEs
(``coxph(ties = "efron", cluster = )``) and the ``cox.zph`` test of proportional hazards."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from teichaku.analysis import coxph
from teichaku.analysis import diagnostics as dg
from teichaku.analysis.models.base import (
    EVENT_TYPE,
    TIME,
    ConvergenceWarning,
    Estimates,
    group_codes,
    term_columns,
)
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


@dataclass(frozen=True)
class SameSample:
    """What the fits of one sample's imputed copies share (``Estimates.reuse`` of the first
    fit): the sorted risk sets and the rows' times, events, strata and clusters they were
    built from (a later copy reuses them only where all of these are the same)."""

    risk_sets: coxph.RiskSets
    rows: tuple[np.ndarray, ...]
    clusters: np.ndarray | None

    def holds(self, rows: tuple[np.ndarray, ...], clusters: np.ndarray | None) -> bool:
        """Whether ``rows`` and ``clusters`` are those these risk sets were built from."""
        return all(_same(a, b) for a, b in zip(self.rows, rows, strict=True)) and _same(
            self.clusters, clusters
        )


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))


def fit(
    spec: ModelSpec,
    frame: pd.DataFrame,
    X: pd.DataFrame,
    settings: Settings,
    *,
    checks: bool,
    start: np.ndarray | None = None,
    reuse: SameSample | None = None,
) -> Estimates:
    """The fit of :func:`fit_arrays` on the model's sample; with ``reuse`` (from the fit of
    another imputed copy of the same sample: the same times, events, strata and clusters)
    the risk sets are not sorted again, only the covariates are taken from ``X``."""
    x = X.to_numpy(dtype=float)
    rows = (
        frame[TIME].to_numpy(dtype=float),
        (frame[EVENT_TYPE] == spec.event).to_numpy(dtype=float),
        group_codes(frame, spec.strata) if spec.strata else None,
    )
    clusters = group_codes(frame, spec.cluster) if spec.cluster else None
    if reuse is not None and reuse.holds(rows, clusters):
        rs = reuse.risk_sets.with_covariates(x)
    else:
        time, event, strata = rows
        rs = coxph.RiskSets.build(time, event, x, strata=strata, ties="efron")
        reuse = SameSample(rs, rows, clusters)
    est, result = _estimates(rs, list(X.columns), clusters, start)
    est.reuse = reuse
    if checks:
        test = cox_zph(rs, result, term_columns(X), settings.ph_time)
        est.diagnostics += dg.ph_rows(spec.name, test, settings.ph_alpha)
    return est


def fit_arrays(
    time: np.ndarray,
    event: np.ndarray,
    X: np.ndarray,
    columns: list[str],
    *,
    strata: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
    start: np.ndarray | None = None,
) -> tuple[Estimates, coxph.RiskSets, coxph.CoxFit]:
    """The fit of :func:`fit` on arrays (``event`` 1.0 for the event of interest; strata and
    cluster codes as ``group_codes``), with its risk sets and Newton-Raphson result."""
    rs = coxph.RiskSets.build(time, event, X, strata=strata, ties="efron")
    est, result = _estimates(rs, columns, clusters, start)
    return est, rs, result


def _estimates(
    rs: coxph.RiskSets,
    columns: list[str],
    clusters: np.ndarray | None,
    start: np.ndarray | None,
) -> tuple[Estimates, coxph.CoxFit]:
    result, bse = estimate(rs, start, clusters)
    se_type = "cluster_robust" if clusters is not None else "model"
    return Estimates(list(columns), result.params, bse, se_type), result
