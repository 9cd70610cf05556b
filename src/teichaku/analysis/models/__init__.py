"""The model types of ``config/models.yaml``, one module each, behind one registry.

Every module exposes the same function (see :mod:`teichaku.analysis.models.base`)::

    fit(spec, frame, X, settings, *, checks, start=None[, reuse=None]) -> Estimates

and :data:`REGISTRY` maps the ``type:`` of a specification to its module. Adding a model
type: write the module, add it here and to ``teichaku.analysis.specs.MODEL_TYPES`` (which
the schema and the specification checks read; a unit test keeps the two lists equal).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from teichaku.analysis.models.base import Estimates, ModelDataError

FitFunction = Callable[..., Estimates]

#: The module of each model type, imported when a model of that type is fitted (each model
#: is a job of its own: a Cox model's does not load statsmodels' GLM and GEE).
REGISTRY: dict[str, str] = {
    "cox": "cox",
    "fine_gray": "fine_gray",
    "logit": "logit",
    "gee": "gee",
    "mixed_logit": "mixed_logit",
    "binomial_counts": "binomial_counts",
}


def fit_function(model_type: str) -> FitFunction:
    """The fit function of ``model_type``; a clear error for a type without one."""
    try:
        module = REGISTRY[model_type]
    except KeyError:
        raise ModelDataError(
            f"unknown model type {model_type!r}; known: {sorted(REGISTRY)}"
        ) from None
    return importlib.import_module(f"{__name__}.{module}").fit
