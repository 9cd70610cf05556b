"""What a model's job imports: the distribution functions and the VIF of our own give the
floats scipy.stats and statsmodels give, so that no model's job (Cox, Fine-Gray, mixed,
logistic, GEE, binomial) loads either (each model is a process of its own)."""

import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.outliers_influence import variance_inflation_factor as statsmodels_vif

from teichaku.analysis import distributions
from teichaku.analysis.diagnostics import variance_inflation_factor


def test_distribution_functions_give_scipy_stats_floats():
    rng = np.random.default_rng(3)
    x = np.r_[rng.normal(0, 3, 500), 0.0, 40.0, np.inf, -np.inf, np.nan]
    q = np.r_[rng.uniform(0, 1, 500), 0.975, 0.5]
    for df in (1.0, 4.5, 37.0, 1e6, np.inf):
        assert np.array_equal(distributions.t_sf(x, df), stats.t.sf(x, df), equal_nan=True)
        assert np.array_equal(distributions.t_quantile(q, df), stats.t.ppf(q, df))
        chi = np.abs(x[np.isfinite(x)])
        assert np.array_equal(distributions.chi2_sf(chi, df), stats.chi2.sf(chi, df))
    assert np.array_equal(distributions.normal_sf(x), stats.norm.sf(x), equal_nan=True)
    assert np.array_equal(distributions.normal_quantile(q), stats.norm.ppf(q))
    per_df = np.array([3.0, 10.0, np.inf])  # Rubin's df, one per coefficient
    assert np.array_equal(distributions.t_sf(x[:3], per_df), stats.t.sf(x[:3], per_df))


def test_ranks_with_ties_are_scipys():
    rng = np.random.default_rng(4)
    for values in (rng.integers(0, 30, 400).astype(float), rng.normal(size=50), np.ones(7)):
        assert np.array_equal(distributions.rankdata(values), stats.rankdata(values))


