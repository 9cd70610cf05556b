"""The Fine-Gray split rows and model: hand-computed weights and the limits the model must
reach. The comparisons with cmprsk::crr and survival::finegray are in tests/crosscheck/."""

import numpy as np
import pytest

from teichaku.analysis import coxph, finegray
from teichaku.analysis.finegray import CENSORED, COMPETING, EVENT


def test_split_rows_by_hand():
    # times 1..6: event, competing, censored, event, censored, event
    time = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    status = np.array([EVENT, COMPETING, CENSORED, EVENT, CENSORED, EVENT])
    rows = finegray.split_rows(time, status)
    # G: censorings at 3 (4 at risk) and 5 (2 at risk): G(3) = 3/4, G(5) = 3/8.
    # The competing row (T = 2) stays to the first censoring (3) with weight 1, then
    # (3, 5] with G(3)/G(2-) = 3/4 (an event at 4 inside) and (5, 6] with 3/8 (event at 6).
    extra = rows.row == 1
    assert list(rows.row[:6]) == list(range(6))
    assert rows.stop[1] == 3.0 and rows.weight[1] == 1.0
    np.testing.assert_allclose(rows.start[6:], [3.0, 5.0])
    np.testing.assert_allclose(rows.stop[6:], [5.0, 6.0])
    np.testing.assert_allclose(rows.weight[6:], [0.75, 0.375])
    assert extra.sum() == 3 and rows.event[6:].sum() == 0
    np.testing.assert_array_equal(rows.event[:6], [1, 0, 0, 1, 0, 1])


def test_censoring_conventions_differ_only_where_an_end_and_a_censoring_share_a_time():
    time = np.array([1.0, 2.0, 2.0, 3.0, 4.0])
    status = np.array([EVENT, COMPETING, CENSORED, EVENT, EVENT])
    _, crr = finegray.censoring_survival(time, status, "crr")
    _, fg = finegray.censoring_survival(time, status, "finegray")
    # at t = 2: 4 followed (crr) or 3 (the competing end at 2 first, finegray)
    np.testing.assert_allclose(crr, [3 / 4])
    np.testing.assert_allclose(fg, [2 / 3])
    untied = time + np.array([0, 0, 0.5, 0, 0])
    _, a = finegray.censoring_survival(untied, status, "crr")
    _, b = finegray.censoring_survival(untied, status, "finegray")
    np.testing.assert_allclose(a, b)
    with pytest.raises(ValueError, match="censoring_ties"):
        finegray.censoring_survival(time, status, "other")


def _data(seed=3, n=500, competing=True):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    time = np.round(rng.exponential(1 / np.exp(x @ [0.5, -0.4])) * 20) / 20 + 0.05
    probabilities = [0.3, 0.45, 0.25] if competing else [0.4, 0.6, 0.0]
    status = rng.choice([CENSORED, EVENT, COMPETING], size=n, p=probabilities)
    return time, status, x


def test_without_competing_ends_the_model_is_the_cox_model():
    time, status, x = _data(competing=False)
    rows = finegray.split_rows(time, status)
    assert len(rows.row) == len(time) and np.all(rows.weight == 1)
    fg = coxph.fit(
        coxph.RiskSets.build(
            rows.stop, rows.event, x[rows.row], entry=rows.start, weights=rows.weight
        )
    )
    cox = coxph.fit(coxph.RiskSets.build(time, (status == EVENT).astype(float), x))
    np.testing.assert_allclose(fg.params, cox.params, atol=1e-10)


def test_weights_are_probabilities_that_fall_with_time_within_a_person():
    time, status, _ = _data()
    rows = finegray.split_rows(time, status)
    assert np.all((rows.weight > 0) & (rows.weight <= 1))
    assert np.all(rows.start < rows.stop)
    extended = rows.row[len(time) :]
    for person in np.unique(extended)[:50]:
        w = rows.weight[rows.row == person]
        assert np.all(np.diff(w) <= 1e-15)


def test_predicted_incidence_is_a_distribution_function():
    time, status, x = _data()
    fit = finegray.fit_unsplit(time, status, x)
    grid = np.linspace(0, time.max(), 40)
    higher = x.mean(axis=0) + fit.params / np.linalg.norm(fit.params)  # a higher x b
    cif = fit.cumulative_incidence(np.array([x.mean(axis=0), higher]), grid)
    assert np.all(cif[:, 0] == 0) and np.all(np.diff(cif, axis=1) >= 0) and np.all(cif < 1)
    assert np.all(cif[1, 1:] > cif[0, 1:])


