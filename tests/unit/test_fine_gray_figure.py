"""Figure 9 draws the Fine-Gray predictions only as far as their group's curve may go."""

import numpy as np
import pandas as pd

from teichaku.report.build import curve_horizons
from teichaku.report.figures import cut_prediction


def _predicted(term="barrier_x"):
    times = np.arange(0.0, 20.0, 0.5)
    return pd.concat(
        [
            pd.DataFrame({"term": term, "value": v, "time": times, "cif": times / (40 + v)})
            for v in (0, 1)
        ],
        ignore_index=True,
    )


def test_a_prediction_stops_where_fewer_than_min_cell_of_its_group_are_followed():
    # 6 with the barrier (follow-up 1..6 months), 10 without (1..10 months); min_cell 3
    analysis = pd.DataFrame(
        {
            "followup_months": np.r_[np.arange(1.0, 7.0), np.arange(1.0, 11.0)],
            "barrier_x": np.r_[np.ones(6, bool), np.zeros(10, bool)],
        }
    )
    groups = [("barrier_x", "yes", "yes"), ("barrier_x", "no", "no")]
    horizons = curve_horizons(analysis, groups, 3)
    assert horizons == {("barrier_x", "yes"): 4.0, ("barrier_x", "no"): 8.0}
    yes = cut_prediction(_predicted(), groups[0], horizons)
    no = cut_prediction(_predicted(), groups[1], horizons)
    assert set(yes["value"]) == {1} and yes["time"].max() == 4.0
    assert set(no["value"]) == {0} and no["time"].max() == 8.0
    assert yes["time"].is_monotonic_increasing


def test_no_prediction_for_a_group_below_min_cell_or_another_term():
    analysis = pd.DataFrame(
        {"followup_months": np.arange(1.0, 8.0), "barrier_x": [True, True] + [False] * 5}
    )
    groups = [("barrier_x", "yes", "yes"), ("barrier_x", "no", "no")]
    horizons = curve_horizons(analysis, groups, 3)  # 2 with the barrier: no horizon
    assert cut_prediction(_predicted(), groups[0], horizons).empty
    assert not cut_prediction(_predicted(), groups[1], horizons).empty
    assert cut_prediction(_predicted("barrier_y"), groups[1], horizons).empty