def test_variance_inflation_factors_are_statsmodels_bit_for_bit():
    rng = np.random.default_rng(5)
    for trial in range(120):
        n, k = int(rng.integers(15, 2500)), int(rng.integers(2, 10))
        X = rng.normal(size=(n, k)) * rng.uniform(0.1, 100, k) + rng.uniform(-50, 50, k)
        X[:, : k // 2] = X[:, : k // 2] > 0  # indicators, as the barriers
        if trial % 3 == 0:  # nearly collinear
            X[:, 1] = 0.9 * X[:, 0] + 0.1 * X[:, 1]
        if trial % 7 == 0:  # exactly collinear: an infinite VIF
            X[:, -1] = X[:, 0] + X[:, 1]
        design = np.column_stack([np.ones(n), X])
        for i in range(1, k + 1):
            with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                warnings.simplefilter("ignore")
                expected = float(statsmodels_vif(design, i))
                ours = variance_inflation_factor(design, i)
            assert ours == expected or (np.isnan(expected) and np.isnan(ours)), (trial, i)


@pytest.mark.slow
def test_no_model_job_loads_statsmodels_scipy_stats_formulaic():
    script = textwrap.dedent(
        """
        import sys
        from teichaku.analysis.dataset import build_analysis_dataset
        from teichaku.analysis.run import fit_one
        from teichaku.analysis.specs import Settings, load_analysis_spec
        from teichaku.codebook import load_codebook
        from teichaku.report import publish
        from tests.unit.analysis_cases import make_tables

        settings = Settings(mice_imputations=2, mice_burn_in=1)
        codebook = load_codebook()
        spec = load_analysis_spec("config/models.yaml", list(settings.thresholds), codebook)
        roster, cases, awareness = make_tables(n=800, n_centers=16, seed=11)
        data = build_analysis_dataset(cases, roster, spec, list(settings.thresholds), codebook)
        for name in ("cox_transition", "cox_transition_mice", "cox_transition_center_strata",
                     "fine_gray_transition", "mixed_prolonged_12", "logit_prolonged_12",
                     "logit_threshold_6", "centers_reasons_prolonged_12", "gee_prolonged_12"):
            model = spec.model(name)
            centers = awareness if model.data == "centers" else None
            table, rows, _ = fit_one(model, data, centers, spec, settings, codebook)
            assert table is not None, rows
        print(sorted(m for m in ("statsmodels", "scipy.stats", "formulaic") if m in sys.modules))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=_root(), check=True
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stderr[-2000:]


def _root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]


def test_kaplan_meier_and_its_median_are_statsmodels_bit_for_bit():
    from statsmodels.duration.survfunc import SurvfuncRight

    from teichaku.analysis import survfunc

    rng = np.random.default_rng(6)
    for trial in range(60):
        n = int(rng.integers(3, 1500))
        time = np.round(rng.exponential(12, n), int(rng.integers(0, 3)))  # ties
        status = (rng.random(n) < rng.uniform(0.2, 1.0)).astype(float)
        if trial % 5 == 0:
            status[np.argmax(time)] = 1.0  # the curve reaches 0
        theirs, ours = SurvfuncRight(time, status), survfunc.survival(time, status)
        for a, b in (
            (theirs.surv_times, ours.times),
            (theirs.surv_prob, ours.prob),
            (theirs.surv_prob_se, ours.se),
            (theirs.n_risk, ours.n_risk),
        ):
            assert np.array_equal(a, b, equal_nan=True), trial
        for p, alpha in ((0.5, 0.05), (0.25, 0.1)):
            expected = theirs.quantile(p)
            assert survfunc.quantile(ours, p) == expected or np.isnan(expected)
            with np.errstate(divide="ignore", invalid="ignore"):
                ci = theirs.quantile_ci(p, alpha=alpha)
                assert np.array_equal(survfunc.quantile_ci(ours, p, alpha), ci, equal_nan=True)


@pytest.mark.slow
def test_the_design_of_a_sum_of_variables_is_formulaics():
    """Every model of config/models.yaml: the same columns, values, memory layout (BLAS sums
    in that order) and per-term columns as formulaic's model matrix; other formulas are
    formulaic's own."""
    from formulaic import model_matrix

    from teichaku.analysis import fit
    from teichaku.analysis.dataset import build_analysis_dataset
    from teichaku.analysis.run import model_data
    from teichaku.analysis.specs import load_analysis_spec
    from teichaku.analysis.sum_design import required_variables, sum_design, sum_variables
    from teichaku.codebook import load_codebook
    from tests.unit.analysis_cases import make_tables

    codebook, thresholds = load_codebook(), [6, 12, 18, 24]
    spec = load_analysis_spec(_root() / "config" / "models.yaml", thresholds, codebook)
    for n, n_centers, seed in ((800, 16, 11), (120, 6, 3)):
        roster, cases, awareness = make_tables(n=n, n_centers=n_centers, seed=seed)
        data = build_analysis_dataset(cases, roster, spec, thresholds, codebook)
        for model in spec.models:
            frame = fit.prepare(model, model_data(model, data, awareness)).frame
            if model.missing == "mice":  # designed after imputation: complete cases here
                frame = frame.dropna()
            assert sum_design(model.formula, frame) is not None, model.name
            ours = fit.design(model, frame)
            matrix = model_matrix(model.formula, frame, na_action="raise")
            columns = list(matrix.columns)
            theirs = pd.DataFrame(np.asarray(matrix, dtype=float), columns=columns)
            if model.time_to_event:
                theirs = theirs.drop(columns=["Intercept"])
            a, b = np.asarray(ours), np.asarray(theirs)
            assert list(ours.columns) == list(theirs.columns), model.name
            assert np.array_equal(a, b) and a.flags.f_contiguous == b.flags.f_contiguous
            assert ours.attrs["term_columns"] == {
                str(t): [columns[i] for i in ix if columns[i] in theirs.columns]
                for t, ix in matrix.model_spec.term_indices.items()
                if str(t) != "1"
            }
            assert required_variables(model.formula) == sorted(
                str(v) for v in matrix.model_spec.required_variables
            )
    for formula in ("age_10 * iq_10", "np.log(age_10) + iq_10", "a + a", "a:b + c"):
        assert sum_variables(formula) is None
