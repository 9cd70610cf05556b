"""The Fine-Gray model against cmprsk::crr and survival::finegray + coxph.

On the small end-to-end run's data, every fine_gray model of the specification. Tolerances:

- split rows (start, stop, status, weight) with finegray's censoring convention against
  ``finegray()``: 1e-12 absolute;
- log subdistribution hazard ratios against ``crr`` (run with gtol = 1e-12 so that its own
  convergence does not set the limit): 1e-8 absolute;
- SEs with each person a cluster against crr's variance (Fine and Gray's sandwich, with
  the term psi for the estimated censoring distribution): 1e-6 relative;
- the sandwich without psi, summed within centers, against ``coxph(Surv(fgstart, fgstop,
  fgstatus) ~ ., weights = fgwt, ties = "breslow", cluster = center_id)`` on the same rows:
  1e-6 relative; with finegray's own rows (its censoring convention): estimates 1e-8, SEs
  1e-6. The reported SEs (with psi, summed within centers) differ from that coxph sandwich
  by the psi term: about 1e-3 relative on the survey, checked here to within 1e-2;
- predicted cumulative incidence against ``predict.crr``: 1e-8 absolute.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from teichaku.analysis import coxph, finegray
from teichaku.analysis.fit import design, fit_model, predictions, prepare
from teichaku.analysis.models import fine_gray
from teichaku.analysis.models.base import TIME, group_codes
from teichaku.analysis.stage import load
from teichaku.analysis.terms import tidy_term
from tests.crosscheck.conftest import run_r
from tests.integration.conftest import DEFAULT_RUN

pytestmark = pytest.mark.slow

ESTIMATE_ATOL = 1e-8
ROBUST_SE_RTOL = 1e-6
CRR_SE_RTOL = 1e-6
PSI_EFFECT_RTOL = 1e-2
ROWS_ATOL = 1e-12
CIF_ATOL = 1e-8


@pytest.fixture(scope="module")
def run(small_run):
    with open(small_run / "config.yaml", encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    spec, settings, _ = load(config["analysis"], config["codebook"])
    data = pd.read_parquet(small_run / DEFAULT_RUN.ANALYSIS_DATASET)
    models = [m for m in spec.models if m.type == "fine_gray"]
    assert models, "the specification has no fine_gray model"
    return spec, settings, data, models


SCRIPT = """
library(survival); library(cmprsk)
d <- read.csv("fg.csv")
xs <- grep("^x[0-9]+$", names(d), value = TRUE)
X <- as.matrix(d[, xs])
fit <- crr(d$t, d$status, X, failcode = 1, cencode = 0, gtol = 1e-12, maxiter = 100)
write.csv(data.frame(estimate = unname(fit$coef), se = sqrt(diag(fit$var))),
          "r_crr.csv", row.names = FALSE)
profiles <- as.matrix(read.csv("profiles.csv"))
pred <- predict(fit, profiles)
write.csv(as.data.frame(unclass(pred)), "r_predict.csv", row.names = FALSE)

d$ev <- factor(d$status, 0:2, c("censored", "event", "competing"))
fg <- finegray(as.formula(paste("Surv(t, ev) ~", paste(c(xs, "cl", "id"), collapse = "+"))),
               data = d, etype = "event")
write.csv(fg[, c("id", "fgstart", "fgstop", "fgstatus", "fgwt")], "r_rows.csv",
          row.names = FALSE)
rhs <- paste(xs, collapse = " + ")
own <- coxph(as.formula(paste("Surv(fgstart, fgstop, fgstatus) ~", rhs)), data = fg,
             weights = fgwt, ties = "breslow", cluster = cl)
ours <- read.csv("rows.csv")
same <- coxph(as.formula(paste("Surv(start, stop, event) ~", rhs)), data = ours,
              weights = weight, ties = "breslow", cluster = cl)
write.csv(data.frame(own = unname(coef(own)), own_se = unname(sqrt(diag(vcov(own)))),
                     same = unname(coef(same)), same_se = unname(sqrt(diag(vcov(same))))),
          "r_coxph.csv", row.names = FALSE)
