"""The intruder audit and cell suppression on hand-made tables whose answer is known."""

from __future__ import annotations

import math

import pytest

from teichaku.disclosure import Cell, CellTable, Status, audit, feasible_interval, protect
from teichaku.disclosure.secondary import primary_cells

MIN_CELL = 5


def cohort_table(yes: dict[str, int], n: dict[str, int]) -> CellTable:
    """A yes/no item by group with an overall column: printed yes and valid n, the "no"
    never printed, overall = sum of groups for each."""
    t = CellTable()
    groups = list(n)
    for g in ["all", *groups]:
        k = yes[g] if g != "all" else sum(yes.values())
        total = n[g] if g != "all" else sum(n.values())
        t.add(Cell(("n", g), total))
        t.add(Cell(("yes", g), k, denominator=("n", g)))
        t.add(Cell(("no", g), total - k, printed=False))
        t.add_sum(("n", g), [("yes", g), ("no", g)])
    for family in ("n", "yes", "no"):
        t.add_sum((family, "all"), [(family, g) for g in groups])
    return t


def test_interval_of_a_fully_suppressed_2x2_table_is_the_frechet_bound():
    # a b | 10      a=1 b=9 c=9 d=11: with the four inner cells hidden, a ranges over
    # c d | 20      [max(0, 10 + 10 - 30), min(10, 10)] = [0, 10].
    t = CellTable()
    for key, v in {"a": 1, "b": 9, "c": 9, "d": 11, "r1": 10, "r2": 20, "c1": 10, "c2": 20}.items():
        t.add(Cell(key, v))
    t.add(Cell("total", 30))
    t.add_sum("r1", ["a", "b"])
    t.add_sum("r2", ["c", "d"])
    t.add_sum("c1", ["a", "c"])
    t.add_sum("c2", ["b", "d"])
    t.add_sum("total", ["r1", "r2"])
    published = {"r1", "r2", "c1", "c2", "total"}
    assert feasible_interval(t, published, {"a": 1}) == (0, 10)
    assert feasible_interval(t, published, {"d": 1}) == (10, 20)
    # publishing b pins a (row 1): the intruder subtracts
    assert feasible_interval(t, published | {"b"}, {"a": 1}) == (1, 1)
    # the linear relaxation agrees on a table of sums
    assert feasible_interval(t, published, {"a": 1}, integer=False) == pytest.approx((0, 10))


def test_issue_example_112_minus_61_minus_35_is_found_and_then_protected():
    # table 2 of the small run: 112 of 150 overall, 61 of 70 and 35 of 60 in two cohorts,
    # so the third holds 112 - 61 - 35 = 16 of 20 (4 "no": the complement is small).
    t = cohort_table({"a": 61, "b": 35, "c": 16}, {"a": 70, "b": 60, "c": 20})
    primary = primary_cells(t, MIN_CELL)
    assert primary == {("yes", "c")}
    naive = audit(t, set(t.printed()) - primary, MIN_CELL)
    recovered = [f for f in naive if not f.ok]
    assert recovered and all((f.low, f.high) == (16, 16) or f.low == f.high for f in recovered)
    assert feasible_interval(t, set(t.printed()) - primary, {("yes", "c"): 1}) == (16, 16)

    p = protect(t, MIN_CELL)
    assert p.status[("yes", "c")] is Status.PRIMARY
    assert Status.SECONDARY in set(p.status.values())
    assert not p.failures()
    no_c = feasible_interval(t, p.published(), {("no", "c"): 1})
    assert no_c[1] - no_c[0] >= MIN_CELL
    assert p.count(("yes", "c")) == "<5"
    assert p.percent(("yes", "c"), ("n", "c")) == "<5"


def test_issue_example_24_minus_12_minus_11_is_found_and_then_protected():
    # table 3: 24 cases overall, 12 and 11 in two groups: the third holds 1.
    t = cohort_table({"a": 6, "b": 5, "c": 1}, {"a": 12, "b": 11, "c": 1})
    primary = primary_cells(t, MIN_CELL)
    assert ("n", "c") in primary and ("yes", "c") in primary
    assert feasible_interval(t, set(t.printed()) - primary, {("n", "c"): 1}) == (1, 1)
    p = protect(t, MIN_CELL)
    low, high = feasible_interval(t, p.published(), {("n", "c"): 1})
    assert high - low >= MIN_CELL
    assert not p.failures()
    for f in p.findings:
        assert f.low < f.high


def test_large_counts_are_all_published():
    t = cohort_table({"a": 61, "b": 35, "c": 15}, {"a": 70, "b": 60, "c": 20})
    p = protect(t, MIN_CELL)
    assert p.suppressed() == set()
    assert p.findings == ()
    assert p.count(("n", "all")) == "150"
    assert p.percent(("yes", "a"), ("n", "a"), 2) == f"{100 * 61 / 70:.2f}"


def test_a_survey_smaller_than_min_cell_hides_every_count():
    t = cohort_table({"a": 1, "b": 1}, {"a": 2, "b": 2})
    p = protect(t, MIN_CELL)
    assert p.published() == set()
    for f in p.findings:
        assert f.high == math.inf


def test_a_zero_that_follows_from_a_zero_total_is_published():
    # nobody answered yes anywhere: every "yes" is 0 whatever is hidden, so the zero of
    # the small group (hidden at first for its small complement, 3) is shown.
    t = cohort_table({"a": 0, "b": 0, "c": 0}, {"a": 20, "b": 30, "c": 3})
    p = protect(t, MIN_CELL)
    assert p.shown(("yes", "c"))
    assert not p.shown(("n", "c"))
    assert not p.failures()


def test_min_cell_one_suppresses_nothing():
    t = cohort_table({"a": 1, "b": 0}, {"a": 2, "b": 1})
    assert protect(t, 1).suppressed() == set()


def test_a_relation_that_does_not_hold_is_refused():
    t = CellTable()
    t.add(Cell("total", 10))
    t.add(Cell("part", 4))
    with pytest.raises(ValueError, match="does not hold"):
        t.add_sum("total", ["part"])
    with pytest.raises(ValueError, match="non-negative integer"):
        Cell("x", -1)
    with pytest.raises(ValueError, match="values"):
        t.add(Cell("part", 5))


def test_mean_is_hidden_with_its_valid_count():
    t = cohort_table({"a": 3, "b": 30}, {"a": 4, "b": 40})
    p = protect(t, MIN_CELL)
    assert p.mean(61.5, ("n", "a")) == "<5"
    assert p.mean(61.5, ("n", "b")) == ("<5" if not p.shown(("n", "b")) else "61.50")
