"""Population truth of the models without a generator truth: the method recovers a known
truth (the Cox model's hazard ratios) from a large population, is filled in only where the
generator has none, and draws from a stream no replicate uses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from teichaku.simulation.replicate import true_log_ratio
from teichaku.simulation.stage import load_simulation, with_population_truth
from teichaku.simulation.truth import POPULATION_STREAM, needs_population_truth, population_truth
from tests.unit.test_simulation_replicate import _config, _study


@pytest.fixture(scope="module")
def sim():
    study = _study(2)
    study["models"] = [
        "cox_transition",
        "fine_gray_transition",
        "logit_prolonged_12",
        "mixed_prolonged_12",
    ]
    study["population_factor"] = 4
    study["scenarios"] = [
        {"name": "tiny", "series": "s", "design": {"n_cases": 1500, "n_centers": 20}}
    ]
    return load_simulation(study_config=study, config=_config())


@pytest.mark.slow
def test_a_population_fit_recovers_the_generator_truth(sim):
    """Applied to the Cox model, whose truth is known, the population value (6,000 cases
    in 80 centers) is within 0.25 of the generator's log hazard ratios (about 3 to 4 of the
    population fit's SEs, 0.06 to 0.08 for a barrier)."""
    design = sim.design("tiny")
    cox = sim.analysis.model("cox_transition")
    truth = population_truth(sim.study.seed, "tiny", design, [cox], sim.models, 4)
    assert set(truth["model"]) == {"cox_transition"}
    known = [true_log_ratio(cox, sim.analysis, design, t) for t in truth["term"]]
    checked = np.isfinite(known)
    assert checked.sum() >= 4  # at least the barriers
    np.testing.assert_allclose(truth["truth"][checked], np.array(known)[checked], atol=0.25)


@pytest.mark.slow
def test_population_truth_fills_only_models_without_a_generator_truth(sim):
    replicates = pd.DataFrame(
        {
            "scenario": ["tiny"] * 3,
            "replicate": [0, 0, 0],
            "model": ["cox_transition", "logit_prolonged_12", "mixed_prolonged_12"],
            "term": ["barrier_no_stable_service"] * 3,
            "estimate": [0.1, 0.2, 0.3],
            "std_error": [0.1, 0.1, 0.1],
            "truth": [0.123, np.nan, np.nan],
            "n": [1, 1, 1],
            "events": [1, 1, 1],
            "clusters": [1, 1, 1],
            "error": ["", "", ""],
        }
    )
    truth = population_truth(
        sim.study.seed,
        "tiny",
        sim.design("tiny"),
        [s for s in sim.models.specs() if needs_population_truth(s)],
        sim.models,
        sim.study.population_factor,
    )
    assert set(truth["model"]) == {
        "fine_gray_transition",
        "logit_prolonged_12",
        "mixed_prolonged_12",
    }
    out = with_population_truth(replicates, truth)
    assert out["truth"].iloc[0] == 0.123  # the generator's truth is kept
    assert np.isfinite(out["truth"].iloc[1:]).all()
    assert out["truth"].iloc[1] != out["truth"].iloc[2]  # each model its own fit
    assert list(out.columns) == list(replicates.columns)


def test_the_population_stream_is_no_replicate_stream(sim):
    assert POPULATION_STREAM >= 2**32 - 1 > 10 * sim.study.replicates


@pytest.mark.slow
def test_the_fine_gray_truth_is_its_estimator_on_the_population(sim):
    """The population truth of the Fine-Gray model (estimates without split rows) equals
    the model's own fit (split rows) on the same population."""
    from teichaku.analysis.fit import fit_model
    from teichaku.simulation.study import replicate_rng
    from teichaku.synthetic import simulate_cases

    design = sim.design("tiny")
    fg = sim.analysis.model("fine_gray_transition")
    truth = population_truth(sim.study.seed, "tiny", design, [fg], sim.models, 2)
    population = design.replace(n_cases=design.n_cases * 2, n_centers=design.n_centers * 2)
    cases = simulate_cases(
        population, replicate_rng(sim.study.seed, "tiny", POPULATION_STREAM), sim.codebook
    )
    analysis = sim.models.dataset(cases)
    est, _, _ = fit_model(fg, analysis, sim.models.settings)
    slopes = [b for c, b in zip(est.columns, est.params, strict=True) if c != "Intercept"]
    assert len(truth) == len(slopes) >= 4
    np.testing.assert_allclose(truth["truth"], slopes, rtol=0, atol=1e-10)
