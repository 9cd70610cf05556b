"""Cox models, cox.zph tests, Kaplan-Meier and Aalen-Johansen curves against R's survival.

The data are the small end-to-end run's analysis dataset (tests/conftest.py ``small_run``);
each model's sample and design matrix are teichaku's own (fit.prepare, fit.design), written
to CSV so that R fits exactly the same numbers. Tolerances, per quantity:

- log hazard ratios: 1e-8 absolute (coxph's own convergence, eps = 1e-9, is the limit);
- cluster-robust SEs: 1e-6 relative (coxph(ties = "efron", cluster = center_id));
- cox.zph chi-square p-values, per term and global, every transform: 1e-4 relative;
- KM and AJ estimates and SEs: 1e-10 absolute; numbers at risk: exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from teichaku.analysis import coxph
from teichaku.analysis.curves import _groups as groups
from teichaku.analysis.curves import build_curves
from teichaku.analysis.fit import design, fit_model, prepare
from teichaku.analysis.models.base import EVENT_TYPE, TIME, group_codes, term_columns
from teichaku.analysis.stage import load
from teichaku.analysis.zph import TRANSFORMS, cox_zph
from teichaku.report.publish import publish_curves
from teichaku.report.suppress import Privacy
from tests.crosscheck.conftest import run_r
from tests.integration.conftest import DEFAULT_RUN

pytestmark = pytest.mark.slow

ESTIMATE_ATOL = 1e-8
ROBUST_SE_RTOL = 1e-6
ZPH_P_RTOL = 1e-4
CURVE_ATOL = 1e-10


@pytest.fixture(scope="module")
def run(small_run):
    with open(small_run / "config.yaml", encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    spec, settings, _ = load(config["analysis"], config["codebook"])
    data = pd.read_parquet(small_run / DEFAULT_RUN.ANALYSIS_DATASET)
    return spec, settings, data


def _cox_models(spec):
    models = [m for m in spec.models if m.type == "cox" and m.missing == "complete_cases"]
    assert {"cox_transition", "cox_transition_center_strata"} <= {m.name for m in models}
    return models


def _export(model, data):
    """The model's sample as R will read it: t, d, cluster, stratum, x1..xp."""
    frame = prepare(model, data).frame
    X = design(model, frame)
    out = pd.DataFrame(X.to_numpy(), columns=[f"x{i + 1}" for i in range(X.shape[1])])
    out.insert(0, "t", frame[TIME].to_numpy(dtype=float))
    out.insert(1, "d", (frame[EVENT_TYPE] == model.event).to_numpy(dtype=int))
    out.insert(2, "cl", group_codes(frame, model.cluster))
    out.insert(3, "s", group_codes(frame, model.strata) if model.strata else 0)
    return frame, X, out


COX_SCRIPT = """
library(survival)
models <- read.csv("models.csv", stringsAsFactors = FALSE)
coefs <- list(); zph <- list()
for (i in seq_len(nrow(models))) {
  name <- models$name[i]
  d <- read.csv(paste0(name, ".csv"))
  xs <- grep("^x[0-9]+$", names(d), value = TRUE)
  rhs <- paste(xs, collapse = " + ")
  if (models$strata[i]) rhs <- paste(rhs, "+ strata(s)")
  fit <- coxph(as.formula(paste("Surv(t, d) ~", rhs)), data = d, ties = "efron",
               cluster = cl)
  coefs[[i]] <- data.frame(model = name, term = xs, estimate = unname(coef(fit)),
                           robust_se = unname(sqrt(diag(vcov(fit)))),
                           n = fit$n, n_events = fit$nevent)
  for (tr in c("identity", "log", "km", "rank")) {
    z <- cox.zph(fit, transform = tr)$table
    zph[[length(zph) + 1]] <- data.frame(model = name, transform = tr,
                                         term = rownames(z), chisq = z[, "chisq"],
                                         df = z[, "df"], p = z[, "p"])
  }
}
write.csv(do.call(rbind, coefs), "r_coefficients.csv", row.names = FALSE)
write.csv(do.call(rbind, zph), "r_zph.csv", row.names = FALSE)
"""


@pytest.fixture(scope="module")
def cox_results(run, tmp_path_factory, rscript):
    spec, settings, data = run
    workdir = tmp_path_factory.mktemp("cox")
    ours = {}
    rows = []
    for model in _cox_models(spec):
        frame, X, out = _export(model, data)
        out.to_csv(workdir / f"{model.name}.csv", index=False)
        rows.append({"name": model.name, "strata": bool(model.strata)})
        ours[model.name] = (frame, X, out, fit_model(model, data, settings))
    pd.DataFrame(rows).to_csv(workdir / "models.csv", index=False)
    run_r(rscript, COX_SCRIPT, workdir)
    return (
        ours,
        pd.read_csv(workdir / "r_coefficients.csv"),
        pd.read_csv(workdir / "r_zph.csv"),
        settings,
    )