"""


def _cross_check(model, data, spec, r_session):
    frame = prepare(model, data).frame
    X = design(model, frame)
    status = fine_gray.status_codes(frame, model.event)
    time = frame[TIME].to_numpy(dtype=float)
    xs = [f"x{i + 1}" for i in range(X.shape[1])]
    exported = pd.DataFrame(X.to_numpy(), columns=xs)
    exported.insert(0, "t", time)
    exported.insert(1, "status", status)
    exported["cl"] = group_codes(frame, model.cluster)
    exported["id"] = np.arange(len(frame))
    rows = finegray.split_rows(time, status, "crr")
    split = pd.DataFrame(X.to_numpy()[rows.row], columns=xs)
    split["start"], split["stop"], split["event"] = rows.start, rows.stop, rows.event
    split["weight"], split["cl"] = rows.weight, exported["cl"].to_numpy()[rows.row]
    prediction = next(p for p in spec.predictions if p.model == model.name)
    predicted = predictions(spec, prediction, data, min_cell=1)  # the whole grid
    means = X.to_numpy().mean(axis=0)
    terms = [tidy_term(c) for c in X.columns]
    profiles = []
    for term in prediction.vary:
        for value in (0.0, 1.0):
            z = means.copy()
            z[terms.index(term)] = value
            profiles.append(z)
    out = r_session(
        SCRIPT,
        fg=exported,
        rows=split,
        profiles=pd.DataFrame(np.array(profiles), columns=xs),
    )
    return frame, X, rows, predicted, prediction, out


@pytest.fixture(scope="module")
def checked(run, tmp_path_factory, rscript):
    spec, settings, data, models = run
    results = {}
    for model in models:
        workdir = tmp_path_factory.mktemp(model.name)

        def session(script, _dir=workdir, **frames):
            for name, frame in frames.items():
                frame.to_csv(_dir / f"{name}.csv", index=False)
            run_r(rscript, script, _dir)
            return _dir

        results[model.name] = (
            model,
            fit_model(model, data, settings),
            _cross_check(model, data, spec, session),
        )
    return results


def test_estimates_equal_crr_and_coxph_on_the_same_rows(checked):
    for name, (_, (est, _, _), (_, _, _, _, _, out)) in checked.items():
        crr = pd.read_csv(out / "r_crr.csv")
        cox = pd.read_csv(out / "r_coxph.csv")
        np.testing.assert_allclose(est.params, crr["estimate"], rtol=0, atol=ESTIMATE_ATOL)
        np.testing.assert_allclose(est.params, cox["same"], rtol=0, atol=ESTIMATE_ATOL)
        assert est.se_type == "cluster_robust"
        # the reported SEs add psi to coxph's sandwich: close to it, not equal
        np.testing.assert_allclose(est.bse, cox["same_se"], rtol=PSI_EFFECT_RTOL, err_msg=name)


def test_sandwich_without_the_censoring_term_equals_coxph_cluster(checked):
    for _, (model, _, (frame, X, _, _, _, out)) in checked.items():
        rs, row = fine_gray.risk_sets(frame, X, model.event)
        fit = coxph.fit(rs)
        clusters = group_codes(frame, model.cluster)[row]
        cov = coxph.sandwich(
            fit.information, coxph.score_residuals(rs, fit.terms), rs.weights, clusters
        )
        cox = pd.read_csv(out / "r_coxph.csv")
        np.testing.assert_allclose(np.sqrt(np.diag(cov)), cox["same_se"], rtol=ROBUST_SE_RTOL)


def test_person_level_ses_equal_crr(checked):
    for name, (model, _, (frame, X, _, _, _, out)) in checked.items():
        rs, row = fine_gray.risk_sets(frame, X, model.event)
        fit = coxph.fit(rs)
        cov = fine_gray.robust_cov(rs, fit, row, frame, model.event, clusters=None)
        crr = pd.read_csv(out / "r_crr.csv")
        np.testing.assert_allclose(np.sqrt(np.diag(cov)), crr["se"], rtol=CRR_SE_RTOL, err_msg=name)


def test_finegray_rows_and_fit_equal_survival(checked):
    for _, (model, _, (frame, X, _, _, _, out)) in checked.items():
        time = frame[TIME].to_numpy(dtype=float)
        rows = finegray.split_rows(time, fine_gray.status_codes(frame, model.event), "finegray")
        ours = pd.DataFrame(
            {
                "id": rows.row,
                "start": rows.start,
                "stop": rows.stop,
                "status": rows.event,
                "weight": rows.weight,
            }
        ).sort_values(["id", "start"], ignore_index=True)
        ref = pd.read_csv(out / "r_rows.csv").sort_values(["id", "fgstart"], ignore_index=True)
        assert len(ours) == len(ref)
        np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), rtol=0, atol=ROWS_ATOL)
        rs, row = fine_gray.risk_sets(frame, X, model.event, censoring_ties="finegray")
        fit = coxph.fit(rs)
        clusters = group_codes(frame, model.cluster)[row]
        cov = coxph.sandwich(
            fit.information, coxph.score_residuals(rs, fit.terms), rs.weights, clusters
        )
        cox = pd.read_csv(out / "r_coxph.csv")
        np.testing.assert_allclose(fit.params, cox["own"], rtol=0, atol=ESTIMATE_ATOL)
        np.testing.assert_allclose(np.sqrt(np.diag(cov)), cox["own_se"], rtol=ROBUST_SE_RTOL)


def test_predicted_cumulative_incidence_equals_predict_crr(checked):
    for _, (_, _, (_, _, _, predicted, prediction, out)) in checked.items():
        ref = pd.read_csv(out / "r_predict.csv").to_numpy()
        times, curves = ref[:, 0], ref[:, 1:]
        k = 0
        for term in prediction.vary:
            for value in (0, 1):
                ours = predicted[(predicted["term"] == term) & (predicted["value"] == value)]
                index = np.searchsorted(times, ours["time"].to_numpy(), side="right") - 1
                expected = np.where(index >= 0, curves[np.maximum(index, 0), k], 0.0)
                np.testing.assert_allclose(ours["cif"], expected, rtol=0, atol=CIF_ATOL)
                k += 1
