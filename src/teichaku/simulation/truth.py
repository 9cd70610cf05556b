"""Pseudo-true values of the models whose coefficients are not parameters of the
data-generating model (Fine-Gray, logistic, GEE and mixed logistic models).

The generator is a cause-specific hazard model with a center frailty; the subdistribution
hazard ratios of a Fine-Gray model of transition, and the odds ratios of a logistic or
random-intercept logistic model of "followed at least k months", are functions of it (and,
for the Fine-Gray model, of the competing causes' hazards) with no closed form. Their truth
is the value the model converges to as the survey grows with the same design: the model is
fitted once per scenario to a large simulated population, the scenario's design with
``population_factor`` times as many cases *and* centers (so the cases per center, the
frailty and the censoring stay as in the scenario), drawn from its own random stream of the
study seed (never a replicate's). With factor F the population value has about 1/sqrt(F) of
a replicate's SE as Monte Carlo error, which biases coverage by well under a Monte Carlo SE
of the coverage itself at F = 50 (139,150 cases and 2,300 centers for the surveyed size).
The Fine-Gray population fit uses the same estimator without splitting rows
(:func:`teichaku.analysis.finegray.fit_coefficients`): the split rows of such a population
would not fit in memory.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from teichaku.analysis.fit import design, fit_model, prepare
from teichaku.analysis.models import fine_gray
from teichaku.analysis.specs import ModelSpec
from teichaku.analysis.terms import tidy_term
from teichaku.simulation.study import replicate_rng
from teichaku.synthetic import Design, simulate_cases

#: Columns of a scenario's truth table (results/simulation/truth/<scenario>.tsv).
TRUTH_COLUMNS = ["scenario", "model", "term", "truth"]
#: The random stream of a scenario's population: a spawn key no replicate number reaches.
POPULATION_STREAM = 2**32 - 1


def needs_population_truth(spec: ModelSpec) -> bool:
    """Models whose truth is not a parameter of the generator (all but the Cox models)."""
    return spec.type != "cox"


def population_truth(
    seed: int, scenario: str, design: Design, specs: list[ModelSpec], models, factor: int
) -> pd.DataFrame:
    """Rows (scenario, model, term, truth): the log ratios fitted on the population."""
    population = design.replace(
        n_cases=design.n_cases * factor, n_centers=design.n_centers * factor
    )
    cases = simulate_cases(
        population, replicate_rng(seed, scenario, POPULATION_STREAM), models.codebook
    )
    analysis = models.dataset(cases)
    rows = []
    for spec in specs:
        columns, params = _population_fit(spec, analysis, models.settings)
        if params is None:
            raise ValueError(f"{spec.name}: the population fit of scenario {scenario} failed")
        for column, b in zip(columns, params, strict=True):
            if column != "Intercept":
                rows.append(
                    {
                        "scenario": scenario,
                        "model": spec.name,
                        "term": tidy_term(column),
                        "truth": b,
                    }
                )
    return pd.DataFrame(rows, columns=TRUTH_COLUMNS).astype({"truth": np.float64})


def _population_fit(spec: ModelSpec, analysis: pd.DataFrame, settings):
    """The design columns and estimates of ``spec`` on the population (None: failed)."""
    if spec.type == "fine_gray":
        frame = prepare(spec, analysis).frame
        X = design(spec, frame)
        fit = fine_gray.point_estimates(spec, frame, X)
        return list(X.columns), (fit.params if fit.converged else None)
    est, _, _ = fit_model(spec, analysis, settings)
    if est is None or not est.converged:
        return [], None
    return est.columns, est.params
