"""The later synthetic round: the same population observed a year later, and its truth."""

import dataclasses
import datetime as dt
import hashlib
import math

import numpy as np
import pandas as pd
import pytest

from teichaku.codebook import load_codebook
from teichaku.published import load_published
from teichaku.synthetic import Design, generate_survey
from teichaku.synthetic.defects import _bad_values
from teichaku.synthetic.later_round import generate_later_round, load_round_config
from teichaku.synthetic.model import TRANSITION, draw_frailty, draw_outcomes, draw_persons
from teichaku.synthetic.raw_writer import survey_texts
from teichaku.synthetic.stage import ROUND_SCHEMA, write_synthetic

BASELINE = [
    "center_id", "case_ref", "coordination", "sex", "age", "iq", "iq_status", "ryoiku_techo",
    "prison_admissions", "release_date", "followup_start", "welfare",
    "barrier_no_agency_cooperation", "barrier_facility_requests",
]  # fmt: skip
REF_2021 = pd.Timestamp("2021-10-21")
REF_2022 = pd.Timestamp("2022-10-21")


def codebook_2022(book):
    """The 2022 round's dates and cohort years (what its survey section sets)."""
    d = dt.date
    return dataclasses.replace(
        book,
        survey={
            "period_start": d(2022, 10, 21),
            "period_end": d(2022, 12, 7),
            "reference_date": d(2022, 10, 21),
        },
        fiscal_years={
            "r1_ended": (d(2020, 4, 1), d(2021, 3, 31)),
            "r2_ended": (d(2021, 4, 1), d(2022, 3, 31)),
        },
    )


@pytest.fixture(scope="module")
def rounds(root):
    book = load_codebook(str(root / "config" / "codebook.yaml"))
    base_cfg, cfg = load_round_config(root / "config" / "synthetic-2022.yaml", ROUND_SCHEMA)
    base = generate_survey(base_cfg, load_published(root / "config" / "published-2021.yaml"), book)
    later = generate_later_round(base, base_cfg, cfg, codebook_2022(book))
    return base, later, cfg


def _keyed(cases):
    return cases.set_index(["center_id", "case_ref"], drop=False)


def test_every_continuing_case_is_asked_about_again_with_its_baseline_answers(rounds):
    base, later, _ = rounds
    continuing = _keyed(base.cases[base.cases["end_reason"].isna()])
    again = _keyed(later.cases).loc[continuing.index]
    assert len(again) == len(continuing) > 0
    pd.testing.assert_frame_equal(again[BASELINE], continuing[BASELINE], check_categorical=False)


def test_ends_in_the_rounds_fiscal_years_are_reported_again_as_they_were(rounds):
    """The 2022 round asks about FY2020 and FY2021: the 2021 round's ends from 2020-04-01
    on come again, unchanged but for their cohort; earlier ends do not."""
    base, later, _ = rounds
    ended = base.cases[base.cases["end_reason"].notna()]
    before = _keyed(ended[ended["followup_end"] < pd.Timestamp("2020-04-01")]).index
    since = _keyed(ended[ended["followup_end"] >= pd.Timestamp("2020-04-01")])
    assert len(before) > 0 and len(since) > 0
    assert not before.isin(_keyed(later.cases).index).any()
    again = _keyed(later.cases).loc[since.index]
    columns = [c for c in base.cases.columns if c not in ("cohort", "contacts")]
    pd.testing.assert_frame_equal(again[columns], since[columns], check_categorical=False)
    fy2020 = again["followup_end"] <= pd.Timestamp("2021-03-31")
    assert (again["cohort"].astype(str) == np.where(fy2020, "r1_ended", "r2_ended")).all()
    assert not _keyed(later.cases).index.duplicated().any()


def test_a_continuing_case_ends_between_the_two_reference_dates_or_is_still_open(rounds):
    base, later, _ = rounds
    continuing = _keyed(base.cases[base.cases["end_reason"].isna()]).index
    carried = _keyed(later.cases).loc[continuing]
    ended = carried["followup_end"].notna()
    assert (carried["end_reason"].notna() == ended).all()
    assert (
        carried.loc[ended, "followup_end"].between(REF_2021, REF_2022 - pd.Timedelta(days=1)).all()
    )
    cohort = np.where(ended, "r2_ended", "r2_continuing")  # they end after FY2020
    assert (carried["cohort"].astype(str).to_numpy() == cohort).all()


def test_new_cases_start_in_the_window_at_the_first_rounds_rate(rounds):
    base, later, cfg = rounds
    old = _keyed(base.cases).index
    new = later.cases[~_keyed(later.cases).index.isin(old)]
    window = cfg["new_cases"]
    assert new["followup_start"].between(window["entry_start"], window["entry_end"]).all()
    days_new = (pd.Timestamp(window["entry_end"]) - pd.Timestamp(window["entry_start"])).days + 1
    days_old = (pd.Timestamp("2021-03-31") - pd.Timestamp("2019-04-01")).days + 1
    assert len(new) == round(len(base.cases) * days_new / days_old)
    assert set(new["center_id"]) <= set(base.cases["center_id"])


