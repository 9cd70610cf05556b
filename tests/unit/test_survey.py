"""A round is configuration: the survey section laid over the codebook."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from teichaku.codebook import load_codebook, parse_codebook
from teichaku.survey import (
    SurveyError,
    fiscal_year_ja,
    fiscal_years_ja,
    round_codebook,
    write_round_codebook,
)

ROOT = Path(__file__).resolve().parents[2]
RAW = yaml.safe_load((ROOT / "config" / "codebook.yaml").read_text(encoding="utf-8"))
ERAS = RAW["eras"]
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
ROUND_2022 = {
    "round": 2022,
    "period_start": "2022-10-21",
    "period_end": "2022-12-07",
    "reference_date": "2022-10-21",
    "ended_fiscal_years": [2020, 2021],
    "continuing_fiscal_year": 2021,
    "n_centers_asked": 4,
}


def test_the_default_round_is_the_codebook_as_it_stands():
    """The 2021 round's labels, limits and spellings come out of the survey section exactly
    as the codebook has them (computed, not typed), so its outputs stay the same."""
    assert round_codebook(RAW, CONFIG["survey"]) == RAW


@pytest.mark.parametrize(
    ("year", "label"),
    [(2018, "平成30年度"), (2019, "令和元年度"), (2020, "令和2年度"), (2024, "令和6年度")],
)
def test_the_era_of_a_fiscal_year_is_the_one_in_force_at_its_end(year, label):
    assert fiscal_year_ja(year, ERAS) == label


def test_several_fiscal_years_name_their_era_once():
    assert fiscal_years_ja([2019, 2020], ERAS) == "令和元年度・2年度"
    assert fiscal_years_ja([2018, 2019], ERAS) == "平成30年度・令和元年度"


def test_a_later_round_gets_its_own_labels_limits_and_centers():
    cb = parse_codebook(round_codebook(RAW, ROUND_2022))
    cohort = cb.variable("cases", "cohort")
    assert [(lv.ja, lv.en) for lv in cohort.levels] == [
        ("令和2年度 支援終了", "FY2020 ended"),
        ("令和3年度 支援終了", "FY2021 ended"),
        ("令和3年度 支援継続", "FY2021 continuing"),
    ]
    ended = cohort.levels[1]
    assert ended.spellings[:2] == ("2", "②")  # the positional codes stay
    assert "令和3年度支援終了" in ended.spellings
    assert not [s for lv in cohort.levels for s in lv.spellings if "元年度" in s]
    assert cb.fiscal_years == {
        "r1_ended": (dt.date(2020, 4, 1), dt.date(2021, 3, 31)),
        "r2_ended": (dt.date(2021, 4, 1), dt.date(2022, 3, 31)),
    }
    assert cb.survey["reference_date"] == dt.date(2022, 10, 21)
    assert cb.survey["period_end"] == dt.date(2022, 12, 7)
    assert {cb.variable(t, "center_id").max for t in ("roster", "cases", "awareness")} == {4}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ended_fiscal_years": [2021]}, "2 ended cohorts"),
        ({"period_end": "2022-10-01"}, "run forward"),
        ({"reference_date": "2022-01-10"}, "inside the last ended fiscal year"),
        ({"round": 2021}, "not the year the survey period starts"),
    ],
)
def test_a_survey_section_that_does_not_fit_is_named(change, message):
    with pytest.raises(SurveyError, match=message):
        round_codebook(RAW, ROUND_2022 | change)


def test_the_rounds_codebook_file_loads_as_a_codebook(tmp_path):
    out = write_round_codebook(ROOT / "config" / "codebook.yaml", ROUND_2022, tmp_path / "cb.yaml")
    cb = load_codebook(str(out))
    assert cb.variable("cases", "cohort").levels[2].ja == "令和3年度 支援継続"
    assert re.match(r"# The codebook of this round", out.read_text("utf-8"))
