"""The logistic, GEE, mixed, center-level and multiply imputed models of the small end-to-end
run against R's reference implementations, with the tolerance of each quantity stated:

- logistic regressions: ``glm(family = binomial)`` with ``sandwich::vcovCL(cluster =
  ~center_id)`` at its defaults for a glm (HC0, cadjust: G/(G-1)); both are IRLS run to
  convergence (R restarted at its solution, since glm's working weights come from the
  iteration before the last), so estimates and SEs agree to 1e-9 relative;
- the center-level binomial model: ``glm(cbind(yes, no) ~ ., binomial)``, SEs times
  sqrt(max(1, Pearson dispersion)); 1e-9 relative;
- GEE: ``geepack::geeglm(corstr = "exchangeable")`` (san.se), iterated to a change of 1e-12
  (its default stops at 1e-4); estimates, SEs and the exchangeable correlation to 1e-6
  relative;
- the random-intercept model: ``glmer(nAGQ = 20)`` with bobyqa run to rhoend = 1e-10;
  estimates, SEs and the SD between centers to 1e-3 relative (the issue's tolerance; lme4's
  SEs come from a finite-difference Hessian);
- multiple imputation: the pooled Cox model of ``cox_transition_mice`` against ``mice``
  (pmm, the same imputation model) + ``coxph(cluster = )`` + ``pool()``, each with 40
  imputations. The two are independent Monte Carlo draws of the same procedure (and the
  complete-data fits equal coxph's to 1e-6), so they may differ by Monte Carlo error only,
  with the SDs that each side's own imputations give (:func:`monte_carlo_sds`):
  the pooled estimates within 4 SDs of their difference, sqrt(B_py / m + B_R / m) (B the
  between-imputation variance); the pooled SEs within 4 SDs of the relative difference,
  that of each side (T = U + (1 + 1/m) B, SE = sqrt(T)) being
  sqrt(Var(U_bar) + (1 + 1/m)^2 2 B^2 / (m - 1)) / (2 T) (the spread of the complete-data
  variances over the imputations, and B's chi-square sampling error), about 1 % here.
  Rubin's rules with Barnard-Rubin df are also applied to R's own per-imputation estimates
  and must equal ``mice::pool`` to 1e-8.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from teichaku.analysis import imputation
from teichaku.analysis.fit import fit_model, prepare
from teichaku.analysis.run import model_data
from teichaku.analysis.stage import load
from tests.integration.conftest import DEFAULT_RUN

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small(small_run: Path):
    """The models, settings and data of the small end-to-end run."""
    config = yaml.safe_load((small_run / "config.yaml").read_text(encoding="utf-8"))
    spec, settings, _ = load(config["analysis"], config["codebook"])
    analysis = pd.read_parquet(small_run / DEFAULT_RUN.ANALYSIS_DATASET)
    awareness = pd.read_parquet(small_run / DEFAULT_RUN.PROCESSED["awareness"])
    return spec, settings, analysis, awareness


def r_term(term: str) -> str:
    """teichaku's term name as R prints the coefficient: coordination[general] ->
    coordinationgeneral, Intercept -> (Intercept)."""
    return "(Intercept)" if term == "Intercept" else re.sub(r"\[(.+?)\]", r"\1", term)


def frame_for_r(model, data: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The model's sample as plain columns, and the R lines that restore its factors with
    the reference levels of config/models.yaml."""
    spec_all, frame = model[0], prepare(model[1], data).frame
    lines = []
    out = pd.DataFrame(index=frame.index)
    for c in frame.columns:
        if isinstance(frame[c].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(
            frame[c]
        ):
            out[c] = frame[c].astype("string")
            if c in spec_all.reference_levels and c in model[1].formula:
                ref = spec_all.reference_levels[c]
                lines.append(f'd${c} <- relevel(factor(d${c}), ref = "{ref}")')
        else:
            out[c] = frame[c]
    return out.reset_index(drop=True), "\n".join(lines)


def python_estimates(model, data, settings) -> pd.DataFrame:
    est, _, _ = fit_model(model, data, settings)
    assert est is not None, model.name
    from teichaku.analysis.terms import tidy_term

    return pd.DataFrame(
        {"estimate": est.params, "se": est.bse},
        index=[r_term(tidy_term(c)) for c in est.columns],
    )


def compare(py: pd.DataFrame, r: pd.DataFrame, rtol: float, what: str) -> None:
    r = r.set_index("term").loc[py.index]
    for column in ("estimate", "se"):
        np.testing.assert_allclose(
            py[column], r[column], rtol=rtol, atol=1e-12, err_msg=f"{what}: {column}"
        )


R_WRITE = (
    'write.csv(data.frame(term = names(b), estimate = b, se = se), "out.csv", row.names = FALSE)\n'
)


def test_logistic_models_match_glm_with_vcovcl(small, r_session):
    spec, settings, analysis, _ = small
    models = [m for m in spec.models if m.type == "logit"]
    assert len(models) >= 5  # the secondary model and the four thresholds
    for model in models:
        frame, factors = frame_for_r((spec, model), analysis)
        out = r_session(
            f"""library(sandwich)
d <- read.csv("frame.csv", stringsAsFactors = FALSE)
{factors}
m <- glm({model.outcome} ~ {model.formula}, family = binomial, data = d,
         control = glm.control(epsilon = 1e-12, maxit = 100))
m <- update(m, start = coef(m))  # glm's weights come from the iteration before the last
b <- coef(m)
se <- sqrt(diag(vcovCL(m, cluster = ~{model.cluster})))
{R_WRITE}""",
            frame=frame,
        )
        r = pd.read_csv(out / "out.csv")
        compare(python_estimates(model, analysis, settings), r, 1e-9, model.name)


def test_center_glm_matches_quasi_binomial_with_a_floor(small, r_session):
    spec, settings, analysis, awareness = small
    model = next(m for m in spec.models if m.type == "binomial_counts")
    data = model_data(model, analysis, awareness)
    frame, factors = frame_for_r((spec, model), data)
    yes, no = f"{model.outcome}_yes", f"{model.outcome}_no"
    out = r_session(
        f"""d <- read.csv("frame.csv", stringsAsFactors = FALSE)
{factors}
m <- glm(cbind({yes}, {no}) ~ {model.formula}, family = binomial, data = d,
         control = glm.control(epsilon = 1e-12, maxit = 100))
m <- update(m, start = coef(m))
phi <- sum(residuals(m, type = "pearson")^2) / df.residual(m)
b <- coef(m)
se <- sqrt(diag(vcov(m))) * sqrt(max(1, phi))
{R_WRITE}""",
        frame=frame,
    )
    compare(python_estimates(model, data, settings), pd.read_csv(out / "out.csv"), 1e-9, "glm")


def test_gee_matches_geepack_exchangeable(small, r_session):
    spec, settings, analysis, _ = small
    model = next(m for m in spec.models if m.type == "gee")
    frame, factors = frame_for_r((spec, model), analysis)
    out = r_session(
        f"""library(geepack)
d <- read.csv("frame.csv", stringsAsFactors = FALSE)
{factors}
d <- d[order(d${model.cluster}), ]
d$cluster_code <- as.integer(factor(d${model.cluster}))
m <- geeglm({model.outcome} ~ {model.formula}, id = cluster_code, data = d,
            family = binomial, corstr = "exchangeable",
            control = geese.control(epsilon = 1e-12, maxit = 100))
b <- coef(m)
se <- sqrt(diag(m$geese$vbeta))
{R_WRITE}
write.csv(data.frame(alpha = m$geese$alpha), "alpha.csv", row.names = FALSE)
""",
        frame=frame,
    )
    compare(python_estimates(model, analysis, settings), pd.read_csv(out / "out.csv"), 1e-6, "gee")
    _, diags, _ = fit_model(model, analysis, settings)
    alpha = next(d["value"] for d in diags if d["check"] == "within_cluster_correlation")
    assert alpha == pytest.approx(pd.read_csv(out / "alpha.csv")["alpha"].iloc[0], rel=1e-6)


def test_mixed_model_matches_glmer_at_20_points(small, r_session):
    spec, settings, analysis, _ = small
    model = next(m for m in spec.models if m.type == "mixed_logit")
    assert settings.quadrature_points == 20
    frame, factors = frame_for_r((spec, model), analysis)
    out = r_session(
        f"""library(lme4)
d <- read.csv("frame.csv", stringsAsFactors = FALSE)
{factors}
m <- glmer({model.outcome} ~ {model.formula} + (1 | {model.cluster}), data = d,
           family = binomial, nAGQ = 20,
           control = glmerControl(optimizer = "bobyqa",
                                  optCtrl = list(rhobeg = 1e-3, rhoend = 1e-10, maxfun = 1e5)))
b <- fixef(m)
se <- sqrt(diag(as.matrix(vcov(m))))
{R_WRITE}
write.csv(data.frame(sd = getME(m, "theta")[[1]]), "sd.csv", row.names = FALSE)
""",
        frame=frame,
    )
    est, _, _ = fit_model(model, analysis, settings)
    r_sd = pd.read_csv(out / "sd.csv")["sd"].iloc[0]
    sd = np.exp(est.extra[0]["log_mean"])
    if r_sd < 1e-4:  # a singular fit in R must be one here too
        assert sd == 0
    else:
        assert sd == pytest.approx(r_sd, rel=1e-3)
    compare(
        python_estimates(model, analysis, settings), pd.read_csv(out / "out.csv"), 1e-3, "glmer"
    )


MICE_M = 40


def test_multiple_imputation_matches_mice_within_monte_carlo_error(small, r_session):
    import dataclasses

    spec, settings, analysis, _ = small
    model = spec.model("cox_transition_mice")
    settings = dataclasses.replace(settings, mice_imputations=MICE_M)
    frame, factors = frame_for_r((spec, model), analysis)
    frame["status"] = (frame["event_type"] == model.event).astype(int)
    frame = frame.drop(columns=["event_type"])
    covariates = sorted(set(re.findall(r"\w+", model.formula)))
    numeric = [c for c in covariates if pd.api.types.is_float_dtype(frame[c])]
    incomplete = [c for c in numeric if frame[c].isna().any()]
    assert incomplete, "the small run must have a covariate to impute"
    out = r_session(
        f"""library(mice)
library(survival)
d <- read.csv("frame.csv", stringsAsFactors = FALSE)
{factors}
d$cumhaz <- nelsonaalen(d, followup_months, status)
imp_data <- d[, c({", ".join(f'"{c}"' for c in covariates)}, "cumhaz", "status")]
meth <- make.method(imp_data)
meth[] <- ""
meth[c({", ".join(f'"{c}"' for c in incomplete)})] <- "pmm"
imp <- mice(imp_data, m = {MICE_M}, maxit = {settings.mice_burn_in}, method = meth,
            seed = 20211021, printFlag = FALSE)
fits <- lapply(seq_len({MICE_M}), function(i) {{
  di <- cbind(complete(imp, i)[, c({", ".join(f'"{c}"' for c in covariates)})],
              followup_months = d$followup_months, status = d$status,
              {model.cluster} = d${model.cluster})
  coxph(Surv(followup_months, status) ~ {model.formula}, data = di, ties = "efron",
        cluster = {model.cluster})
}})
q <- t(sapply(fits, coef))
u <- t(sapply(fits, function(f) diag(vcov(f))))
write.csv(q, "q.csv", row.names = FALSE)
write.csv(u, "u.csv", row.names = FALSE)
s <- summary(pool(as.mira(fits)))
write.csv(data.frame(term = as.character(s$term), estimate = s$estimate, se = s$std.error,
                     df = s$df), "pooled.csv", row.names = FALSE)
""",
        frame=frame,
    )
    pooled_r = pd.read_csv(out / "pooled.csv").set_index("term")
    q_r, u_r = pd.read_csv(out / "q.csv"), pd.read_csv(out / "u.csv")
    # Rubin's rules with Barnard-Rubin df, applied to R's own fits, equal mice::pool.
    # (mice's complete-data df for coxph: nobs(fit), which survival defines as the events)
    n_events = int(frame["status"].sum())
    ours_on_r = imputation.pool(q_r.to_numpy(), u_r.to_numpy(), n_events - q_r.shape[1])
    np.testing.assert_allclose(ours_on_r.estimate, pooled_r.loc[q_r.columns, "estimate"], rtol=1e-8)
    np.testing.assert_allclose(ours_on_r.std_error, pooled_r.loc[q_r.columns, "se"], rtol=1e-8)
    np.testing.assert_allclose(ours_on_r.df, pooled_r.loc[q_r.columns, "df"], rtol=1e-8)
    # Our imputations against mice's: within Monte Carlo error.
    est, _, info = fit_model(model, analysis, settings)
    assert info["n"] == len(frame) and est.se_type.startswith("rubin")
    from teichaku.analysis.terms import tidy_term

    terms = [r_term(tidy_term(c)) for c in est.columns]
    q_py, u_py = _per_imputation(model, analysis, settings)
    estimate_sd_py, se_rsd_py = monte_carlo_sds(q_py, u_py)
    estimate_sd_r, se_rsd_r = monte_carlo_sds(q_r[terms].to_numpy(), u_r[terms].to_numpy())
    diff = np.abs(est.params - pooled_r.loc[terms, "estimate"].to_numpy())
    estimate_sd = np.hypot(estimate_sd_py, estimate_sd_r)
    assert np.all(diff <= 4 * estimate_sd), (terms, diff / estimate_sd)
    se_diff = np.abs(est.bse / pooled_r.loc[terms, "se"].to_numpy() - 1)
    se_rsd = np.hypot(se_rsd_py, se_rsd_r)
    assert np.all(se_diff <= 4 * se_rsd), (terms, se_diff, se_rsd)


def monte_carlo_sds(q: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From the per-imputation estimates ``q`` and variances ``u`` (m rows): the Monte Carlo
    SD of the pooled estimate, sqrt(B / m), and the relative Monte Carlo SD of the pooled
    SE, sqrt(Var(U_bar) + (1 + 1/m)^2 Var(B)) / (2 T) with Var(B) = 2 B^2 / (m - 1)."""
    m = len(q)
    between = q.var(axis=0, ddof=1)
    total = u.mean(axis=0) + (1 + 1 / m) * between
    var_total = u.var(axis=0, ddof=1) / m + (1 + 1 / m) ** 2 * 2 * between**2 / (m - 1)
    return np.sqrt(between / m), np.sqrt(var_total) / (2 * total)


def _per_imputation(model, analysis, settings) -> tuple[np.ndarray, np.ndarray]:
    """The estimates and squared SEs of each of our imputed data sets (the pooled estimates
    do not keep them), from the same imputed data sets as fit_model's."""
    from teichaku.analysis.fit import _fit_once, _impute, design

    frames = _impute(model, prepare(model, analysis), settings)
    fits = [_fit_once(model, f, design(model, f), settings, checks=False) for f in frames]
    return np.array([f.params for f in fits]), np.array([f.bse**2 for f in fits])
