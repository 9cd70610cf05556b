"""The faster variational Bayes gradient equals statsmodels' own."""

import numpy as np
import pytest
from scipy import sparse
from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM

from teichaku.analysis.vb import BinomialMixedVB


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_elbo_and_gradient_equal_statsmodels(seed):
    rng = np.random.default_rng(seed)
    n, p, q = 3_000, 6, 12
    exog = np.column_stack([np.ones(n), rng.normal(size=(n, p - 1))])
    group = rng.integers(0, q, n)
    exog_vc = sparse.csr_matrix((np.ones(n), (np.arange(n), group)))
    eta = exog @ rng.normal(scale=0.5, size=p) + rng.normal(scale=0.5, size=q)[group]
    endog = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    ident = np.zeros(q, dtype=int)
    reference = BinomialBayesMixedGLM(endog, exog, exog_vc, ident)
    fast = BinomialMixedVB(endog, exog, exog_vc, ident)
    k = p + 1 + q
    mean = rng.normal(scale=0.5, size=k)
    sd = np.exp(rng.normal(scale=0.5, size=k) - 1)
    assert fast.vb_elbo(mean, sd) == pytest.approx(reference.vb_elbo(mean, sd), rel=1e-12)
    for got, want in zip(
        fast.vb_elbo_grad(mean, sd), reference.vb_elbo_grad(mean, sd), strict=True
    ):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


@pytest.mark.slow
def test_fit_equals_statsmodels_fit():
    rng = np.random.default_rng(3)
    n, q = 2_000, 10
    exog = np.column_stack([np.ones(n), rng.normal(size=n)])
    group = rng.integers(0, q, n)
    exog_vc = sparse.csr_matrix((np.ones(n), (np.arange(n), group)))
    eta = 0.3 + 0.8 * exog[:, 1] + rng.normal(scale=0.6, size=q)[group]
    endog = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    ident = np.zeros(q, dtype=int)
    want = BinomialBayesMixedGLM(endog, exog, exog_vc, ident).fit_vb(rng=1)
    got = BinomialMixedVB(endog, exog, exog_vc, ident).fit_vb(rng=1)
    np.testing.assert_allclose(got.fe_mean, want.fe_mean, rtol=1e-5)
    np.testing.assert_allclose(got.fe_sd, want.fe_sd, rtol=1e-4)
    np.testing.assert_allclose(got.vcp_mean, want.vcp_mean, rtol=1e-4)
