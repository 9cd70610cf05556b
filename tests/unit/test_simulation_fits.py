"""The replicate's fits on arrays (teichaku.simulation.fits) against the analysis stage's
``prepare``/``design``/``fit_model``: the same sample, design columns, estimates and SEs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from teichaku.analysis.fit import design, fit_model, prepare
from teichaku.simulation import fits
from teichaku.synthetic import simulate_cases
from tests.unit.test_simulation_replicate import _config, _study

MODELS = ["cox_transition", "fine_gray_transition", "logit_prolonged_12", "mixed_prolonged_12"]


@pytest.fixture(scope="module")
def replicate():
    from teichaku.simulation.stage import load_simulation

    study = {**_study(2), "models": MODELS}
    sim = load_simulation(study_config=study, config=_config())
    drawn = sim.base.replace(n_cases=700, n_centers=20)
    cases = simulate_cases(drawn, np.random.default_rng(7), sim.codebook)
    m = sim.models
    data = m.dataset(cases)
    return m, data


def _assert_same_sample(spec, data):
    frame = prepare(spec, data).frame
    X = design(spec, frame)
    s = fits.sample(spec, fits.Columns(data))
    assert list(data.index[s.rows]) == list(frame.index)
    assert s.columns == list(X.columns)
    np.testing.assert_array_equal(s.X, X.to_numpy(dtype=float))
    return frame, s


@pytest.mark.parametrize("name", MODELS)
def test_sample_and_design_are_those_of_the_analysis_stage(replicate, name):
    models, data = replicate
    spec = models.analysis.model(name)
    assert fits.fits_on_arrays(spec)
    frame, s = _assert_same_sample(spec, data)
    assert len(frame) < len(data)  # rows without follow-up, outcome or iq are left out
    assert s.clusters.max() + 1 == frame[spec.cluster].nunique()


def test_categories_missing_from_the_sample_and_other_variable_types(replicate):
    models, data = replicate
    data = data.copy()
    # the reference level of a three-level factor absent: the next level is the reference
    first = data["first_residence"].cat.categories[0]
    data.loc[data["first_residence"] == first, "first_residence"] = None
    spec = dataclasses.replace(
        models.analysis.model("logit_prolonged_12"),
        formula="age_10 + first_residence + welfare + sex + center_id + residence_changes",
    )
    assert fits.fits_on_arrays(spec)
    _, s = _assert_same_sample(spec, data)
    assert not any(c.startswith(f"first_residence[T.{first}]") for c in s.columns)
    assert sum(c.startswith("first_residence[") for c in s.columns) >= 2


@pytest.mark.parametrize("name", MODELS)
def test_estimates_and_ses_equal_fit_models(replicate, name):
    models, data = replicate
    spec = models.analysis.model(name)
    est, _, info = fit_model(spec, data, models.settings)
    fast, fast_info = fits.fit(spec, fits.Columns(data), models.settings)
    assert fast_info == {k: info[k] for k in ("n", "n_events", "n_clusters")}
    assert fast.columns == est.columns and fast.converged == est.converged
    if spec.type == "fine_gray":  # the fit without split rows: equal to rounding
        np.testing.assert_allclose(fast.params, est.params, rtol=0, atol=1e-10)
        np.testing.assert_allclose(fast.bse, est.bse, rtol=1e-9, atol=0)
    else:  # the same computation on the same arrays: the same bits
        np.testing.assert_array_equal(fast.params, est.params)
        np.testing.assert_array_equal(fast.bse, est.bse)


def test_other_models_go_through_fit_model(replicate):
    models, data = replicate
    cox = models.analysis.model("cox_transition")
    others = [
        models.analysis.model("gee_prolonged_12"),
        models.analysis.model("cox_transition_no_deaths"),
        dataclasses.replace(cox, strata="coordination"),
        dataclasses.replace(cox, formula="age_10 * iq_10"),
        dataclasses.replace(models.analysis.model("fine_gray_transition"), cluster=None),
    ]
    for spec in others:
        assert not fits.fits_on_arrays(spec)
        est, info = fits.fit(spec, fits.Columns(data), models.settings)
        reference, _, reference_info = fit_model(spec, data, models.settings)
        np.testing.assert_array_equal(est.params, reference.params)
        assert info == reference_info


def test_a_sample_that_cannot_support_the_model_is_not_fitted(replicate):
    models, data = replicate
    spec = models.analysis.model("logit_prolonged_12")
    data = data.assign(age_10=pd.array([1.5] * len(data), dtype="Float64"))
    est, info = fits.fit(spec, fits.Columns(data), models.settings)
    assert est is None and fit_model(spec, data, models.settings)[0] is None
    assert info["n"] > 0
    absent = dataclasses.replace(spec, formula="age_10 + no_such_column")
    with pytest.raises(ValueError, match="no_such_column"):
        fits.fit(absent, fits.Columns(data), models.settings)


def test_models_that_share_a_sample_fit_as_they_do_alone(replicate):
    """One replicate's Columns serve every model: the Cox and Fine-Gray models (and the
    logistic and mixed ones) share one read-only sample and design, and fit as alone."""
    models, data = replicate
    columns = fits.Columns(data)
    together = [fits.fit(models.analysis.model(n), columns, models.settings) for n in MODELS]
    assert fits.sample(models.analysis.model(MODELS[0]), columns) is fits.sample(
        models.analysis.model(MODELS[1]), columns
    )
    for name, (est, info) in zip(MODELS, together, strict=True):
        alone, alone_info = fits.fit(
            models.analysis.model(name), fits.Columns(data), models.settings
        )
        assert info == alone_info
        np.testing.assert_array_equal(est.params, alone.params)
        np.testing.assert_array_equal(est.bse, alone.bse)
