"""The standard-error convention of every model type, in words, for the ``se_convention``
column of results/models/coefficients.csv and the methods paragraph.

Each type follows what R's reference implementation does by default, so that the numbers can
be checked against it (tests/crosscheck/):

- logistic regression with clusters: the sandwich times G/(G-1), as ``sandwich::vcovCL(glm)``
  at its defaults (type HC0 for a glm, cadjust = TRUE; the extra (N-1)/(N-K) of HC1, which
  statsmodels' cluster covariance also applies, is vcovCL's default for lm only);
- Cox models with clusters: the grouped-score sandwich without a small-sample factor, as
  ``coxph(..., cluster = )``;
- Fine-Gray models with clusters: ``survival::finegray()``'s weighted rows and
  ``coxph(ties = "breslow", cluster = )``'s grouped-score sandwich, which treats the
  censoring weights as known (cmprsk::crr has no clustered variance); without clusters,
  ``cmprsk::crr``'s variance (each person a cluster, with the term for the estimated
  censoring distribution);
- GEE: the sandwich without a small-sample factor, as ``geepack::geeglm`` (std.err "san.se");
  the exchangeable correlation and the scale by moments without a degrees-of-freedom
  correction, as geepack;
- the random-intercept model: maximum likelihood, the inverse observed information in (beta,
  sigma), as ``vcov(glmer(nAGQ = k))``; the SD between clusters with a Wald interval on the
  log scale;
- the center-level binomial model: the binomial information, scaled by the square root of the
  Pearson dispersion when that is above 1 (R's quasibinomial, floored at 1);
- multiply imputed models: Rubin's rules over the imputations of the model's own convention.
"""

from __future__ import annotations

#: (model type, SE type) -> the convention's name as printed in coefficients.csv.
CONVENTIONS = {
    ("cox", "cluster_robust"): "cluster-robust (coxph robust variance, no small-sample factor)",
    ("cox", "model"): "model-based (inverse observed information, Efron ties)",
    ("fine_gray", "cluster_robust"): (
        "cluster-robust (survival::finegray rows + coxph(ties = 'breslow', cluster = ) "
        "robust variance; censoring weights treated as known, no small-sample factor)"
    ),
    ("fine_gray", "crr"): (
        "Fine-Gray sandwich with the term for the estimated censoring distribution "
        "(cmprsk::crr's variance; Breslow ties)"
    ),
    ("logit", "cluster_robust"): "cluster-robust (HC0 times G/(G-1), as sandwich::vcovCL for glm)",
    ("logit", "model"): "model-based (inverse Fisher information)",
    ("gee", "gee_robust"): "cluster-robust sandwich (as geepack san.se, no small-sample factor)",
    ("mixed_logit", "model"): (
        "model-based ML (inverse observed information, {k}-point adaptive Gauss-Hermite)"
    ),
    ("binomial_counts", "quasi_binomial"): (
        "model-based, times sqrt(Pearson dispersion) when above 1 (quasi-binomial)"
    ),
    ("binomial_counts", "model"): "model-based (inverse Fisher information)",
}
#: The row of a random-effect SD (scale "SD"): its std_error is that of log(SD).
SD_CONVENTION = "Wald on the log scale (std_error is the SE of log SD)"
RUBIN_PREFIX = "rubin_"


def se_convention(model_type: str, se_type: str, quadrature_points: int, m: int = 0) -> str:
    """The convention of a coefficient's SE; ``m`` imputations for a pooled (rubin_) type."""
    if se_type.startswith(RUBIN_PREFIX):
        base = se_convention(model_type, se_type[len(RUBIN_PREFIX) :], quadrature_points)
        return f"Rubin's rules over {m} imputations (Barnard-Rubin df) of: {base}"
    try:
        text = CONVENTIONS[(model_type, se_type)]
    except KeyError:
        raise KeyError(f"no SE convention is declared for {model_type} / {se_type}") from None
    return text.format(k=quadrature_points)
