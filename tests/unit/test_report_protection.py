"""The person counts of tables 1-3 as one linked cell table (report.protection)."""

import pandas as pd
import pytest

from teichaku.codebook import load_codebook
from teichaku.disclosure import Status, audit
from teichaku.published import ITEMS
from teichaku.report.protection import (
    item_shown,
    model_protection,
    survey_cells,
    survey_protection,
    survey_variables,
)

MIN_CELL = 5
CODEBOOK = load_codebook()


def _cases() -> pd.DataFrame:
    """20, 30 and 3 cases in the three cohorts; 2 women in the first."""
    cohort = ["r1_ended"] * 20 + ["r2_ended"] * 30 + ["r2_continuing"] * 3
    sex = ["female"] * 2 + ["male"] * 51
    contact = [True] * 10 + [False] * 10 + [True] * 15 + [False] * 15 + [True, False, False]
    prolonged = [1] * 8 + [0] * 12 + [1] * 10 + [0] * 20 + [1, pd.NA, pd.NA]
    return pd.DataFrame(
        {
            "cohort": pd.Categorical(cohort),
            "sex": pd.Categorical(sex),
            "act_regular_contact": pd.array(contact, dtype="boolean"),
            "barrier_no_stable_service": pd.array(contact, dtype="boolean"),
            "prolonged_12": pd.array(prolonged, dtype="Int64"),
        }
    )


def test_the_relations_hold_and_a_small_cohort_is_hidden_in_every_table():
    cases = _cases()
    p = survey_protection(cases, CODEBOOK, MIN_CELL, cases["prolonged_12"], "prolonged_12")
    assert p.status[("size", "r2_continuing")] is Status.PRIMARY
    # the overall size is printed, so another cohort must go too
    hidden = [c for c in ("r1_ended", "r2_ended") if not p.shown(("size", c))]
    assert hidden and not p.shown(("size", "r2_continuing"))
    for column in ("act_regular_contact", "barrier_no_stable_service", "sex"):
        assert not p.shown(("valid", column, "r2_continuing"))
    assert [f for f in audit(p.table, p.published(), MIN_CELL) if not f.ok] == []


def test_a_share_with_a_small_complement_is_hidden():
    cases = _cases()
    p = survey_protection(cases, CODEBOOK, MIN_CELL)
    pct_male = next(i for i in ITEMS if i.key == "pct_male")
    assert p.status[("count", "sex", "male", "r1_ended")] is Status.PRIMARY  # 2 women
    assert not item_shown(p, pct_male, "r1_ended")
    assert not item_shown(p, pct_male, "all")  # 2 women of 53 overall as well


def test_every_cell_value_is_counted_from_the_cases():
    cases = _cases()
    table = survey_cells(
        cases, CODEBOOK, survey_variables(CODEBOOK), cases["prolonged_12"], "prolonged_12"
    )
    assert table.value(("size", "all")) == 53
    assert table.value(("count", "act_regular_contact", "yes", "r2_ended")) == 15
    assert (
        table.value(("count", "barrier_no_stable_service", "yes", "prolonged_12=1")) == 8 + 10 + 1
    )
    assert table.value(("size", "r2_continuing&prolonged_12=NA")) == 2
    assert table.cells[("size", "r1_ended&prolonged_12=NA")].known  # empty, by definition
    with pytest.raises(ValueError, match="one value per case"):
        survey_protection(cases, CODEBOOK, MIN_CELL, cases["prolonged_12"].iloc[:5], "prolonged_12")


def test_model_counts_hide_events_with_a_small_complement():
    coefficients = pd.DataFrame(
        {
            "model": ["a", "b", "c", "d"],
            "n": [100, 100, 3, 30],
            "n_events": [40, 97, 1, 540],
        }
    )
    p = model_protection(coefficients, MIN_CELL)
    assert p.shown(("model_events", "a")) and p.shown(("model_n", "a"))
    assert not p.shown(("model_events", "b"))  # 3 without the event
    assert not p.shown(("model_n", "c"))
    assert p.shown(("model_events", "d"))  # events of the cases of 30 centers
