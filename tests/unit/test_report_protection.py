"""The person counts of tables 1-3 as one linked cell table (report.protection)."""

import pandas as pd
import pytest

from teichaku.codebook import load_codebook
from teichaku.disclosure import Status, audit
from teichaku.published import ITEMS
from teichaku.report.protection import (
    _level_hits,
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


def _with_care(cases: pd.DataFrame) -> pd.DataFrame:
    """_cases with a care level: 3 of the 53 need care level 1 (all in the first cohort)."""
    levels = ["care_1"] * 3 + ["not_applied"] * 50
    return cases.assign(care_level=pd.Categorical(levels))


def test_a_crosstab_by_prolonged_status_prints_its_counts_by_status_not_by_cohort():
    from teichaku.report.protection import table_cells

    cases = _with_care(_cases())
    crosstab = {"rows": "care_level", "columns": "prolonged", "cells": "n"}
    cells = table_cells(cases, cases, "prolonged_12", CODEBOOK, [crosstab])
    for code in CODEBOOK.variable("cases", "care_level").codes:
        assert cells.cells[("count", "care_level", code, "prolonged_12=1")].printed
        assert cells.cells[("count", "care_level", code, "all")].printed
        assert not cells.cells[("count", "care_level", code, "r1_ended")].printed
    # and the variables of tables 1-3 keep their cohort counts printed
    assert cells.cells[("count", "sex", "male", "r1_ended")].printed
    without = table_cells(cases, cases, "prolonged_12", CODEBOOK)
    assert ("valid", "care_level", "all") not in without.cells


@pytest.mark.slow  # the audit-driven secondary suppression: about 6 s
def test_a_crosstab_is_protected_together_with_tables_1_to_3():
    """3 cases of care level 1, 8 of 20 prolonged in the first cohort: the crosstab's small
    count is hidden, and no count of either table can be had by subtraction."""
    from teichaku.disclosure import protect
    from teichaku.report.protection import table_cells

    cases = _with_care(_cases())
    crosstabs = [
        {"rows": "care_level", "columns": "prolonged", "cells": "n"},
        {"rows": "care_level", "columns": "cohort", "cells": "pct"},
    ]
    cells = table_cells(cases, cases, "prolonged_12", CODEBOOK, crosstabs)
    p = protect(cells, MIN_CELL)
    assert not p.shown(("count", "care_level", "care_1", "all"))
    assert not p.shown(("count", "care_level", "care_1", "r1_ended"))
    # 50 not applied of 53 valid overall: its complement (3) is small, so it is hidden too
    assert not p.shown(("count", "care_level", "not_applied", "all"))
    assert [f for f in audit(p.table, p.published(), MIN_CELL) if not f.ok] == []
    assert any(f.kind == "sensitive" for f in p.findings)


def test_a_level_of_the_cells_is_its_text_among_the_valid_values():
    column = pd.Series(pd.Categorical(["own_home", None, "hospital", "own_home"]))
    hits = _level_hits(column, column.notna().to_numpy(), ("own_home", "absent"))
    assert hits["own_home"].tolist() == [True, False, False, True]
    assert not hits["absent"].any()


def test_a_marks_level_is_its_truth_and_a_missing_mark_holds_nothing():
    column = pd.Series(pd.array([True, False, pd.NA, True], dtype="boolean"))
    hits = _level_hits(column, column.notna().to_numpy(), ("yes",))
    assert hits["yes"].tolist() == [True, False, False, True]
