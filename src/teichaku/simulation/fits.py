"""The replicate's fits on arrays: what ``teichaku.analysis.fit.fit_model`` computes for a
case-level, complete-case model, without its per-fit formula machinery, DataFrame copies and
diagnostics (PH test, VIF), which the simulation does not keep.

Per replicate the analysis dataset's columns are arrays (:class:`Columns`: derived from
the drawn arrays by ``teichaku.simulation.dataset``, or converted once from a DataFrame);
per model the sample is a mask over them and the design matrix is assembled from those
arrays as formulaic would encode it (numeric variables as they are, a categorical one as
treatment indicators of the levels present in the sample after the first), once for the
models that share a sample. That covers formulas that are sums of variables; a model with
another formula, a ``where:``, strata or a type without an array fit (:data:`ARRAY_TYPES`)
goes through ``fit_model`` itself. Both give the same estimates and SEs; the Fine-Gray
model's come from the fit without split rows (``teichaku.analysis.finegray.fit_clustered``),
equal to the split-row fit to rounding (about 1e-13).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from formulaic import Formula
from formulaic.parser.types import Factor

from teichaku.analysis import diagnostics as dg
from teichaku.analysis.fit import collect_warnings, fit_model
from teichaku.analysis.models import cox, fine_gray, logit, mixed_logit
from teichaku.analysis.models.base import EVENT_TYPE, TIME, Estimates, ModelDataError
from teichaku.analysis.specs import ModelSpec, Settings

#: Model types fitted on arrays (the Fine-Gray model only with ``cluster:``).
ARRAY_TYPES = ("cox", "fine_gray", "logit", "mixed_logit")


@cache
def formula_variables(formula: str) -> tuple[str, ...] | None:
    """The variables of a formula that is a sum of variables (with or without the
    intercept), in the order of its design columns; None for any other formula."""
    variables = []
    for term in Formula(formula):
        if str(term) == "1":
            continue
        factors = list(term.factors)
        if len(factors) != 1 or factors[0].eval_method != Factor.EvalMethod.LOOKUP:
            return None
        variables.append(str(factors[0].expr))
    return tuple(variables)


def fits_on_arrays(spec: ModelSpec) -> bool:
    """Whether :func:`fit_arrays` fits ``spec`` (else ``fit_model`` does)."""
    return (
        spec.type in ARRAY_TYPES
        and not spec.where
        and not spec.strata
        and (spec.type != "fine_gray" or bool(spec.cluster))
        and formula_variables(spec.formula) is not None
    )


class Columns:
    """The analysis dataset's columns as arrays, each converted once: numbers (booleans and
    nullable numbers as float with NaN, as ``prepare`` does), categories as codes (-1
    missing) and text as sorted codes (the order of ``group_codes``).

    Built from the dataset's DataFrame (converted column by column as the models ask), or
    with :meth:`from_arrays` from arrays that hold those values already (a simulation
    replicate's dataset, ``teichaku.simulation.dataset``), the DataFrame then built only
    if a model that is not fitted on arrays asks for it.
    """

    def __init__(self, data: pd.DataFrame) -> None:
        self._data = data
        self._frame = None
        self.names = frozenset(data.columns)
        self.n = len(data)
        self._numbers: dict[str, np.ndarray] = {}
        self._codes: dict[str, tuple[np.ndarray, list]] = {}
        self._categorical: dict[str, bool] = {}
        self._known: dict[str, np.ndarray] = {}
        #: what models with the same sample share (its design, its checks), by key
        self.shared: dict[tuple, object] = {}

    @classmethod
    def from_arrays(
        cls,
        n: int,
        numbers: dict[str, np.ndarray],
        codes: dict[str, tuple[np.ndarray, list]],
        frame: Callable[[], pd.DataFrame],
        others: tuple[str, ...] = (),
    ) -> Columns:
        """Columns of ``n`` rows given as arrays: ``numbers`` (float, NaN missing) and
        ``codes`` (codes 0..K-1, -1 missing, and the K levels); ``frame`` builds the same
        dataset as a DataFrame, from which the columns named in ``others`` are read."""
        self = cls.__new__(cls)
        self._data, self._frame = None, frame
        self.names = frozenset(numbers) | frozenset(codes) | frozenset(others)
        self.n = n
        self._numbers, self._codes = dict(numbers), dict(codes)
        self._categorical = {**dict.fromkeys(numbers, False), **dict.fromkeys(codes, True)}
        self._known = {}
        self.shared = {}
        return self

    @property
    def data(self) -> pd.DataFrame:
        """The dataset as a DataFrame (built once, when first asked for)."""
        if self._data is None:
            self._data = self._frame()
        return self._data

    def is_categorical(self, name: str) -> bool:
        if name not in self._categorical:
            dtype = self.data[name].dtype
            self._categorical[name] = isinstance(
                dtype, pd.CategoricalDtype
            ) or pd.api.types.is_string_dtype(dtype)
        return self._categorical[name]

    def number(self, name: str) -> np.ndarray:
        if name not in self._numbers:
            column = self.data[name]
            self._numbers[name] = column.astype("Float64").to_numpy(
                dtype="float64", na_value=np.nan
            )
        return self._numbers[name]

    def codes(self, name: str) -> tuple[np.ndarray, list]:
        """Codes 0..K-1 of a category (or text, sorted) column and its K levels; -1 missing."""
        if name not in self._codes:
            column = self.data[name]
            if isinstance(column.dtype, pd.CategoricalDtype):
                self._codes[name] = (column.cat.codes.to_numpy(), list(column.cat.categories))
            else:
                codes, levels = pd.factorize(column, sort=True, use_na_sentinel=True)
                self._codes[name] = (codes, list(levels))
        return self._codes[name]

    def known(self, name: str) -> np.ndarray:
        if name not in self._known:
            if self.is_categorical(name):
                self._known[name] = self.codes(name)[0] >= 0
            else:
                self._known[name] = ~np.isnan(self.number(name))
        return self._known[name]


@dataclass(frozen=True)
class Sample:
    """One model's complete-case sample: its rows, design and what the fit reads."""

    rows: np.ndarray  # indices into the dataset
    X: np.ndarray
    columns: list[str]
    clusters: np.ndarray | None  # codes 0..G-1 in the sorted order of the cluster's text


def _outcome_columns(spec: ModelSpec) -> list[str]:
    return [TIME, EVENT_TYPE] if spec.time_to_event else [spec.outcome]


def _sample_key(spec: ModelSpec) -> tuple:
    """What a model's sample and design depend on: models with the same key share them
    (the Cox and Fine-Gray models of one event, the logistic and mixed models of one
    outcome)."""
    needed = _outcome_columns(spec) + ([spec.cluster] if spec.cluster else [])
    return tuple(needed), formula_variables(spec.formula), spec.time_to_event, spec.cluster


def sample(spec: ModelSpec, columns: Columns) -> Sample:
    """The rows of ``prepare`` (outcome and cluster known, then every formula variable
    known) and the design matrix of ``design`` on them (built once per replicate for the
    models that share them, read-only)."""
    key = ("sample", *_sample_key(spec))
    if key not in columns.shared:
        columns.shared[key] = _sample(spec, columns)
    return columns.shared[key]


def _sample(spec: ModelSpec, columns: Columns) -> Sample:
    variables = formula_variables(spec.formula)
    needed = _outcome_columns(spec) + ([spec.cluster] if spec.cluster else [])
    absent = [c for c in needed + list(variables) if c not in columns.names]
    if absent:
        raise ModelDataError(f"variables not in the {spec.data} data: {absent}")
    keep = np.ones(columns.n, dtype=bool)
    for name in dict.fromkeys(needed + list(variables)):
        keep &= columns.known(name)
    rows = np.flatnonzero(keep)
    parts, names = [], []
    if not spec.time_to_event:
        parts.append(np.ones((len(rows), 1)))
        names.append("Intercept")
    for name in variables:
        if not columns.is_categorical(name):
            parts.append(columns.number(name)[rows, None])
            names.append(name)
            continue
        codes, levels = columns.codes(name)
        present = np.unique(codes[rows])  # the sample's levels, in the category order
        for level in present[1:]:
            parts.append((codes[rows] == level).astype(float)[:, None])
            names.append(f"{name}[T.{levels[level]}]")
    clusters = None
    if spec.cluster:
        clusters = np.unique(columns.codes(spec.cluster)[0][rows], return_inverse=True)[1]
    # column-major, as the design's DataFrame gives it: the same BLAS sums, the same bits
    X = np.asfortranarray(np.hstack(parts) if parts else np.empty((len(rows), 0)))
    for shared in (rows, X, clusters):
        if shared is not None:
            shared.flags.writeable = False
    return Sample(rows, X, names, clusters)


def _event_types(columns: Columns, rows: np.ndarray) -> np.ndarray:
    codes, levels = columns.codes(EVENT_TYPE)
    return np.asarray(levels, dtype=object)[codes[rows]]


def _fit(spec: ModelSpec, s: Sample, columns: Columns, settings: Settings) -> Estimates:
    if spec.type == "cox":
        event = (_event_types(columns, s.rows) == spec.event).astype(float)
        time = columns.number(TIME)[s.rows]
        return cox.fit_arrays(time, event, s.X, s.columns, clusters=s.clusters)[0]
    if spec.type == "fine_gray":
        status = fine_gray.statuses(_event_types(columns, s.rows), spec.event)
        time = columns.number(TIME)[s.rows]
        return fine_gray.fit_unsplit(time, status, s.X, s.columns, s.clusters)
    y = columns.number(spec.outcome)[s.rows]
    if spec.type == "logit":
        return logit.fit_arrays(y, s.X, s.columns, s.clusters)
    return mixed_logit.fit_arrays(
        y, s.X, s.columns, s.clusters, spec.cluster, settings.quadrature_points
    )


def fit_arrays(
    spec: ModelSpec, columns: Columns, settings: Settings
) -> tuple[Estimates | None, dict]:
    """``fit_model``'s estimates and sample information (n, n_events, n_clusters) of a
    model :func:`fits_on_arrays` accepts; None when the sample cannot support the model."""
    s = sample(spec, columns)
    if spec.time_to_event:
        n_events = int((_event_types(columns, s.rows) == spec.event).sum())
    else:
        n_events = int(columns.number(spec.outcome)[s.rows].sum())
    info = {
        "n": len(s.rows),
        "n_events": n_events,
        "n_clusters": int(s.clusters.max()) + 1 if spec.cluster and len(s.rows) else 0,
    }
    binary_events = n_events
    if not spec.time_to_event:
        binary_events = min(n_events, len(s.rows) - n_events)
    key = ("problems", *_sample_key(spec), binary_events == 0)
    if key not in columns.shared:
        columns.shared[key] = dg.design_problems(s.X, s.columns, binary_events)
    if columns.shared[key]:
        return None, info
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = _fit(spec, s, columns, settings)
    messages, converged = collect_warnings(caught)
    est.warnings = messages + est.warnings
    est.converged = est.converged and converged
    return est, info


def fit(spec: ModelSpec, columns: Columns, settings: Settings) -> tuple[Estimates | None, dict]:
    """The estimates and sample information of ``spec`` on the replicate's dataset: on
    arrays when :func:`fits_on_arrays`, else by ``fit_model`` on its DataFrame."""
    if fits_on_arrays(spec):
        return fit_arrays(spec, columns, settings)
    est, _, info = fit_model(spec, columns.data, settings)
    return est, info
