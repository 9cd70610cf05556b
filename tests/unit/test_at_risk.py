"""Numbers at risk under the curves: counted as the curves group the cases, printed at
regular times, and withheld so that no group's small number can be had by subtracting the
others from the total another panel or figure gives."""

import itertools

import numpy as np
import pandas as pd
import pytest

from teichaku.report.at_risk import (
    followup_times,
    numbers_at_risk,
    printed_at_risk,
    regular_times,
)
from teichaku.report.build import curve_horizons
from teichaku.report.suppress import Privacy


def test_regular_times_are_every_6_or_12_months_from_0():
    assert regular_times(29.0) == (0.0, 6.0, 12.0, 18.0, 24.0)
    assert regular_times(60.0) == tuple(12.0 * i for i in range(6))
    assert regular_times(5.0) == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)
    assert regular_times(0.0) == (0.0,)
    assert all(len(regular_times(x)) <= 8 for x in np.linspace(0, 400, 81))


def _analysis():
    return pd.DataFrame(
        {
            "followup_months": [0.5, 3.0, 6.0, 6.0, 7.5, 12.0, 13.0, 20.0, np.nan, 2.0],
            "barrier_x": pd.array(
                [True, True, False, True, False, None, False, False, True, False],
                dtype="boolean",
            ),
            "cohort": pd.Categorical(list("aabbabbaab")),
        }
    )


def test_counts_are_those_followed_at_least_t_in_each_group_as_the_curves_group_them():
    data = _analysis()
    groups = [("all", "all", ""), ("barrier_x", "yes", ""), ("barrier_x", "no", "")]
    groups += [("cohort", "a", ""), ("cohort", "b", "")]
    times = [0.0, 3.0, 6.0, 12.0, 24.0]
    got = numbers_at_risk(data, groups, times)
    valid = data[data["followup_months"].notna()]
    for by, group, _ in groups:
        rows = (
            valid
            if by == "all"
            else valid[
                valid[by].astype("string") == {"yes": "True", "no": "False"}.get(group, group)
            ]
        )
        expected = tuple(int((rows["followup_months"] >= t).sum()) for t in times)
        assert got.counts[(by, group)] == expected, (by, group)
    # a missing answer is in neither group of the mark, but in the whole
    assert got.counts[("all", "all")][0] == 9
    assert got.counts[("barrier_x", "yes")][0] + got.counts[("barrier_x", "no")][0] == 8
    assert list(followup_times(data, "barrier_x", "yes")) == [0.5, 3.0, 6.0]


def _printed(counts, stops, min_cell=5):
    times = tuple(float(t) for t in range(len(next(iter(counts.values())))))
    from teichaku.report.at_risk import AtRisk

    return printed_at_risk(AtRisk(times, counts), list(counts), stops, Privacy(min_cell))


def test_a_panel_is_printed_whole_or_withheld_at_each_time():
    a, b = ("cohort", "a"), ("cohort", "b")
    # a falls to 3 at time 2 (its curve stops at 1.5), to 0 at time 3
    out = _printed({a: (20, 9, 3, 0), b: (30, 25, 20, 12)}, {a: 1.5, b: 3.0})
    assert out[a] == ["20", "9", "", ""]
    assert out[b] == ["30", "25", "<5", "12"]  # withheld with a's 3; a's 0 singles out nobody


def test_nothing_is_printed_past_a_curve_and_a_small_number_is_the_marker():
    a, b = ("x", "yes"), ("x", "no")
    out = _printed({a: (8, 4, 2), b: (50, 40, 30)}, {a: 2.0, b: 2.0})
    assert out[a] == ["8", "<5", "<5"] and out[b] == ["50", "<5", "<5"]
    out = _printed({a: (8, 4, 2), b: (50, 40, 30)}, {b: 2.0})  # a not drawn
    assert out[a] == ["", "", ""] and out[b] == ["50", "<5", "<5"]


def _intruder_recovers(printed, counts, min_cell) -> list:
    """Times at which total - (printed others) isolates one group with 0 < n < min_cell:
    the total known (another panel adds up to it) and every group but one printed."""
    found = []
    groups = list(counts)
    for i in range(len(next(iter(counts.values())))):
        for g in groups:
            n = counts[g][i]
            others = [h for h in groups if h != g]
            if 0 < n < min_cell and all(printed[h][i] not in ("", "<5") for h in others):
                found.append((g, i))
            if printed[g][i] not in ("", "<5") and 0 < n < min_cell:
                found.append((g, i, "printed"))
    return found


@pytest.mark.parametrize("seed", range(40))
def test_no_small_number_at_risk_is_recoverable_by_subtraction(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 60))
    data = pd.DataFrame(
        {
            "followup_months": rng.exponential(10, n).round(1),
            "cohort": pd.Categorical(rng.choice(list("abc"), n, p=[0.2, 0.5, 0.3])),
        }
    )
    groups = [("cohort", g, g) for g in "abc"]
    min_cell = 5
    horizons = curve_horizons(data, groups, min_cell)
    at = numbers_at_risk(data, groups, [float(t) for t in range(0, 40, 3)])
    keys = [(by, g) for by, g, _ in groups]
    # groups too small to be drawn are left out, as publish_curves leaves the grouping out
    if any(k not in horizons for k in keys):
        return
    printed = printed_at_risk(at, keys, horizons, Privacy(min_cell))
    counts = {k: at.counts[k] for k in keys}
    assert _intruder_recovers(printed, counts, min_cell) == []
    for k, i in itertools.product(keys, range(len(at.times))):
        if printed[k][i] not in ("", "<5"):
            assert int(printed[k][i].replace(",", "")) >= min_cell
