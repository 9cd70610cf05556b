"""The analysis dataset: follow-up time, censoring, events, prolonged_<k>, covariates."""

import numpy as np
import pandas as pd
import pytest

from teichaku.analysis.dataset import DAYS_PER_MONTH, build_analysis_dataset, build_center_dataset
from teichaku.analysis.specs import Settings, load_analysis_spec
from teichaku.codebook import load_codebook
from tests.unit.analysis_cases import make_tables

THRESHOLDS = [6, 12]


@pytest.fixture(scope="module")
def spec(root):
    return load_analysis_spec(root / "config" / "models.yaml", THRESHOLDS, load_codebook())


def _cases(rows):
    """Cases with the fixture's dtypes, overriding the follow-up columns of the first rows."""
    _, cases, _ = make_tables(n=len(rows), n_centers=2, seed=3)
    for i, row in enumerate(rows):
        for col, value in row.items():
            cases.loc[i, col] = value
    return cases


def _build(spec, cases):
    roster, _, _ = make_tables(n=4, n_centers=2, seed=3)
    return build_analysis_dataset(cases, roster, spec, THRESHOLDS, load_codebook())


def test_followup_months_censoring_and_events(spec):
    ts = pd.Timestamp
    cases = _cases(
        [
            # ended by a transition after 182 days
            {
                "followup_start": ts("2020-01-01"),
                "followup_end": ts("2020-07-01"),
                "end_reason": "stable",
                "cohort": "r2_ended",
            },
            # open: censored at the reference date 2021-10-21
            {
                "followup_start": ts("2021-02-21"),
                "followup_end": pd.NaT,
                "end_reason": np.nan,
                "cohort": "r2_continuing",
            },
            # start missing: the release date is used and flagged
            {
                "followup_start": pd.NaT,
                "release_date": ts("2019-05-01"),
                "followup_end": ts("2019-06-01"),
                "end_reason": "death",
                "cohort": "r1_ended",
            },
        ]
    )
    a = _build(spec, cases)
    assert a.loc[0, "followup_months"] == pytest.approx(182 / DAYS_PER_MONTH)
    reference = pd.Timestamp(load_codebook().survey["reference_date"])
    assert a.loc[1, "followup_months"] == pytest.approx(
        (reference - ts("2021-02-21")).days / DAYS_PER_MONTH
    )
    assert a.loc[2, "followup_months"] == pytest.approx(31 / DAYS_PER_MONTH)
    assert a["event_type"].astype(str).tolist()[:3] == ["transition", "censored", "competing"]
    assert a["start_imputed"].tolist()[:3] == [False, False, True]
    assert a["ended"].tolist()[:3] == [1, 0, 1]


def test_prolonged_indicators_are_missing_when_censored_before_k(spec):
    ts = pd.Timestamp
    cases = _cases(
        [
            # ended after about 10 months: prolonged_6 = 1, prolonged_12 = 0
            {
                "followup_start": ts("2019-06-01"),
                "followup_end": ts("2020-04-01"),
                "end_reason": "handover",
                "cohort": "r2_ended",
            },
            # open for about 8 months at the reference date: prolonged_6 = 1, prolonged_12 = NA
            {
                "followup_start": ts("2021-02-21"),
                "followup_end": pd.NaT,
                "end_reason": np.nan,
                "cohort": "r2_continuing",
            },
            # ended after about 2 months: both 0
            {
                "followup_start": ts("2020-06-01"),
                "followup_end": ts("2020-08-01"),
                "end_reason": "lost",
                "cohort": "r2_ended",
            },
        ]
    )
    a = _build(spec, cases)
    assert a["prolonged_6"].tolist()[:3] == [1, 1, 0]
    assert a.loc[0, "prolonged_12"] == 0
    assert a.loc[1, "prolonged_12"] is pd.NA
    assert a.loc[2, "prolonged_12"] == 0


def test_covariates_reference_levels_and_center_join(spec):
    roster, cases, _ = make_tables(n=200, n_centers=5, seed=2)
    cases["case_ref"] = "personal"
    a = build_analysis_dataset(cases, roster, spec, THRESHOLDS, load_codebook())
    assert "case_ref" not in a.columns  # personal values never enter the analysis dataset
    assert len(a) == len(cases)
    np.testing.assert_allclose(a["age_10"].to_numpy(float), cases["age"].to_numpy(float) / 10)
    assert a["coordination"].cat.categories[0] == spec.reference_levels["coordination"]
    assert a["operator"].cat.categories[0] == spec.reference_levels["operator"]
    joined = a.set_index("center_id")["member"].groupby(level=0).first()
    expected = roster.set_index("center_id")["member"].loc[joined.index]
    assert (joined == expected).all()


def test_center_dataset_counts_valid_outcomes_per_awareness_center(spec):
    roster, cases, awareness = make_tables(n=300, n_centers=6, seed=4)
    a = build_analysis_dataset(cases, roster, spec, THRESHOLDS, load_codebook())
    c = build_center_dataset(a, awareness, "prolonged_12")
    assert len(c) == len(awareness)
    for _, row in c.iterrows():
        sub = a.loc[a["center_id"] == row["center_id"], "prolonged_12"].dropna()
        assert row["prolonged_12_yes"] == int(sub.sum())
        assert row["prolonged_12_no"] == len(sub) - int(sub.sum())


def test_settings_read_from_config(default_config):
    s = Settings.from_config(default_config["analysis"])
    assert s.thresholds == tuple(default_config["analysis"]["thresholds"])
    assert s.mice_imputations == default_config["analysis"]["mice"]["imputations"]


def test_model_rows_come_in_an_order_independent_of_the_pseudonym_key(spec):
    """Re-keying changes every case_id and so the processed order; the rows models see
    come out in the same order (and with the same content) whatever the key."""
    from teichaku.analysis.dataset import key_independent_order

    _, cases, _ = make_tables(n=40, n_centers=3, seed=5)
    a = _build(spec, cases)
    rekeyed = a.assign(case_id=[f"{i:064x}" for i in range(len(a))][::-1])
    shuffled = rekeyed.sort_values("case_id").reset_index(drop=True)
    first = key_independent_order(a).drop(columns="case_id")
    second = key_independent_order(shuffled).drop(columns="case_id")
    pd.testing.assert_frame_equal(first, second)
    assert not shuffled.drop(columns="case_id").equals(a.drop(columns="case_id"))
    assert list(first["center_id"]) == sorted(first["center_id"])
