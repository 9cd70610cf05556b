"""Pseudo-true values of the models whose coefficients are not parameters of the
data-generating model (logistic, GEE and mixed logistic models of prolonged involvement).

The generator is a cause-specific hazard model with a center frailty; the odds ratios of a
logistic or random-intercept logistic model of "followed at least k months" are functions of
it with no closed form. Their truth is the value the model converges to as the survey grows
with the same design: the model is fitted once per scenario to a large simulated population,
the scenario's design with ``population_factor`` times as many cases *and* centers (so the
cases per center, the frailty and the censoring stay as in the scenario), drawn from its own
random stream (never a replicate's). With factor F the population value has about
1/sqrt(F) of a replicate's SE as Monte Carlo error, which biases coverage by well under a
Monte Carlo SE of the coverage itself at F = 50.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.fit import fit_model
from teichaku.analysis.specs import ModelSpec
from teichaku.analysis.terms import tidy_term
from teichaku.simulation.study import replicate_rng
from teichaku.synthetic import Design, simulate_cases

#: The random stream of a scenario's population: a spawn key no replicate number reaches.
POPULATION_STREAM = 2**32 - 1


def needs_population_truth(spec: ModelSpec) -> bool:
    """Models whose truth is not a parameter of the generator (all but the Cox models)."""
    return spec.type != "cox"


def population_truth(
    seed: int, scenario: str, design: Design, specs: list[ModelSpec], models, factor: int
) -> pd.DataFrame:
    """Rows (scenario, model, term, truth): the log ratios fitted on the population."""
    from teichaku.simulation.replicate import simulated_roster

    population = design.replace(
        n_cases=design.n_cases * factor, n_centers=design.n_centers * factor
    )
    cases = simulate_cases(
        population, replicate_rng(seed, scenario, POPULATION_STREAM), models.codebook
    )
    analysis = build_analysis_dataset(
        cases,
        simulated_roster(cases, models.codebook),
        models.analysis,
        list(models.settings.thresholds),
        models.codebook,
    )
    rows = []
    for spec in specs:
        est, _, _ = fit_model(spec, analysis, models.settings)
        if est is None or not est.converged:
            raise ValueError(f"{spec.name}: the population fit of scenario {scenario} failed")
        for column, b in zip(est.columns, est.params, strict=True):
            if column != "Intercept":
                rows.append(
                    {
                        "scenario": scenario,
                        "model": spec.name,
                        "term": tidy_term(column),
                        "truth": b,
                    }
                )
    return pd.DataFrame(rows, columns=["scenario", "model", "term", "truth"]).astype(
        {"truth": np.float64}
    )
