"""Kaplan-Meier and Aalen-Johansen curves."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.duration.survfunc import SurvfuncRight

from teichaku.analysis.curves import CURVE_COLUMNS, aalen_johansen, build_curves, kaplan_meier
from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.specs import load_analysis_spec
from teichaku.codebook import load_codebook
from tests.unit.analysis_cases import make_tables


def test_aalen_johansen_hand_computed_example():
    # times 1..5: cause 1, cause 2, censored, cause 1, cause 1
    time = np.array([1, 2, 3, 4, 5], dtype=float)
    cause = np.array([1, 2, 0, 1, 1])
    cif = aalen_johansen(time, cause, of_interest=1)
    # S(t-) x d1/n: 1 x 1/5 = .2; nothing at 2; .6 x 1/2 = .3; .3 x 1/1 = .3
    assert cif["time"].tolist() == [0, 1, 2, 4, 5]
    np.testing.assert_allclose(cif["estimate"], [0, 0.2, 0.2, 0.5, 0.8])
    assert cif["n_at_risk"].tolist() == [5, 5, 4, 2, 1]
    # Delta-method variance at t = 4, term by term:
    # a_1 (F(4) - F(1))^2 = 1/20 x .09, b_1 = 1 x 1 x 4 / 125, -2 (.3) c_1 = -2 x .3 x 1/25,
    # a_2 (.3)^2 = .09 / 12, b_4 = .6^2 x 1 x 1 / 8
    var_4 = 0.09 / 20 + 4 / 125 - 0.6 / 25 + 0.09 / 12 + 0.36 / 8
    assert cif["std_error"].iloc[3] == pytest.approx(np.sqrt(var_4))
    other = aalen_johansen(time, cause, of_interest=2)
    np.testing.assert_allclose(other["estimate"], [0, 0, 0.2, 0.2, 0.2])
    assert (cif["lower"] <= cif["estimate"]).all() and (cif["estimate"] <= cif["upper"]).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=2, max_size=60))
def test_without_competing_events_it_is_one_minus_kaplan_meier(rows):
    time = np.array([r[0] for r in rows], dtype=float)
    status = np.array([int(r[1]) for r in rows])
    if status.sum() == 0:
        return
    cif = aalen_johansen(time, status, of_interest=1)
    sf = SurvfuncRight(time, status)
    at_events = cif.iloc[1 : 1 + len(sf.surv_times)]  # after the time-0 row, before the tail
    np.testing.assert_allclose(at_events["time"], sf.surv_times)
    np.testing.assert_allclose(at_events["estimate"], 1 - sf.surv_prob, atol=1e-12)
    # Greenwood's variance, where statsmodels defines it (S > 0)
    ok = sf.surv_prob > 0
    np.testing.assert_allclose(
        at_events["std_error"].to_numpy()[ok], sf.surv_prob_se[ok], rtol=1e-8, atol=1e-12
    )
    # A curve ending in censoring is carried on, unchanged, to the longest follow-up.
    assert cif["time"].iloc[-1] == time.max()
    assert cif["estimate"].iloc[-1] == cif["estimate"].iloc[len(sf.surv_times)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 20), st.integers(0, 2)), min_size=2, max_size=50))
def test_cumulative_incidences_add_up_to_one_minus_all_cause_km(rows):
    time = np.array([r[0] for r in rows], dtype=float)
    cause = np.array([r[1] for r in rows])
    if (cause != 0).sum() == 0:
        return
    f1 = aalen_johansen(time, cause, 1)["estimate"].to_numpy()
    f2 = aalen_johansen(time, cause, 2)["estimate"].to_numpy()
    km = kaplan_meier(time, (cause != 0).astype(int))["estimate"].to_numpy()
    np.testing.assert_allclose(f1 + f2, 1 - km, atol=1e-12)
    assert np.all(np.diff(f1) >= -1e-15)


def test_build_curves_gives_every_group_and_no_case_identifiers(root):
    cb = load_codebook()
    spec = load_analysis_spec(root / "config" / "models.yaml", [6, 12, 18, 24], cb)
    roster, cases, _ = make_tables(n=400, n_centers=6, seed=5)
    a = build_analysis_dataset(cases, roster, spec, [6, 12, 18, 24], cb)
    curves = build_curves(a, spec.curves, 0.95)
    assert list(curves.columns) == CURVE_COLUMNS
    km = curves[(curves["curve"] == "km_followup") & (curves["by"] == "cohort")]
    assert set(km["group"]) == set(a["cohort"].astype(str))
    cif = curves[curves["by"] == "barrier_no_agency_cooperation"]
    assert set(cif["group"]) == {"yes", "no"}
    first = cif.groupby("group")["n_at_risk"].first()
    counts = a["barrier_no_agency_cooperation"].value_counts()
    assert first["yes"] == counts[True] and first["no"] == counts[False]
    assert not ({"case_id", "case_ref", "center_id"} & set(curves.columns))
    assert (
        (curves["lower"] <= curves["estimate"] + 1e-12)
        & (curves["estimate"] <= curves["upper"] + 1e-12)
    ).all()