def _split_fit(time, status, x, censoring_ties):
    """The reference: the weighted Cox fit (Breslow ties) of the split rows themselves."""
    rows = finegray.split_rows(time, status, censoring_ties)
    rs = coxph.RiskSets.build(
        rows.stop, rows.event, x[rows.row], entry=rows.start, weights=rows.weight, ties="breslow"
    )
    return rows, rs, coxph.fit(rs)


def _split_crr_cov(time, status, rows, rs, fit):
    """crr's sandwich from the split rows: their weighted score residuals summed per person
    plus the censoring term, with the fit's risk and centered x of the persons' own rows
    (the first n split rows)."""
    n = len(time)
    t = fit.terms
    eta = np.zeros((n, rs.x.shape[1]))
    np.add.at(eta, rows.row, coxph.score_residuals(rs, t) * rs.weights[:, None])
    psi = finegray.censoring_residuals(
        time, status, t.risk[:n], rs.x[:n], rs.group_time, t.hazard_sum, t.mean_hazard
    )
    return coxph.sandwich(fit.information, eta + psi, np.ones(n))


def _split_cumulative_incidence(rs, fit, profiles, times):
    """1 - exp(-L0(t) exp(z b)), L0 the Breslow cumulative hazard of the split rows."""
    t = fit.terms
    steps = np.cumsum(t.hazard_sum) * np.exp(-t.shift)
    index = np.searchsorted(rs.group_time, times, side="right") - 1
    baseline = np.where(index >= 0, steps[np.maximum(index, 0)], 0.0)
    lp = (profiles - rs.x_mean) @ fit.params
    return 1.0 - np.exp(-np.outer(np.exp(lp), baseline))


@pytest.mark.parametrize("censoring_ties", finegray.CENSORING_TIES)
def test_crr_variance_and_incidence_without_split_rows_equal_those_of_the_split_rows(
    censoring_ties,
):
    """The unclustered model's variance (crr's, with the censoring term) and the predicted
    cumulative incidence, as the analysis computes them without split rows, against the
    same quantities of the split rows' Cox fit (heavily tied times)."""
    time, status, x = _data(seed=7, n=600)
    time = np.ceil(time * 4)
    rows, rs, split = _split_fit(time, status, x, censoring_ties)
    direct = finegray.fit_unsplit(time, status, x, censoring_ties)
    assert direct.converged and len(rows.row) > 2 * len(time)
    np.testing.assert_allclose(direct.params, split.params, rtol=0, atol=1e-10)
    np.testing.assert_allclose(direct.information, split.information, rtol=1e-10, atol=0)
    if censoring_ties == "crr":
        np.testing.assert_allclose(
            direct.crr_cov(), _split_crr_cov(time, status, rows, rs, split), rtol=1e-9, atol=0
        )
    else:
        with pytest.raises(ValueError, match="crr's censoring convention"):
            direct.crr_cov()
    np.testing.assert_array_equal(direct.event_times, rs.group_time)
    profiles = np.array([x.mean(axis=0), x.mean(axis=0) + np.array([1.0, -0.5]), [0.0, 2.0]])
    grid = np.concatenate([[0.0], np.linspace(0.1, time.max() + 1, 57)])
    np.testing.assert_allclose(
        direct.cumulative_incidence(profiles, grid),
        _split_cumulative_incidence(rs, split, profiles, grid),
        rtol=0,
        atol=1e-12,
    )


def test_fit_without_split_rows_starts_where_asked():
    """A start near the estimate (the later imputed data sets start from the first's) needs
    fewer Newton steps and ends at the same estimate."""
    time, status, x = _data(seed=8)
    cold = finegray.fit_unsplit(time, status, x)
    warm = finegray.fit_unsplit(time, status, x, start=cold.params + 0.01)
    assert warm.converged and warm.n_iter < cold.n_iter
    np.testing.assert_allclose(warm.params, cold.params, rtol=0, atol=1e-12)