def test_cox_estimates_and_robust_ses_equal_coxph(cox_results):
    ours, r_coef, _, _ = cox_results
    for name, (_, X, _, (est, _, info)) in ours.items():
        ref = r_coef[r_coef["model"] == name]
        assert list(ref["term"]) == [f"x{i + 1}" for i in range(X.shape[1])], name
        np.testing.assert_allclose(est.params, ref["estimate"], rtol=0, atol=ESTIMATE_ATOL)
        np.testing.assert_allclose(est.bse, ref["robust_se"], rtol=ROBUST_SE_RTOL)
        assert est.se_type == "cluster_robust"
        assert info["n"] == ref["n"].iloc[0] and info["n_events"] == ref["n_events"].iloc[0]


def test_published_ph_tests_equal_cox_zph(cox_results):
    """The diagnostics rows (configured transform) are R's cox.zph table, term by term."""
    ours, _, r_zph, settings = cox_results
    for name, (_, X, _, (_, diags, _)) in ours.items():
        rows = pd.DataFrame([d for d in diags if d["check"] == "proportional_hazards"])
        ref = r_zph[(r_zph["model"] == name) & (r_zph["transform"] == settings.ph_time)]
        names = [*term_columns(X), "GLOBAL"]
        assert list(rows["term"]) == names, name
        np.testing.assert_allclose(rows["p_value"], ref["p"], rtol=ZPH_P_RTOL)
        np.testing.assert_allclose(rows["value"], ref["chisq"], rtol=ZPH_P_RTOL)


def test_ph_test_equals_cox_zph_for_every_transform(cox_results):
    ours, _, r_zph, _ = cox_results
    for name, (_, X, out, (est, _, _)) in ours.items():
        rs = coxph.RiskSets.build(
            out["t"].to_numpy(),
            out["d"].to_numpy(dtype=float),
            X.to_numpy(),
            strata=out["s"].to_numpy() if (out["s"] != 0).any() else None,
        )
        fit = coxph.fit(rs)
        np.testing.assert_allclose(fit.params, est.params, atol=1e-12)
        for transform in TRANSFORMS:
            test = cox_zph(rs, fit, {f"x{i + 1}": [i] for i in range(X.shape[1])}, transform)
            ref = r_zph[(r_zph["model"] == name) & (r_zph["transform"] == transform)]
            p = np.append(test.p, test.global_p)
            np.testing.assert_allclose(p, ref["p"], rtol=ZPH_P_RTOL, err_msg=transform)
            np.testing.assert_array_equal(np.append(test.df, test.global_df), ref["df"])


ENGINE_SCRIPT = """
library(survival)
d <- read.csv("engine.csv"); d$f <- factor(d$f)
out <- list(); zph <- list()
fits <- list(
  efron_entry_weights_strata = coxph(Surv(e, t, st) ~ x1 + x2 + f + strata(s), data = d,
                                     weights = w, cluster = cl, ties = "efron"),
  breslow_entry = coxph(Surv(e, t, st) ~ x1 + x2 + f, data = d, cluster = cl,
                        ties = "breslow"))
for (name in names(fits)) {
  fit <- fits[[name]]
  out[[name]] <- data.frame(fit = name, estimate = unname(coef(fit)),
                            robust_se = unname(sqrt(diag(vcov(fit)))))
  for (tr in c("identity", "log", "km", "rank")) {
    z <- cox.zph(fit, transform = tr)$table
    zph[[length(zph) + 1]] <- data.frame(fit = name, transform = tr, term = rownames(z),
                                         df = z[, "df"], p = z[, "p"])
  }
}
write.csv(do.call(rbind, out), "r_engine.csv", row.names = FALSE)
write.csv(do.call(rbind, zph), "r_engine_zph.csv", row.names = FALSE)
"""


