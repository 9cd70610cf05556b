"""Fit one model specification and return tidy coefficients, diagnostics and a text summary.

Every model goes through the same steps: restrict the sample (``where``), keep the rows whose
outcome and cluster are known, handle missing covariates (complete cases, or multiple
imputation with Rubin's rules), build the design matrix, check it can be fitted, fit, check
the fit. A model that cannot be fitted is reported in the diagnostics and the others go on.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from teichaku.analysis import diagnostics as dg
from teichaku.analysis import distributions, imputation
from teichaku.analysis.conventions import SD_CONVENTION, se_convention
from teichaku.analysis.models import fit_function
from teichaku.analysis.models.base import (
    EVENT_TYPE,
    TIME,
    ConvergenceWarning,
    Estimates,
    ModelDataError,
)
from teichaku.analysis.models.fine_gray import PREDICTION_COLUMNS, predict
from teichaku.analysis.outputs import COEFFICIENT_COLUMNS
from teichaku.analysis.specs import AnalysisSpec, ModelSpec, PredictionSpec, Settings
from teichaku.analysis.sum_design import required_variables, sum_design
from teichaku.analysis.terms import tidy_term

__all__ = [
    "COEFFICIENT_COLUMNS",
    "PREDICTION_COLUMNS",
    "Estimates",
    "ModelDataError",
    "fit_model",
    "predictions",
    "prepare",
    "tidy",
]

#: A log hazard or odds ratio beyond this (a ratio above about 160,000) means the fit ran off
#: towards infinity: (quasi-)separation or a group without events.
LARGE_LOG_RATIO = 12.0


@dataclass
class Prepared:
    """The sample of one model: the frame (outcome, cluster, covariates) before encoding."""

    frame: pd.DataFrame
    formula_vars: list[str]
    n_dropped_missing: int
    n_without_cases: int = 0  # centers (data: centers) with no case of known outcome


def outcome_columns(spec: ModelSpec) -> list[str]:
    if spec.time_to_event:
        return [TIME, EVENT_TYPE]
    if spec.type == "binomial_counts":
        return [f"{spec.outcome}_yes", f"{spec.outcome}_no"]
    return [spec.outcome]


def _numeric(column: pd.Series) -> pd.Series:
    """Booleans and nullable numbers as float64 with NaN; categories and text unchanged."""
    if isinstance(column.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(column):
        return column
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return pd.Series(
            column.astype("Float64").to_numpy(dtype="float64", na_value=np.nan),
            index=column.index,
            name=column.name,
        )
    return column


def prepare(spec: ModelSpec, data: pd.DataFrame) -> Prepared:
    """Restrict the sample and drop rows that cannot enter the model."""
    formula_vars = required_variables(spec.formula)
    needed = outcome_columns(spec) + [c for c in (spec.cluster, spec.strata) if c]
    absent = [c for c in needed + formula_vars if c not in data.columns]
    if absent:
        raise ModelDataError(f"variables not in the {spec.data} data: {absent}")
    sample = data.query(spec.where, engine="python") if spec.where else data
    frame = pd.DataFrame({c: _numeric(sample[c]) for c in dict.fromkeys(needed + formula_vars)})
    frame = frame.dropna(subset=needed)
    n_no_cases = 0
    if spec.type == "binomial_counts":
        # A center without a case of known outcome carries no information on its share.
        trials = frame[outcome_columns(spec)].sum(axis=1)
        n_no_cases = int((trials == 0).sum())
        frame = frame[trials > 0]
    n_before = len(frame)
    categorical = [
        c
        for c in formula_vars
        if isinstance(frame[c].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(frame[c])
    ]
    # Multiple imputation covers numeric covariates; the rest are complete cases.
    complete = formula_vars if spec.missing == "complete_cases" else categorical
    frame = frame.dropna(subset=complete)
    for c in categorical:
        if isinstance(frame[c].dtype, pd.CategoricalDtype):
            frame[c] = frame[c].cat.remove_unused_categories()
    return Prepared(frame, formula_vars, n_before - len(frame), n_no_cases)


def design(spec: ModelSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The design matrix; time-to-event models have no intercept (it is absorbed by the
    baseline hazard)."""
    built = sum_design(spec.formula, frame)
    if built is None:
        X, terms = _formulaic_design(spec.formula, frame)
    else:
        X, terms = built
    if spec.time_to_event:
        X = X.drop(columns=["Intercept"], errors="ignore")
    # the columns of each formula term (a factor's levels together), for tests per term
    X.attrs["term_columns"] = {
        term: [c for c in columns if c in X.columns] for term, columns in terms.items()
    }
    return X