def test_the_linkage_truth_counts_what_the_tables_hold(rounds):
    base, later, _ = rounds
    continuing = base.cases.loc[base.cases["end_reason"].isna(), ["center_id", "case_ref"]]
    merged = continuing.merge(later.cases, on=["center_id", "case_ref"])
    truth = later.truth["linkage"]
    assert truth["continuing_at_earlier_round"] == len(continuing) == len(merged)
    counts = merged["end_reason"].value_counts()
    assert truth["ended_by_reason"] == {str(k): int(v) for k, v in counts.items() if v}
    assert truth["ended"] + truth["still_continuing"] == len(continuing)
    ended = merged[merged["end_reason"].notna()]
    days = (ended["followup_end"] - ended["followup_start"]).dt.days
    assert truth["followup_months_of_ended"]["median"] == pytest.approx(
        float(np.median(days)) / (365.25 / 12), rel=1e-12
    )


def _survival(persons, frailty, center, design, months):
    """The model's probability of no end by ``months`` (all causes, given covariates)."""
    from teichaku.synthetic.model import linear_terms

    terms = linear_terms(persons, design)
    cumulative = np.zeros(len(center))
    for cause in design.causes:
        rate, shape = design.baseline[cause]
        eta = sum(beta * terms[t] for t, beta in design.log_hr[cause].items())
        scale = rate * np.exp(eta) * (frailty[center] if cause in TRANSITION else 1.0)
        cumulative += scale * months**shape
    return np.exp(-cumulative)


def test_later_ends_follow_the_model_given_survival_to_the_first_reference_date(root):
    """Of the cases open at the first reference date, the share whose latent end falls
    before the second is the model's 1 - S(t2)/S(t1), summed over the cases."""
    from teichaku.synthetic import load_synthetic_config

    book = load_codebook(str(root / "config" / "codebook.yaml"))
    design = Design.from_config(load_synthetic_config(), book, n_cases=20000, n_centers=40)
    rng = np.random.default_rng(7)
    center = rng.integers(0, 40, design.n_cases)
    frailty = draw_frailty(40, design, rng)
    persons = draw_persons(design.n_cases, design, book, rng)
    out = draw_outcomes(persons, center, frailty, design, rng)
    open_ = out["cause"] < 0
    start = out["start"][open_]
    per_month = 365.25 / 12
    t1 = (np.datetime64("2021-10-21") - start).astype(float) / per_month
    t2 = (np.datetime64("2022-10-21") - start).astype(float) / per_month
    subset = {k: v[open_] for k, v in persons.items()}
    s1 = _survival(subset, frailty, center[open_], design, t1)
    s2 = _survival(subset, frailty, center[open_], design, t2)
    p = 1 - s2 / s1
    ended = out["latent_end"][open_] < np.datetime64("2022-10-21")
    expected, sd = p.sum(), math.sqrt((p * (1 - p)).sum())
    # day rounding of the end dates shifts the share by far less than one SD
    assert abs(ended.sum() - expected) < 4 * sd
    assert 0.2 < ended.mean() < 0.9


def test_raw_texts_carry_the_rounds_dates(root):
    book = load_codebook(str(root / "config" / "codebook.yaml"))
    assert survey_texts(book) == {"fiscal_year": "令和3年度", "reference_date": "令和3年10月21日"}
    later = codebook_2022(book)
    texts = survey_texts(later)
    assert texts == {"fiscal_year": "令和4年度", "reference_date": "令和4年10月21日"}
    after = _bad_values("date_out_of_range", later, texts)[1]
    assert after == "令和5年1月15日"  # after the 2022 round's end: rejected as out of range
    assert "令和4年10月21日" in _bad_values("missing_case_ref", later, texts)[1]


@pytest.mark.slow
def test_the_2021_raw_folder_is_byte_identical_to_the_one_before_rounds(root, tmp_path):
    """tests/data/synthetic_2021_raw.sha256: the raw folder written by the generator before
    the later round existed (main 8c11d30); the 2021 round must not change by a byte.

    The workbooks' hashes were taken again when python-docx brought lxml into the lock:
    openpyxl then serialises its XML with lxml. The old hashes are still those of the same
    generator with ``OPENPYXL_LXML=False``, and both sets of workbooks hold the same cell
    values, number formats, types, sheet states and merged cells."""
    write_synthetic(
        parameters=root / "config" / "synthetic.yaml",
        published=root / "config" / "published-2021.yaml",
        codebook=root / "config" / "codebook.yaml",
        raw_dir=tmp_path,
    )
    expected = {}
    for line in (root / "tests" / "data" / "synthetic_2021_raw.sha256").read_text().splitlines():
        digest, name = line.split("  ", 1)
        expected[name.removeprefix("./")] = digest
    written = {
        p.relative_to(tmp_path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in tmp_path.rglob("*")
        if p.is_file()
    }
    assert written == expected