def test_engine_with_entry_weights_strata_and_a_factor_term_equals_coxph(r_session):
    """What the survey's models do not exercise: delayed entry, case weights, Breslow ties
    and a three-level factor tested as one term (2 df)."""
    rng = np.random.default_rng(17)
    n = 600
    x = rng.normal(size=(n, 2))
    level = rng.integers(0, 3, n)
    X = np.column_stack([x, level == 1, level == 2]).astype(float)
    # integer times: many ties, entries on event times, and no rounding for R's timefix
    t = np.round(rng.exponential(1 / np.exp(X @ [0.4, -0.3, 0.3, -0.2])) * 10) + 1
    status = (rng.random(n) < 0.7).astype(float)
    entry = np.where(rng.random(n) < 0.3, np.floor(t * rng.random(n)), 0.0)
    frame = pd.DataFrame(
        {
            "t": t,
            "st": status,
            "e": entry,
            "x1": x[:, 0],
            "x2": x[:, 1],
            "f": level,
            "s": rng.integers(0, 3, n),
            "w": rng.uniform(0.5, 2.0, n),
            "cl": rng.integers(0, 25, n),
        }
    )
    out = r_session(ENGINE_SCRIPT, engine=frame)
    ref = pd.read_csv(out / "r_engine.csv")
    ref_zph = pd.read_csv(out / "r_engine_zph.csv")
    cases = {
        "efron_entry_weights_strata": dict(strata=frame["s"], weights=frame["w"]),
        "breslow_entry": dict(ties="breslow"),
    }
    for name, kw in cases.items():
        rs = coxph.RiskSets.build(t, status, X, entry=entry, **kw)
        fit = coxph.fit(rs)
        cov = coxph.sandwich(
            fit.information, coxph.score_residuals(rs, fit.terms), rs.weights, frame["cl"]
        )
        r = ref[ref["fit"] == name]
        np.testing.assert_allclose(fit.params, r["estimate"], rtol=0, atol=ESTIMATE_ATOL)
        np.testing.assert_allclose(np.sqrt(np.diag(cov)), r["robust_se"], rtol=ROBUST_SE_RTOL)
        for transform in TRANSFORMS:
            test = cox_zph(rs, fit, {"x1": [0], "x2": [1], "f": [2, 3]}, transform)
            z = ref_zph[(ref_zph["fit"] == name) & (ref_zph["transform"] == transform)]
            assert list(z["df"]) == [1, 1, 2, 4]
            np.testing.assert_allclose(
                np.append(test.p, test.global_p), z["p"], rtol=ZPH_P_RTOL, err_msg=name
            )


CURVE_SCRIPT = """
library(survival)
d <- read.csv("curves.csv", stringsAsFactors = FALSE)
out <- list()
for (key in unique(d$key)) {
  g <- d[d$key == key, ]
  if (!any(g$status > 0)) next  # no event: the curve is flat, R has no time to report
  if (g$type[1] == "kaplan_meier") {
    s <- summary(survfit(Surv(t, status > 0) ~ 1, data = g))
    out[[key]] <- data.frame(key = key, time = s$time, estimate = s$surv,
                             std_error = s$std.err, n_at_risk = s$n.risk)
  } else {
    fit <- survfit(Surv(t, factor(status, 0:2)) ~ 1, data = g)
    keep <- fit$n.event[, 2] + fit$n.event[, 3] > 0
    out[[key]] <- data.frame(key = key, time = fit$time[keep], estimate = fit$pstate[keep, 2],
                             std_error = fit$std.err[keep, 2],
                             n_at_risk = fit$n.risk[keep, 1])
  }
}
write.csv(do.call(rbind, out), "r_curves.csv", row.names = FALSE)
"""


def test_curves_equal_survfit(run, small_run, r_session):
    """Every point of the curves at an event time: KM = survfit, AJ = survfit's multi-state
    Aalen-Johansen with its SE; the run's published curves (results/models/curves.parquet)
    are these curves cut where fewer than min_cell remain at risk."""
    spec, settings, data = run
    published = pd.read_parquet(small_run / DEFAULT_RUN.CURVES)
    ours = build_curves(data, spec.curves, settings.confidence)
    min_cell = yaml.safe_load((small_run / "config.yaml").read_text("utf-8"))["privacy"]["min_cell"]
    expected = publish_curves(ours, Privacy(int(min_cell))).reset_index(drop=True)
    assert 0 < len(expected) < len(ours)  # the small run's tails are cut
    pd.testing.assert_frame_equal(published.reset_index(drop=True), expected, check_dtype=False)
    parts = []
    followed = data[data[TIME].notna()]
    for curve in spec.curves:
        for by in curve.by:
            for group, sub in groups(followed, by):
                if curve.type == "kaplan_meier":
                    status = sub["ended"].astype(int).to_numpy()
                else:
                    event = sub[EVENT_TYPE].astype(str)
                    status = np.where(event == curve.event, 1, np.where(event == "censored", 0, 2))
                parts.append(
                    pd.DataFrame(
                        {
                            "key": f"{curve.name}|{by}|{group}",
                            "type": curve.type,
                            "t": sub[TIME].to_numpy(dtype=float),
                            "status": status,
                        }
                    )
                )
    out = r_session(CURVE_SCRIPT, curves=pd.concat(parts, ignore_index=True))
    ref = pd.read_csv(out / "r_curves.csv")
    ours = ours.assign(key=ours["curve"] + "|" + ours["by"] + "|" + ours["group"])
    # times pass through R's CSV (15 significant digits): match them rounded
    ours["t9"], ref["t9"] = ours["time"].round(9), ref["time"].round(9)
    merged = ours.merge(ref.drop(columns="time"), on=["key", "t9"], suffixes=("", "_r"))
    assert len(merged) == len(ref)  # every R event time is a point of ours
    np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=0, atol=CURVE_ATOL)
    np.testing.assert_allclose(merged["std_error"], merged["std_error_r"], rtol=0, atol=CURVE_ATOL)
    np.testing.assert_array_equal(merged["n_at_risk"], merged["n_at_risk_r"])
