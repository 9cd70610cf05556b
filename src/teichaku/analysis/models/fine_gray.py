"""Fine-Gray subdistribution hazard model (``type: fine_gray``) of ``event``, the other ends
of follow-up competing, as ``cmprsk::crr`` fits it: the split, weighted rows of
:mod:`teichaku.analysis.finegray`, Breslow ties (crr has no other), crr's censoring
distribution; SEs from Fine and Gray's sandwich (score residuals plus the term for the
estimated censoring distribution), summed within clusters (each person a cluster without
``cluster:``: crr's variance)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from teichaku.analysis import coxph, finegray
from teichaku.analysis.models.base import EVENT_TYPE, TIME, Estimates, group_codes
from teichaku.analysis.specs import ModelSpec, PredictionSpec, Settings
from teichaku.analysis.terms import tidy_term

TIES = "breslow"


def status_codes(frame: pd.DataFrame, event: str) -> np.ndarray:
    """finegray's codes: the event of interest, a competing end, or censored (open)."""
    ended = frame[EVENT_TYPE].astype(str).to_numpy()
    return np.where(
        ended == event,
        finegray.EVENT,
        np.where(ended == "censored", finegray.CENSORED, finegray.COMPETING),
    )


def risk_sets(
    frame: pd.DataFrame, X: pd.DataFrame, event: str, censoring_ties: str = "crr"
) -> tuple[coxph.RiskSets, np.ndarray]:
    """The weighted risk sets of the split rows, and the original row of each split row."""
    rows = finegray.split_rows(
        frame[TIME].to_numpy(dtype=float), status_codes(frame, event), censoring_ties
    )
    rs = coxph.RiskSets.build(
        rows.stop,
        rows.event,
        X.to_numpy(dtype=float)[rows.row],
        entry=rows.start,
        weights=rows.weight,
        ties=TIES,
    )
    return rs, rows.row


def fit(
    spec: ModelSpec,
    frame: pd.DataFrame,
    X: pd.DataFrame,
    settings: Settings,
    *,
    checks: bool,
    start: np.ndarray | None = None,
) -> Estimates:
    rs, row = risk_sets(frame, X, spec.event)
    result = coxph.fit(rs, start)
    if not result.converged:
        warnings.warn(
            f"Newton-Raphson did not converge in {result.n_iter} iterations",
            ConvergenceWarning,
            stacklevel=2,
        )
    clusters = group_codes(frame, spec.cluster) if spec.cluster else None
    cov = robust_cov(rs, result, row, frame, spec.event, clusters)
    return Estimates(list(X.columns), result.params, np.sqrt(np.diag(cov)), "cluster_robust")


def robust_cov(
    rs: coxph.RiskSets,
    result: coxph.CoxFit,
    row: np.ndarray,
    frame: pd.DataFrame,
    event: str,
    clusters: np.ndarray | None,
) -> np.ndarray:
    """Fine and Gray's sandwich: per person the weighted score residuals of their rows (eta)
    plus the censoring term psi (:func:`teichaku.analysis.finegray.censoring_residuals`),
    summed within ``clusters`` (each person alone without), around the inverse information.
    Each person a cluster, this is ``crr``'s variance; summed within centers, the clustered
    version of Zhou et al. (2012). Without psi it would be ``coxph(cluster = )`` on the split
    rows, which treats G as known."""
    n = len(frame)
    t = result.terms
    eta = np.zeros((n, rs.x.shape[1]))
    np.add.at(eta, row, coxph.score_residuals(rs, t) * rs.weights[:, None])
    # the first n split rows are the persons' own rows, in order (finegray.split_rows)
    psi = finegray.censoring_residuals(
        frame[TIME].to_numpy(dtype=float),
        status_codes(frame, event),
        t.risk[:n],
        rs.x[:n],
        rs.group_time,
        t.hazard_sum,
        t.mean_hazard,
    )
    return coxph.sandwich(result.information, eta + psi, np.ones(n), clusters)


def cumulative_incidence(
    rs: coxph.RiskSets, result: coxph.CoxFit, profiles: np.ndarray, times: np.ndarray
) -> np.ndarray:
    """F(t | z) = 1 - exp(-L0(t) exp(z b)) for each row z of ``profiles`` (design columns)
    at ``times``, with L0 the Breslow estimate of the baseline subdistribution cumulative
    hazard (as ``predict.crr``)."""
    t = result.terms
    # hazard increments are on the scale of exp(x_c b - shift), x_c = x - x_mean
    steps = np.cumsum(t.hazard_sum) * np.exp(-t.shift)
    index = np.searchsorted(rs.group_time, times, side="right") - 1
    baseline = np.where(index >= 0, steps[np.maximum(index, 0)], 0.0)
    lp = (profiles - rs.x_mean) @ result.params
    return 1.0 - np.exp(-np.outer(np.exp(lp), baseline))


PREDICTION_COLUMNS = ["prediction", "model", "term", "value", "time", "cif"]


def predict(
    spec: ModelSpec, frame: pd.DataFrame, X: pd.DataFrame, prediction: PredictionSpec
) -> pd.DataFrame:
    """The rows of results/models/cif_predicted.parquet for one prediction specification
    : each term of ``vary`` at 0 and at 1, the
    other design columns at their sample means, on a grid of ``step`` months."""
    rs, _ = risk_sets(frame, X, spec.event)
    result = coxph.fit(rs)
    columns = [tidy_term(c) for c in X.columns]
    last = float(rs.group_time.max())
    times = np.arange(0.0, last + prediction.step / 2, prediction.step)
    times = times[times <= last]
    parts = []
    for term in prediction.vary:
        if term not in columns:
            raise ValueError(f"prediction {prediction.name}: {term!r} is not a term of {spec.name}")
        j = columns.index(term)
        if not np.isin(X.iloc[:, j].unique(), (0.0, 1.0)).all():
            raise ValueError(f"prediction {prediction.name}: {term!r} is not a 0/1 term")
        profiles = np.tile(X.to_numpy(dtype=float).mean(axis=0), (2, 1))
        profiles[:, j] = (0.0, 1.0)
        cif = cumulative_incidence(rs, result, profiles, times)
        for value, curve in zip((0, 1), cif, strict=True):
            parts.append(
                pd.DataFrame(
                    {
                        "prediction": prediction.name,
                        "model": spec.name,
                        "term": term,
                        "value": value,
                        "time": times,
                        "cif": curve,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)[PREDICTION_COLUMNS]
