"""Levels compared as text (teichaku.levels), against the per-value definition."""

import pandas as pd
import pytest

from teichaku.levels import level_mask, level_masks

LEVELS = ("own_home", "hospital", "1", "2", "absent")


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(pd.Categorical(["own_home", "hospital", "own_home", "other"])),
        pd.Series(pd.Categorical([1, 2, 1, 3])),
        pd.Series(["own_home", "hospital", "own_home", "other"], dtype="object"),
        pd.Series(["own_home", "hospital", "own_home", "other"], dtype="string"),
        pd.Series([1, 2, 1, 3], dtype="Int64"),
        pd.Series([], dtype="object"),
    ],
)
def test_each_value_is_a_level_exactly_when_its_text_is(values):
    masks = level_masks(values, LEVELS)
    for level in LEVELS:
        expected = [str(v) == level for v in values]
        assert masks[level].tolist() == expected, level
        assert level_mask(values, level).tolist() == expected, level


def test_the_masks_follow_the_rows_not_the_order_of_the_categories():
    values = pd.Series(pd.Categorical(["b", "a", "b"], categories=["b", "a"])).iloc[[2, 1, 0]]
    assert level_mask(values, "a").tolist() == [False, True, False]
