"""The model-type registry: one module per type of the specification, same interface."""

import inspect

import pytest

from teichaku.analysis.models import REGISTRY, ModelDataError, fit_function
from teichaku.analysis.specs import MODEL_TYPES


def test_registry_covers_exactly_the_specification_types():
    assert sorted(REGISTRY) == sorted(MODEL_TYPES)


@pytest.mark.parametrize("model_type", MODEL_TYPES)
def test_every_fit_function_has_the_documented_signature(model_type):
    params = inspect.signature(fit_function(model_type)).parameters
    names = list(params)
    assert names[:6] == ["spec", "frame", "X", "settings", "checks", "start"]
    assert names[6:] in ([], ["reuse"])  # reuse: for a type whose fit sets Estimates.reuse
    assert params["checks"].kind is inspect.Parameter.KEYWORD_ONLY
    for optional in names[5:]:
        assert params[optional].default is None


def test_an_unknown_type_is_a_clear_error():
    with pytest.raises(ModelDataError, match="unknown model type 'weibull'"):
        fit_function("weibull")
