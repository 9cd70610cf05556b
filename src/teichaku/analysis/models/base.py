"""What every model type shares: the estimates a fit returns and the helpers the fits use.

A model type is a module of this package with one function

    fit(spec, frame, X, settings, *, checks, start=None[, reuse=None]) -> Estimates

``frame`` is the model's sample (outcome, cluster, strata and covariate columns, see
``teichaku.analysis.fit.prepare``), ``X`` its design matrix (a DataFrame, one column per
coefficient), ``checks`` asks for the model-specific diagnostics rows (False for the second
and later imputed data sets) and ``start`` optional starting values (from the first imputed
data set). A type whose fit sets ``Estimates.reuse`` (what does not depend on the imputed
values) is given it back as ``reuse=`` for the later imputed data sets. Warnings raised
inside ``fit`` are collected by the caller; a ConvergenceWarning marks the fit as not
converged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from teichaku.analysis.terms import tidy_term

#: IRLS stops at this relative change of the deviance (statsmodels' default 1e-8 leaves the
#: estimates about 1e-6 from R's glm, which iterates to convergence).
GLM_TOL = 1e-12
#: Columns of the analysis dataset a time-to-event model reads.
TIME = "followup_months"
EVENT_TYPE = "event_type"


class ModelDataError(ValueError):
    """The data cannot support the model as specified (missing variable, empty sample ...)."""


class ConvergenceWarning(UserWarning):
    """A fit of our own (Cox, Fine-Gray) that did not converge. Named as statsmodels' warning
    of the same meaning, which ``teichaku.analysis.fit.collect_warnings`` treats alike: a job
    fitting a Cox model then need not import statsmodels."""


@dataclass
class Estimates:
    """Coefficients of one fit on the log scale, their SEs and what the fit found.

    ``extra`` holds rows beyond the coefficients, each a dict with ``column``, ``log_mean`` and
    ``log_sd`` (e.g. the SD of a random intercept, reported as exp(log_mean)).
    """

    columns: list[str]
    params: np.ndarray
    bse: np.ndarray
    se_type: str
    df: np.ndarray | None = None  # t degrees of freedom per term (Rubin); None: normal
    p_available: bool = True
    extra: list[dict] = field(default_factory=list)
    diagnostics: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    converged: bool = True
    #: what the fits of the other imputed copies of the sample may reuse (given back to the
    #: type's fit as ``reuse=``; the Cox type's sorted risk sets); None: nothing
    reuse: object = field(default=None, repr=False, compare=False)


def group_codes(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Integer codes 0..G-1 of a cluster or strata column (in the sorted order of its text)."""
    return pd.factorize(frame[column].astype(str), sort=True)[0]


def term_columns(X: pd.DataFrame) -> dict[str, list[int]]:
    """The design's columns grouped by formula term, named as in the outputs: a one-column
    term by its tidy column name, a term of several columns (a factor of three or more
    levels) by the formula term. Read from ``X.attrs["term_columns"]`` (set by
    ``teichaku.analysis.fit.design``); each column its own term when absent."""
    by_name = X.attrs.get("term_columns") or {c: [c] for c in X.columns}
    index = {c: i for i, c in enumerate(X.columns)}
    out = {}
    for term, cols in by_name.items():
        cols = [index[c] for c in cols if c in index]
        if cols:
            out[tidy_term(X.columns[cols[0]]) if len(cols) == 1 else term] = cols
    return out