def _formulaic_design(formula: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The design (with its intercept) and the columns of each term, by formulaic."""
    from formulaic import model_matrix

    matrix = model_matrix(formula, frame, na_action="raise")
    columns = list(matrix.columns)
    X = pd.DataFrame(np.asarray(matrix, dtype=float), columns=columns, index=frame.index)
    terms = {
        str(term): [columns[i] for i in indices]
        for term, indices in matrix.model_spec.term_indices.items()
        if str(term) != "1"
    }
    return X, terms


def count_events(spec: ModelSpec, frame: pd.DataFrame, event: str | None = None) -> int:
    if spec.time_to_event:
        return int((frame[EVENT_TYPE] == (event or spec.event)).sum())
    if spec.type == "binomial_counts":
        return int(frame[f"{spec.outcome}_yes"].sum())
    return int(frame[spec.outcome].sum())


def convergence_warnings() -> tuple[type[Warning], ...]:
    """The warnings that mark a fit as not converged: ours and, once a model type using
    statsmodels has imported it, statsmodels' (without it, no fit could have raised it)."""
    statsmodels = sys.modules.get("statsmodels.tools.sm_exceptions")
    return (ConvergenceWarning, *((statsmodels.ConvergenceWarning,) if statsmodels else ()))


def collect_warnings(caught: list[warnings.WarningMessage]) -> tuple[list[str], bool]:
    messages = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    not_converged = convergence_warnings()
    converged = not any(issubclass(w.category, not_converged) for w in caught)
    return messages, converged


def _fit_once(
    spec: ModelSpec,
    frame: pd.DataFrame,
    X: pd.DataFrame,
    settings: Settings,
    checks: bool,
    start: np.ndarray | None = None,
    reuse: object = None,
) -> Estimates:
    """Fit the model on one complete design with its type's fit function (see
    :mod:`teichaku.analysis.models`); ``checks`` adds the model-specific diagnostics.
    ``start`` (Cox) starts Newton's method there: the imputed data sets differ little;
    ``reuse`` is the first imputed data set's ``Estimates.reuse`` (passed on when set)."""
    fit = fit_function(spec.type)
    shared = {} if reuse is None else {"reuse": reuse}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = fit(spec, frame, X, settings, checks=checks, start=start, **shared)
    messages, converged = collect_warnings(caught)
    est.warnings = messages + est.warnings
    est.converged = est.converged and converged
    return est


def nelson_aalen(time: np.ndarray, event: np.ndarray) -> np.ndarray:
    """The Nelson-Aalen cumulative hazard evaluated at each observation's own time."""
    event_times = np.unique(time[event == 1])
    if len(event_times) == 0:
        return np.zeros(len(time))
    at_risk = len(time) - np.searchsorted(np.sort(time), event_times, side="left")
    deaths = np.bincount(np.searchsorted(event_times, time[event == 1]), minlength=len(event_times))
    cumulative = np.cumsum(deaths / at_risk)
    index = np.searchsorted(event_times, time, side="right") - 1
    return np.where(index >= 0, cumulative[np.maximum(index, 0)], 0.0)


def _impute(spec: ModelSpec, prepared: Prepared, settings: Settings) -> Iterator[pd.DataFrame]:
    """Completed copies of the frame by chained equations (predictive mean matching, m
    independent chains: teichaku.analysis.imputation), one at a time. The rows are imputed
    in a canonical order (sorted by every column of the model), so the result does not
    depend on the order of the input rows; each copy keeps the frame's own row order."""
    numeric = [c for c in prepared.formula_vars if pd.api.types.is_float_dtype(prepared.frame[c])]
    to_impute = [c for c in numeric if prepared.frame[c].isna().any()]
    if not to_impute:
        yield prepared.frame
        return
    frame = prepared.frame.iloc[imputation.canonical_order(prepared.frame)]
    # The imputation model holds the covariates (categorical ones as indicators) and the
    # outcome (for Cox: White and Royston 2009, the event indicator and the Nelson-Aalen
    # cumulative hazard at the follow-up time, rather than the time itself).
    imp = pd.DataFrame({c: frame[c] for c in numeric})
    for c in prepared.formula_vars:
        if c not in numeric:
            dummies = pd.get_dummies(frame[c].astype("string"), prefix=c, drop_first=True)
            imp = imp.join(dummies.astype(float))
    if spec.time_to_event:
        event = (frame[EVENT_TYPE] == spec.event).to_numpy(dtype=float)
        imp["outcome_cumhaz"] = nelson_aalen(frame[TIME].to_numpy(dtype=float), event)
        imp["outcome_event"] = event
    elif spec.type != "binomial_counts":
        imp["outcome_value"] = frame[spec.outcome]
    for filled in imputation.impute(
        imp, settings.mice_imputations, settings.mice_burn_in, settings.seed
    ):
        copy = frame.copy()
        copy[to_impute] = filled[to_impute]
        yield copy


def _rubin(fits: list[Estimates], n: int) -> Estimates:
    """Combine the fits of the imputed data sets by Rubin's rules with Barnard-Rubin degrees
    of freedom (complete-data df: ``n`` minus the number of coefficients, as mice::pool)."""
    pooled = imputation.pool(
        np.array([f.params for f in fits]),
        np.array([f.bse**2 for f in fits]),
        df_complete=n - len(fits[0].params),
    )
    out = Estimates(
        fits[0].columns,
        pooled.estimate,
        pooled.std_error,
        f"rubin_{fits[0].se_type}",
        df=pooled.df,
    )
    out.warnings = sorted({w for f in fits for w in f.warnings})
    out.converged = all(f.converged for f in fits)
    return out


def fit_model(
    spec: ModelSpec, data: pd.DataFrame, settings: Settings
) -> tuple[Estimates | None, list[dict], dict]:
    """Fit ``spec`` on ``data``. Returns (estimates or None, diagnostics rows, sample info)."""
    diags: list[dict] = []
    prepared = prepare(spec, data)
    frame = prepared.frame
    n_events = count_events(spec, frame)
    info = {
        "n": len(frame),
        "n_events": n_events,
        "n_clusters": int(frame[spec.cluster].nunique())
        if spec.cluster
        else (len(frame) if spec.data == "centers" else None),
        "n_dropped_missing": prepared.n_dropped_missing,
    }
    if spec.data == "centers":
        info["n_cases"] = int(frame[outcome_columns(spec)].to_numpy().sum())
        info["n_centers_without_cases"] = prepared.n_without_cases
        diags.append(
            dg.row(
                spec.name,
                "sample",
                "ok",
                f"n = {len(frame)} centers (rows of the awareness survey with at least one case "
                f"of known {spec.outcome}; {prepared.n_without_cases} without), "
                f"{info['n_cases']} cases",
                value=float(len(frame)),
            )
        )
    # the imputed data sets one at a time: each is fitted and dropped
    frames = _impute(spec, prepared, settings) if spec.missing == "mice" else iter([frame])
    first = next(frames)
    X0 = design(spec, first)
    binary_events = n_events
    if not spec.time_to_event:
        binary_events = min(n_events, (info.get("n_cases") or len(frame)) - n_events)
    problems = dg.sample_problems(X0, binary_events)
    if problems:
        diags.append(dg.row(spec.name, "fit", "error", "not fitted: " + "; ".join(problems)))
        return None, diags, info
    fits = [_fit_once(spec, first, X0, settings, checks=True)]
    for f in frames:
        fits.append(
            _fit_once(
                spec,
                f,
                design(spec, f),
                settings,
                checks=False,
                start=fits[0].params if spec.time_to_event else None,
                reuse=fits[0].reuse,
            )
        )
    # complete-data df of Barnard-Rubin: observations minus coefficients, as mice::pool
    # takes it (for coxph its nobs, the number of events)
    n_complete = n_events if spec.time_to_event else len(frame)
    est = fits[0] if len(fits) == 1 else _rubin(fits, n_complete)
    if len(fits) > 1:
        est.diagnostics = fits[0].diagnostics
        imputed = [c for c in prepared.formula_vars if frame[c].isna().any()]
        diags.append(
            dg.row(
                spec.name,
                "multiple_imputation",
                "ok",
                f"{len(fits)} imputations of {imputed} (independent chains of "
                f"{settings.mice_burn_in} cycles, predictive mean matching); "
                f"{int(frame[imputed].isna().any(axis=1).sum())} of {len(frame)} "
                "rows had a value imputed",
                value=float(len(fits)),
            )
        )
    finite = bool(np.all(np.isfinite(est.params)) and np.all(np.isfinite(est.bse)))
    status = "ok" if est.converged and finite and not est.warnings else "warning"
    if not finite:
        status = "error"
    message = "converged" if est.converged else "did not converge"
    if not finite:
        message += "; some estimates or standard errors are not finite"
    if est.warnings:
        message += "; " + " | ".join(est.warnings)
    diags.append(dg.row(spec.name, "convergence", status, message))
    for col, b in zip(est.columns, est.params, strict=True):
        if col != "Intercept" and np.isfinite(b) and abs(b) > LARGE_LOG_RATIO:
            diags.append(
                dg.row(
                    spec.name,
                    "separation",
                    "warning",
                    f"|log ratio| = {abs(b):.1f} > {LARGE_LOG_RATIO:g}: the estimate runs off to "
                    "the boundary (separation or no events in one group)",
                    term=tidy_term(col),
                    value=float(b),
                    threshold=LARGE_LOG_RATIO,
                )
            )
    terms = [tidy_term(c) for c in est.columns if c != "Intercept"]
    n_parameters = len(terms) + len(est.extra)
    diags.append(
        dg.epv_row(spec.name, binary_events, n_parameters, settings.min_events_per_variable)
    )
    diags += dg.vif_rows(spec.name, X0, [tidy_term(c) for c in X0.columns], settings.vif_max)
    diags += est.diagnostics
    return est, diags, info


def predictions(
    spec: AnalysisSpec, prediction: PredictionSpec, data: pd.DataFrame, min_cell: int
) -> pd.DataFrame:
    """The predicted cumulative incidence of one ``predictions:`` entry, on the model's
    complete-case sample, cut (like the published curves) after the time up to which at
    least ``min_cell`` cases are still followed: a predicted step further out rests on the
    follow-up of fewer people. A sample smaller than ``min_cell`` gives no rows."""
    model = spec.model(prediction.model)
    frame = prepare(model, data).frame
    followup = frame[TIME].dropna().sort_values(ascending=False)
    if len(followup) < min_cell:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    table = predict(model, frame, design(model, frame), prediction)
    return table[table["time"] <= float(followup.iloc[min_cell - 1])].reset_index(drop=True)


def tidy(spec: ModelSpec, est: Estimates, info: dict, settings: Settings) -> pd.DataFrame:
    """One row per term on the reported scale (HR or OR; SD for a random-effect SD)."""
    alpha = 1 - settings.confidence
    # t quantiles with Rubin's df (an infinite df gives the normal quantile)
    q = (
        distributions.t_quantile(1 - alpha / 2, est.df)
        if est.df is not None
        else np.full(len(est.params), distributions.normal_quantile(1 - alpha / 2))
    )
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = est.params / est.bse
        if not est.p_available:
            p = np.full_like(z, np.nan)
        elif est.df is not None:
            p = 2 * distributions.t_sf(np.abs(z), est.df)
        else:
            p = 2 * distributions.normal_sf(np.abs(z))
    with np.errstate(over="ignore"):  # a runaway estimate shows as inf (and is flagged)
        estimate, low, high = (
            np.exp(est.params),
            np.exp(est.params - q * est.bse),
            np.exp(est.params + q * est.bse),
        )
    convention = se_convention(
        spec.type, est.se_type, settings.quadrature_points, settings.mice_imputations
    )
    rows = []
    for i, col in enumerate(est.columns):
        rows.append(
            {
                "term": tidy_term(col),
                "scale": "odds" if col == "Intercept" and not spec.time_to_event else spec.scale,
                "estimate": estimate[i],
                "conf_low": low[i],
                "conf_high": high[i],
                "std_error": est.bse[i],
                "p_value": p[i],
                "se_convention": convention,
            }
        )
    z0 = distributions.normal_quantile(1 - alpha / 2)
    for extra in est.extra:
        m, s = extra["log_mean"], extra["log_sd"]
        rows.append(
            {
                "term": extra["column"],
                "scale": "SD",
                "estimate": np.exp(m),
                "conf_low": np.exp(m - z0 * s),
                "conf_high": np.exp(m + z0 * s),
                "std_error": s,
                "p_value": np.nan,
                "se_convention": SD_CONVENTION,
            }
        )
    out = pd.DataFrame(rows)
    out.insert(0, "model", spec.name)
    out["role"] = spec.role
    out["type"] = spec.type
    out["se_type"] = est.se_type
    out["n"] = info["n"]
    out["n_events"] = info["n_events"]
    out["n_clusters"] = info["n_clusters"]
    return out
