"""Small-cell suppression rules, curve masking and the scans used on results/."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from teichaku.report.suppress import Privacy, find_case_refs, find_small_counts, mask_curves

P = Privacy(5)


def test_marker_follows_min_cell():
    assert Privacy(5).marker == "<5"
    assert Privacy(10).marker == "<10"
    with pytest.raises(ValueError, match="min_cell"):
        Privacy(0)


@pytest.mark.parametrize(
    ("k", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (2783, "2,783")]
)
def test_counts_below_min_cell_are_hidden_but_zero_is_shown(k, shown):
    assert P.count(k) == shown


def test_percentages_hide_small_counts_and_small_complements():
    assert P.percent(3, 100) == "<5"  # the count itself is small
    assert P.percent(97, 100) == "<5"  # 100 - 97 = 3 would reveal a small count
    assert P.percent(2, 4) == "<5"  # the denominator is small
    assert P.percent(50, 100) == "50.0"
    assert P.percent(0, 100) == "0.0"  # nobody: nothing to single out
    assert P.percent(100, 100) == "100.0"
    assert P.count_of(97, 100) == "<5"
    assert P.mean(56.71, 3) == "<5"
    assert P.mean(56.714, 300) == "56.71"


@given(k=st.integers(0, 500), extra=st.integers(0, 500))
def test_a_shown_percentage_never_rests_on_a_small_cell(k, extra):
    n = k + extra
    shown = P.percent(k, n)
    if shown not in ("", P.marker):
        assert k == 0 or k >= 5
        assert n - k == 0 or n - k >= 5
        assert n >= 5
        # half a unit of the last digit (27.25 prints as 27.2: round half to even)
        assert float(shown) == pytest.approx(100 * k / n, abs=0.05 + 1e-9)


def _curve(at_risk, group="all"):
    return pd.DataFrame(
        {
            "curve": "km",
            "group": group,
            "time": range(len(at_risk)),
            "estimate": 1.0,
            "lower": 1.0,
            "upper": 1.0,
            "n_at_risk": at_risk,
        }
    )


def test_curves_stop_before_the_risk_set_drops_below_min_cell():
    curves = pd.concat([_curve([20, 10, 6, 4, 8, 2]), _curve([3, 2, 1], "tiny")])
    masked = mask_curves(curves, 5)
    assert masked["group"].unique().tolist() == ["all"]  # a group starting below 5 goes
    assert masked["n_at_risk"].tolist() == [20, 10, 6]  # cut at the first 4, not only it
    assert (masked["n_at_risk"] >= 5).all()


def test_case_references_are_found_as_whole_tokens_only(tmp_path):
    (tmp_path / "a.csv").write_text("item,n\nX,2783\nref K-12,5\n", encoding="utf-8")
    (tmp_path / "b.png").write_bytes(b"K-12")  # binary files are not scanned
    hits = find_case_refs(tmp_path, ["K-12", "278", "C07"])
    assert hits == [(str(tmp_path / "a.csv"), "K-12")]  # not 278 inside 2783


def test_a_reference_inside_a_hyphenated_word_is_found(tmp_path):
    (tmp_path / "a.md").write_text("see C07-K-12-x and 12", encoding="utf-8")
    hits = sorted(ref for _, ref in find_case_refs(tmp_path, ["K-12", "12", "7"]))
    assert hits == ["12", "12", "K-12"]


def test_small_counts_in_count_columns_are_reported():
    table = pd.DataFrame({"item": ["a", "b", "c"], "n": ["<5", "3", "1,200"]})
    assert find_small_counts(table, ["n"], P) == ["n[1] = 3"]
