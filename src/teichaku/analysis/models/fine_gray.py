"""Fine-Gray subdistribution hazard model (``type: fine_gray``) of ``event``, the other ends
of follow-up competing: a weighted Cox model (Breslow ties) of the split rows of
:mod:`teichaku.analysis.finegray`, computed without splitting them
(:func:`teichaku.analysis.finegray.fit_unsplit`: sums over the persons, so memory and time
grow linearly with the sample; the split rows grow with the persons times the event times).
The R reference it follows depends on ``cluster:``:

- with ``cluster:`` (SEs clustered by center): ``survival::finegray()`` + ``coxph(Surv(fgstart,
  fgstop, fgstatus) ~ ., weights = fgwt, ties = "breslow", cluster = )``: finegray's rows and
  censoring distribution (ends before censorings at a shared time), and coxph's grouped-score
  sandwich, which treats the censoring weights as known (no term for their estimation; cmprsk
  has no clustered variance). Estimates and SEs equal that coxph fit's to rounding.
- without: ``cmprsk::crr``: crr's censoring distribution and Fine and Gray's own sandwich,
  each person a cluster, with the term for the estimated censoring distribution.

On the survey the two censoring conventions move the estimates by a few 1e-5 (log scale) and
the censoring term moves the SEs by at most 0.12 %.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from teichaku.analysis import coxph, finegray
from teichaku.analysis.models.base import (
    EVENT_TYPE,
    TIME,
    ConvergenceWarning,
    Estimates,
    group_codes,
)
from teichaku.analysis.specs import ModelSpec, PredictionSpec, Settings
from teichaku.analysis.terms import tidy_term

TIES = "breslow"
#: SE types: coxph's cluster sandwich on finegray's rows, or crr's variance
CLUSTERED, CRR = "cluster_robust", "crr"


def censoring_convention(spec: ModelSpec) -> str:
    """The censoring convention of the R reference the model follows (module docstring)."""
    return "finegray" if spec.cluster else "crr"


def status_codes(frame: pd.DataFrame, event: str) -> np.ndarray:
    """finegray's codes: the event of interest, a competing end, or censored (open)."""
    return statuses(frame[EVENT_TYPE].astype(str).to_numpy(), event)


def statuses(ended: np.ndarray, event: str) -> np.ndarray:
    """:func:`status_codes` of an array of event types (text)."""
    return np.where(
        ended == event,
        finegray.EVENT,
        np.where(ended == "censored", finegray.CENSORED, finegray.COMPETING),
    )


def fit_arrays(
    time: np.ndarray,
    status: np.ndarray,
    X: np.ndarray,
    censoring_ties: str,
    start: np.ndarray | None = None,
) -> finegray.UnsplitFit:
    """The fit without split rows (:func:`teichaku.analysis.finegray.fit_unsplit`), warning
    when Newton-Raphson did not converge; a singular information is a
    :class:`~teichaku.analysis.coxph.CoxConvergenceError`, as for the Cox model."""
    try:
        result = finegray.fit_unsplit(time, status, X, censoring_ties, start=start)
    except np.linalg.LinAlgError as err:
        raise coxph.CoxConvergenceError("the information matrix is singular") from err
    if not result.converged:
        warnings.warn(
            f"Newton-Raphson did not converge in {result.n_iter} iterations",
            ConvergenceWarning,
            stacklevel=3,
        )
    return result


def _fit_frame(
    spec: ModelSpec, frame: pd.DataFrame, X: pd.DataFrame, start: np.ndarray | None = None
) -> finegray.UnsplitFit:
    return fit_arrays(
        frame[TIME].to_numpy(dtype=float),
        status_codes(frame, spec.event),
        X.to_numpy(dtype=float),
        censoring_convention(spec),
        start,
    )


def fit(
    spec: ModelSpec,
    frame: pd.DataFrame,
    X: pd.DataFrame,
    settings: Settings,
    *,
    checks: bool,
    start: np.ndarray | None = None,
) -> Estimates:
    result = _fit_frame(spec, frame, X, start)
    if spec.cluster:
        cov = result.clustered_cov(group_codes(frame, spec.cluster))
        se_type = CLUSTERED
    else:
        cov = result.crr_cov()
        se_type = CRR
    return Estimates(list(X.columns), result.params, np.sqrt(np.diag(cov)), se_type)


def fit_unsplit(
    time: np.ndarray, status: np.ndarray, X: np.ndarray, columns: list[str], clusters: np.ndarray
) -> Estimates:
    """The estimates and clustered SEs of :func:`fit` (a model with ``cluster:``) on arrays
    (:func:`teichaku.analysis.finegray.fit_clustered`, the same computation without the
    frame: the simulation's replicates)."""
    # the censoring convention of a model with clusters (censoring_convention)
    result = finegray.fit_clustered(time, status, X, clusters, "finegray")
    if not result.converged:
        warnings.warn(
            f"Newton-Raphson did not converge in {result.n_iter} iterations",
            ConvergenceWarning,
            stacklevel=2,
        )
    return Estimates(list(columns), result.params, np.sqrt(np.diag(result.cov)), CLUSTERED)


def point_estimates(spec: ModelSpec, frame: pd.DataFrame, X: pd.DataFrame) -> finegray.PointFit:
    """The estimates of :func:`fit` without its SEs (the simulation's population)."""
    return finegray.fit_coefficients(
        frame[TIME].to_numpy(dtype=float),
        status_codes(frame, spec.event),
        X.to_numpy(dtype=float),
        censoring_convention(spec),
    )


PREDICTION_COLUMNS = ["prediction", "model", "term", "value", "time", "cif"]


def predict(
    spec: ModelSpec, frame: pd.DataFrame, X: pd.DataFrame, prediction: PredictionSpec
) -> pd.DataFrame:
    """The rows of results/models/cif_predicted.parquet for one prediction specification
    : each term of ``vary`` at 0 and at 1, the
    other design columns at their sample means, on a grid of ``step`` months; from the
    fit whose coefficients are reported (the same censoring convention)."""
    result = _fit_frame(spec, frame, X)
    columns = [tidy_term(c) for c in X.columns]
    last = float(result.event_times.max())
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
        cif = result.cumulative_incidence(profiles, times)
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
