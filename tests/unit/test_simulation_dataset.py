"""A replicate's draw and analysis dataset on arrays (teichaku.synthetic.columns,
teichaku.simulation.dataset) against the DataFrames they replace: the clean cases table of
``simulate_cases``, and ``build_analysis_dataset`` read by ``fits.Columns``, equal bit for
bit, also where follow-up cannot be placed in time and where centers have no cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from teichaku.simulation import fits
from teichaku.simulation.stage import load_simulation
from teichaku.synthetic import simulate_cases
from teichaku.synthetic.columns import Coded, Dates, codes_of
from teichaku.synthetic.population import simulate_case_columns, simulated_cases_table
from tests.unit.test_simulation_replicate import _config, _study

MODELS = ["cox_transition", "fine_gray_transition", "logit_prolonged_12", "mixed_prolonged_12"]
DATES = ("followup_start", "followup_end", "release_date")


@pytest.fixture(scope="module")
def sim():
    return load_simulation(study_config={**_study(2), "models": MODELS}, config=_config())


def _assert_same_columns(arrays: fits.Columns, frame: fits.Columns) -> None:
    assert arrays.names == frame.names and arrays.n == frame.n
    for name in sorted(frame.names - set(DATES)):
        assert arrays.is_categorical(name) == frame.is_categorical(name), name
        if frame.is_categorical(name):
            codes, levels = arrays.codes(name)
            expected_codes, expected_levels = frame.codes(name)
            assert levels == expected_levels, name
            np.testing.assert_array_equal(codes, expected_codes, err_msg=name)
        else:
            value, expected = arrays.number(name), frame.number(name)
            assert value.dtype == expected.dtype and value.tobytes() == expected.tobytes(), name


@pytest.mark.parametrize(
    ("n_cases", "n_centers", "seed"),
    [(700, 20, 1), (60, 80, 2), (2000, 1050, 3)],  # some centers empty; ids past S999
)
def test_the_array_dataset_equals_the_analysis_stage_s(sim, n_cases, n_centers, seed):
    design = sim.base.replace(n_cases=n_cases, n_centers=n_centers)
    cases, _ = simulate_case_columns(design, np.random.default_rng(seed), sim.codebook)
    table = simulated_cases_table(cases)
    # the same draw as simulate_cases, from the same random stream
    pd.testing.assert_frame_equal(
        table, simulate_cases(design, np.random.default_rng(seed), sim.codebook)
    )
    columns = sim.models.columns(cases)
    dataset = sim.models.dataset(table)
    _assert_same_columns(columns, fits.Columns(dataset))
    # the DataFrame behind the arrays, for the models fitted by fit_model, is the same too
    pd.testing.assert_frame_equal(columns.data, dataset)


def test_follow_up_that_cannot_be_placed_in_time(sim):
    """Starts missing (the release date stands in, flagged; or no time at all), ends before
    the start, ends without a date, open cases: as build_analysis_dataset derives them."""
    design = sim.base.replace(n_cases=400, n_centers=12)
    cases, _ = simulate_case_columns(design, np.random.default_rng(4), sim.codebook)
    start = cases["followup_start"].days.copy()
    end = cases["followup_end"].days.copy()
    release = cases["release_date"].days.copy()
    ended = np.flatnonzero(cases["end_reason"].codes >= 0)
    start[:30] = np.datetime64("NaT")  # open and ended cases: the release date stands in
    release[:10] = np.datetime64("NaT")  # ... unless it is missing too
    end[ended[:15]] = start[ended[15:30]] - np.timedelta64(400, "D")  # ends before starting
    end[ended[30:40]] = np.datetime64("NaT")  # ended without a date
    cases = {
        **cases,
        "followup_start": Dates(start),
        "followup_end": Dates(end),
        "release_date": Dates(release),
    }
    columns = sim.models.columns(cases)
    frame = fits.Columns(sim.models.dataset(simulated_cases_table(cases)))
    assert frame.number("start_imputed").sum() >= 20
    assert frame.number("time_invalid").sum() >= 30
    _assert_same_columns(columns, frame)


@pytest.mark.parametrize("repeat", [1, 100])  # short arrays are looked up, long factorized
def test_codes_of_are_those_of_a_categorical(repeat):
    levels = ("yes", "applying", "no")
    values = np.array(["no", None, "yes", "applying", np.nan, "no"] * repeat, dtype=object)
    expected = pd.Categorical(values, categories=list(levels)).codes
    np.testing.assert_array_equal(codes_of(values, levels), expected)
    coded = Coded(codes_of(values, levels), levels)
    pd.testing.assert_extension_array_equal(
        coded.to_pandas(), pd.Categorical(values, categories=list(levels))
    )
