"""The model types of ``config/models.yaml``, one module each, behind one registry.

Every module exposes the same function (see :mod:`teichaku.analysis.models.base`)::

    fit(spec, frame, X, settings, *, checks, start=None) -> Estimates

and :data:`REGISTRY` maps the ``type:`` of a specification to it. Adding a model type: write
the module, add it here and to ``teichaku.analysis.specs.MODEL_TYPES`` (which the schema and
the specification checks read; a unit test keeps the two lists equal).
"""

from __future__ import annotations

from collections.abc import Callable

from teichaku.analysis.models import binomial_counts, cox, fine_gray, gee, logit, mixed_logit
from teichaku.analysis.models.base import Estimates, ModelDataError

FitFunction = Callable[..., Estimates]

REGISTRY: dict[str, FitFunction] = {
    "cox": cox.fit,
    "fine_gray": fine_gray.fit,
    "logit": logit.fit,
    "gee": gee.fit,
    "mixed_logit": mixed_logit.fit,
    "binomial_counts": binomial_counts.fit,
}


def fit_function(model_type: str) -> FitFunction:
    """The fit function of ``model_type``; a clear error for a type without one."""
    try:
        return REGISTRY[model_type]
    except KeyError:
        raise ModelDataError(
            f"unknown model type {model_type!r}; known: {sorted(REGISTRY)}"
        ) from None