def test_weighted_product_limit_at_zero_coefficients_is_the_aalen_johansen_estimate():
    """With finegray's censoring convention, the IPCW risk sets reproduce Aalen-Johansen
    exactly: 1 - prod(1 - dL) of the weighted rows at b = 0 is the published AJ curve."""
    from teichaku.analysis.curves import aalen_johansen

    time, status, x = _data()
    rows = finegray.split_rows(time, status, "finegray")
    rs = coxph.RiskSets.build(
        rows.stop, rows.event, x[rows.row], entry=rows.start, weights=rows.weight, ties="breslow"
    )
    t = coxph.terms(rs, np.zeros(2))
    product_limit = 1 - np.cumprod(1 - t.hazard_sum * np.exp(-t.shift))
    aj = aalen_johansen(time, status, EVENT).set_index("time")["estimate"]
    np.testing.assert_allclose(product_limit, aj.loc[rs.group_time].to_numpy(), atol=1e-12)


def test_censoring_residuals_sum_to_zero_and_vanish_without_censoring():
    """psi_i integrates against the censoring martingale, whose increments sum to zero over
    the persons at every censoring time; with no censoring there is nothing to estimate."""
    time, status, x = _data()
    rows = finegray.split_rows(time, status)
    rs = coxph.RiskSets.build(
        rows.stop, rows.event, x[rows.row], entry=rows.start, weights=rows.weight, ties="breslow"
    )
    t = coxph.fit(rs).terms
    n = len(time)
    args = (rs.x[:n], rs.group_time, t.hazard_sum, t.mean_hazard)
    psi = finegray.censoring_residuals(time, status, t.risk[:n], *args)
    assert np.abs(psi).max() > 1e-3
    np.testing.assert_allclose(psi.sum(axis=0), 0, atol=1e-12)
    uncensored = np.where(status == CENSORED, COMPETING, status)
    none = finegray.censoring_residuals(time, uncensored, t.risk[:n], *args)
    assert np.all(none == 0)


@pytest.mark.parametrize("censoring_ties", finegray.CENSORING_TIES)
def test_estimates_without_split_rows_equal_the_cox_fit_of_the_split_rows(censoring_ties):
    time, status, x = _data(seed=5, n=800)
    time = np.ceil(time * 4)  # many tied ends and censorings
    rows = finegray.split_rows(time, status, censoring_ties)
    split = coxph.fit(
        coxph.RiskSets.build(
            rows.stop,
            rows.event,
            x[rows.row],
            entry=rows.start,
            weights=rows.weight,
            ties="breslow",
        )
    )
    direct = finegray.fit_coefficients(time, status, x, censoring_ties)
    assert direct.converged
    np.testing.assert_allclose(direct.params, split.params, rtol=0, atol=1e-10)


@pytest.mark.parametrize("censoring_ties", finegray.CENSORING_TIES)
def test_clustered_fit_without_split_rows_equals_coxph_on_the_split_rows(censoring_ties):
    time, status, x = _data(seed=11, n=600)
    time = np.ceil(time * 4)  # many tied ends and censorings
    clusters = np.random.default_rng(2).integers(0, 25, size=len(time))
    rows = finegray.split_rows(time, status, censoring_ties)
    rs = coxph.RiskSets.build(
        rows.stop, rows.event, x[rows.row], entry=rows.start, weights=rows.weight, ties="breslow"
    )
    split = coxph.fit(rs)
    scores = coxph.score_residuals(rs, split.terms)
    cov = coxph.sandwich(split.information, scores, rs.weights, clusters[rows.row])
    direct = finegray.fit_clustered(time, status, x, clusters, censoring_ties)
    assert direct.converged and len(rows.row) > 2 * len(time)
    np.testing.assert_allclose(direct.params, split.params, rtol=0, atol=1e-10)
    np.testing.assert_allclose(direct.cov, cov, rtol=1e-9, atol=0)
    # each person's own cluster: the plain robust sandwich of the split rows' persons
    own = coxph.sandwich(split.information, scores, rs.weights, rows.row)
    alone = finegray.fit_clustered(time, status, x, np.arange(len(time)), censoring_ties)
    np.testing.assert_allclose(alone.cov, own, rtol=1e-9, atol=0)


def test_clustered_fit_of_a_singular_design_is_not_converged():
    time, status, x = _data(seed=4, n=200)
    x = np.column_stack([x[:, 0], 2 * x[:, 0]])
    fit = finegray.fit_clustered(time, status, x, np.zeros(len(time), dtype=int))
    assert not fit.converged and np.all(np.isnan(fit.params))
