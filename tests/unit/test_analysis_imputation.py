"""Multiple imputation: m independent chains (each imputation is its own chain's end, so it
does not depend on how many others are drawn), donors are observed values among the nearest
fitted values, Rubin's rules with Barnard-Rubin df, and results that do not depend on the
order of the rows."""

import numpy as np
import pandas as pd
import pytest

from teichaku.analysis import imputation
from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.fit import fit_model, tidy
from teichaku.analysis.specs import Settings, load_analysis_spec
from teichaku.codebook import load_codebook
from tests.unit.analysis_cases import make_tables

SETTINGS = Settings(mice_imputations=4, mice_burn_in=3)


def _incomplete(seed=0, n=300):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    z = 0.8 * x + rng.normal(0, 0.6, n)
    w = (rng.random(n) < 0.5).astype(float)
    z[rng.random(n) < 0.3] = np.nan
    x[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({"x": x, "z": z, "w": w})


def test_imputations_are_independent_chains_of_observed_values():
    data = _incomplete()
    three = list(imputation.impute(data, 3, 4, seed=5))
    five = list(imputation.impute(data, 5, 4, seed=5))
    for a, b in zip(three, five[:3], strict=True):
        pd.testing.assert_frame_equal(a, b)  # chain c does not depend on m
    missing = data.isna()
    for completed in five:
        assert not completed.isna().any().any()
        pd.testing.assert_frame_equal(completed[~missing], data[~missing])
        for c in ("x", "z"):  # predictive mean matching imputes observed values only
            assert set(completed.loc[missing[c], c]) <= set(data[c].dropna())
    # the chains differ from each other
    assert not np.allclose(five[0]["z"], five[1]["z"])
    # each is the end of its own chain seeded by (seed, c)
    again = imputation.impute_chain(data.to_numpy(), 4, np.random.default_rng([5, 3]))
    np.testing.assert_array_equal(again, five[3].to_numpy())


def test_imputed_values_keep_the_relation_between_columns():
    data = _incomplete(seed=1, n=2000)
    completed = imputation.impute(data, 5, 5, seed=2)
    truth_slope = 0.8
    missing = data["z"].isna() & data["x"].notna()
    for c in completed:
        slope = np.polyfit(c.loc[missing, "x"], c.loc[missing, "z"], 1)[0]
        assert abs(slope - truth_slope) < 0.15, slope


def test_donors_are_among_the_nearest_fitted_values():
    rng = np.random.default_rng(3)
    fitted = np.round(rng.normal(0, 1, 200), 1)  # many ties
    targets = rng.normal(0, 1, 50)
    for trial in range(5):
        donors = imputation._match(fitted, targets, np.random.default_rng(trial), 5)
        for target, donor in zip(targets, donors, strict=True):
            fifth = np.sort(np.abs(fitted - target))[4]
            assert abs(fitted[donor] - target) <= fifth + 1e-12


@pytest.mark.parametrize("decimals", [1, 3, None])  # many ties, a few, none
def test_donor_order_is_the_stable_sort_of_the_shuffled_values(decimals):
    rng = np.random.default_rng(11)
    fitted = rng.normal(0, 1, 5000)
    if decimals is not None:
        fitted = np.round(fitted, decimals)
        fitted[:50] = -0.0  # equal to 0.0 in every sort
    shuffle = rng.permutation(len(fitted))
    order, ranked = imputation._ranked_order(fitted, shuffle)
    np.testing.assert_array_equal(order, shuffle[np.argsort(fitted[shuffle], kind="stable")])
    np.testing.assert_array_equal(ranked, fitted[order])
    targets = np.round(rng.normal(0, 1.5, 700), 1)
    np.testing.assert_array_equal(
        imputation._insertion_points(ranked, targets), np.searchsorted(ranked, targets)
    )


def test_pool_uses_barnard_rubin_df_and_mice_floor():
    q = np.array([[1.0, 2.0], [1.4, 2.0], [1.2, 2.0]])
    u = np.array([[0.04, 0.01], [0.05, 0.01], [0.06, 0.01]])
    out = imputation.pool(q, u, df_complete=100)
    w, b = 0.05, np.var([1.0, 1.4, 1.2], ddof=1)
    t = w + (1 + 1 / 3) * b
    assert out.std_error[0] == pytest.approx(np.sqrt(t))
    lam = (1 + 1 / 3) * b / t
    old, obs = 2 / lam**2, 101 / 103 * 100 * (1 - lam)
    assert out.df[0] == pytest.approx(old * obs / (old + obs))
    # no between-imputation variance: lambda is floored at 1e-4, df close to nu_obs
    assert out.fraction_missing_information[1] == imputation.LAMBDA_FLOOR
    assert out.df[1] == pytest.approx(
        1 / (1 / (2 / 1e-8) + 1 / (101 / 103 * 100 * (1 - 1e-4))), rel=1e-9
    )
    # an infinite complete-data df leaves Rubin's (m - 1) / lambda^2
    assert imputation.pool(q, u, np.inf).df[1] == pytest.approx(2 / 1e-8)


@pytest.fixture(scope="module")
def analysis(root):
    spec = load_analysis_spec(
        root / "config" / "models.yaml", list(SETTINGS.thresholds), load_codebook()
    )
    roster, cases, _ = make_tables(n=500, n_centers=10, seed=7)
    data = build_analysis_dataset(cases, roster, spec, list(SETTINGS.thresholds), load_codebook())
    return spec, data


@pytest.mark.slow
@pytest.mark.parametrize("model", ["cox_transition_mice"])
def test_results_do_not_depend_on_the_order_of_the_rows(analysis, model):
    spec, data = analysis
    mice = spec.model(model)
    assert data["iq_10"].isna().any()
    est, _, info = fit_model(mice, data, SETTINGS)
    permuted = data.sample(frac=1, random_state=1)
    est2, _, info2 = fit_model(mice, permuted, SETTINGS)
    a, b = tidy(mice, est, info, SETTINGS), tidy(mice, est2, info2, SETTINGS)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert est.se_type == "rubin_cluster_robust" and np.all(np.isfinite(est.df))
