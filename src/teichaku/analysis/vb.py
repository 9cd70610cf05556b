"""statsmodels' variational Bayes random-intercept logistic model, with a faster gradient.

``BinomialBayesMixedGLM.vb_elbo_grad_base`` multiplies by the design matrices (and squares
the fixed-effects design, and builds a scaled copy of the sparse random-effects design) once
per Gauss-Legendre point, ten times per gradient. The products are linear, so summing the
per-case weights over the points first and multiplying once gives the same gradient (equal
to rounding, about 1e-13) with four products instead of forty; the squared design is kept.
With the two-branch logistic of statsmodels replaced by ``scipy.special.expit`` (the same
function), an ELBO and gradient evaluation at 278,000 cases takes about 0.1 s instead of
0.5 s. ``fit_vb`` and the results class are statsmodels' own.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from statsmodels.genmod.bayes_mixed_glm import BinomialBayesMixedGLM, glw


class BinomialMixedVB(BinomialBayesMixedGLM):
    """``BinomialBayesMixedGLM`` with the gradient's sums over quadrature points taken
    before the products with the design."""

    def _lp_stats(self, fep_mean, fep_sd, vc_mean, vc_sd):
        """Mean and variance of each case's linear predictor (the squared design cached, and
        recomputed if fit_vb(scale_fe=True) swaps the design)."""
        if getattr(self, "_exog2_of", None) is not self.exog:
            self._exog2, self._exog2_of = self.exog**2, self.exog
        tm = self.exog @ fep_mean + self.exog_vc.dot(vc_mean)
        tv = self._exog2 @ fep_sd**2 + self.exog_vc2.dot(vc_sd**2)
        return tm, tv

    def vb_elbo_grad(self, vb_mean, vb_sd):
        fep_mean, vcp_mean, vc_mean = self._unpack(vb_mean)
        fep_sd, vcp_sd, vc_sd = self._unpack(vb_sd)
        tm, tv = self._lp_stats(fep_mean, fep_sd, vc_mean, vc_sd)
        sd = np.sqrt(tv)

        def h(z):
            return -expit(tm + sd * z)

        return self.vb_elbo_grad_base(h, tm, tv, fep_mean, vcp_mean, vc_mean, fep_sd, vcp_sd, vc_sd)

    def vb_elbo_grad_base(self, h, tm, tv, fep_mean, vcp_mean, vc_mean, fep_sd, vcp_sd, vc_sd):
        # Per case: u = sum_k w_k h(z_k) phi(z_k) and r = sum_k w_k z_k h(z_k) phi(z_k) / sd.
        u = np.zeros(len(tm))
        r = np.zeros(len(tm))
        for weight, node in glw:
            z = self.rng * node
            term = h(z) * (weight * np.exp(-(z**2) / 2) / np.sqrt(2 * np.pi))
            u += term
            r += z * term
        r /= np.sqrt(tv)
        vc_t = self.exog_vc.transpose()
        fep_mean_grad = self.rng * (u @ self.exog) + self.endog @ self.exog
        vc_mean_grad = self.rng * vc_t.dot(u) + vc_t.dot(self.endog)
        fep_sd_grad = self.rng * (r @ self._exog2) * fep_sd
        vc_sd_grad = self.rng * np.asarray(self.exog_vc2.transpose().dot(r)).ravel() * vc_sd
        (fep_mean_c, fep_sd_c, vcp_mean_c, vcp_sd_c, vc_mean_c, vc_sd_c) = self._elbo_grad_common(
            fep_mean, fep_sd, vcp_mean, vcp_sd, vc_mean, vc_sd
        )
        mean_grad = np.concatenate(
            (fep_mean_grad + fep_mean_c, vcp_mean_c, vc_mean_grad + vc_mean_c)
        )
        sd_grad = np.concatenate(
            (
                fep_sd_grad + fep_sd_c + 1 / fep_sd,
                vcp_sd_c + 1 / vcp_sd,
                vc_sd_grad + vc_sd_c + 1 / vc_sd,
            )
        )
        return mean_grad, sd_grad
