"""The Fine-Gray model against cmprsk::crr and survival::finegray + coxph.

On the small end-to-end run's data, every fine_gray model of the specification, and on a
simulated data set with heavily tied times (integers: events, competing ends and
censorings sharing times). A model with ``cluster:`` follows ``finegray()`` +
``coxph(ties = "breslow", cluster = )``; the same model without ``cluster:`` follows
``crr`` (teichaku.analysis.models.fine_gray). The fits are computed without split rows
(teichaku.analysis.finegray.fit_unsplit: the same sums as the Cox fit of the split rows,
which R fits; tests/unit/test_fine_gray.py compares the two to 1e-10 on estimates and 1e-9
relative on covariances). On the default run's data and the tied data set every quantity
below agreed with R to within 1e-13 (estimates 6e-14 absolute, SEs 3e-14 relative,
cumulative incidence 2e-14), as the split-row fit did; the tolerances leave room for R's
own convergence (coxph stops at a relative change of the log-likelihood of 1e-9, crr at
its gtol) rather than for our arithmetic. Tolerances:

- split rows (start, stop, status, weight; as many rows per person) with finegray's
  censoring convention against ``finegray()``: 1e-12 absolute;
- the clustered model against ``coxph(Surv(fgstart, fgstop, fgstatus) ~ ., weights = fgwt,
  ties = "breslow", cluster = center_id)`` on finegray's rows: log ratios 1e-8 absolute,
  SEs 1e-8 relative (both are the same sums; they agree to about 1e-13);
- the unclustered model against ``crr`` (run with gtol = 1e-12 so that its own convergence
  does not set the limit): log ratios 1e-8 absolute, SEs (Fine and Gray's sandwich with the
  term for the estimated censoring distribution) 1e-6 relative;
- the clustered model's estimates against crr's on the survey (follow-up in days): 1e-4
  absolute (the two censoring conventions differ where an end and a censoring share a
  time; on the tied data set by about 4e-3, so not checked there);
- the sandwich on crr's rows without the censoring term against ``coxph(cluster = )`` on
  the same rows: 1e-8 relative;
- predicted cumulative incidence against ``survfit(coxph fit, newdata)`` (clustered model,
  the file results/models/cif_predicted.parquet) and ``predict.crr`` (crr's rows): 1e-8
  absolute.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import yaml

from teichaku.analysis import finegray
from teichaku.analysis.fit import design, fit_model, predictions, prepare
from teichaku.analysis.models import fine_gray
from teichaku.analysis.models.base import EVENT_TYPE, TIME, group_codes
from teichaku.analysis.specs import ModelSpec, Settings
from teichaku.analysis.stage import load
from teichaku.analysis.terms import tidy_term
from tests.crosscheck.conftest import run_r
from tests.integration.conftest import DEFAULT_RUN

pytestmark = pytest.mark.slow

ESTIMATE_ATOL = 1e-8
ROBUST_SE_RTOL = 1e-8
CRR_SE_RTOL = 1e-6
CONVENTIONS_ATOL = 1e-4
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
    assert all(m.cluster for m in models), "the cross-check expects clustered models"
    return spec, settings, data, models


SCRIPT = """
library(survival); library(cmprsk)
d <- read.csv("fg.csv")
xs <- grep("^x[0-9]+$", names(d), value = TRUE)
X <- as.matrix(d[, xs])
profiles <- read.csv("profiles.csv")
fit <- crr(d$t, d$status, X, failcode = 1, cencode = 0, gtol = 1e-12, maxiter = 100)
write.csv(data.frame(estimate = unname(fit$coef), se = sqrt(diag(fit$var))),
          "r_crr.csv", row.names = FALSE)
pred <- predict(fit, as.matrix(profiles))
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
curves <- survfit(own, newdata = profiles)
write.csv(data.frame(time = curves$time, 1 - curves$surv), "r_survfit.csv", row.names = FALSE)
"""


def _export(frame: pd.DataFrame, X: pd.DataFrame, clusters: np.ndarray, event: str):
    """The data as R reads it (t, status 0/1/2, x1..xk, cl, id) and crr's split rows."""
    status = fine_gray.status_codes(frame, event)
    time = frame[TIME].to_numpy(dtype=float)
    xs = [f"x{i + 1}" for i in range(X.shape[1])]
    exported = pd.DataFrame(X.to_numpy(), columns=xs)
    exported.insert(0, "t", time)
    exported.insert(1, "status", status)
    exported["cl"] = clusters
    exported["id"] = np.arange(len(frame))
    rows = finegray.split_rows(time, status, "crr")
    split = pd.DataFrame(X.to_numpy()[rows.row], columns=xs)
    split["start"], split["stop"], split["event"] = rows.start, rows.stop, rows.event
    split["weight"], split["cl"] = rows.weight, clusters[rows.row]
    return exported, split


def _profiles(X: pd.DataFrame, vary: list[str]) -> np.ndarray:
    """The design rows of the predictions: each term of ``vary`` at 0 and 1, the others at
    their means (in the order of fine_gray.predict)."""
    means = X.to_numpy().mean(axis=0)
    terms = [tidy_term(c) for c in X.columns]
    profiles = []
    for term in vary:
        for value in (0.0, 1.0):
            z = means.copy()
            z[terms.index(term)] = value
            profiles.append(z)
    return np.array(profiles)


def _r_reference(rscript, workdir, frame, X, clusters, event, profiles):
    exported, split = _export(frame, X, clusters, event)
    for name, table in {
        "fg": exported,
        "rows": split,
        "profiles": pd.DataFrame(profiles, columns=[c for c in exported if c.startswith("x")]),
    }.items():
        table.to_csv(workdir / f"{name}.csv", index=False)
    run_r(rscript, SCRIPT, workdir)
    return workdir


def _step_at(times: np.ndarray, ref: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Columns of a step function tabulated at ``times`` (0 before the first), at ``at``."""
    index = np.searchsorted(times, at, side="right") - 1
    return np.where(index[:, None] >= 0, ref[np.maximum(index, 0)], 0.0)


def _ties_data(seed: int = 11, n: int = 400):
    """Integer follow-up times 1..15: ends and censorings share nearly every time."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.binomial(1, 0.4, size=n).astype(float)
    time = np.minimum(np.ceil(rng.exponential(6 / np.exp(0.5 * x1 - 0.4 * x2))), 15.0)
    ended = rng.choice(["transition", "other", "censored"], size=n, p=[0.45, 0.25, 0.3])
    frame = pd.DataFrame(
        {
            TIME: time,
            EVENT_TYPE: ended,
            "x1": x1,
            "x2": x2,
            "cl": rng.integers(0, 25, size=n).astype(str),
        }
    )
    spec = ModelSpec(
        name="fg_ties",
        type="fine_gray",
        formula="x1 + x2",
        label_ja="",
        label_en="",
        event="transition",
        cluster="cl",
    )
    return spec, frame


@pytest.fixture(scope="module")
def checked(run, tmp_path_factory, rscript):
    """Per model: (model, its data frame, design, R's folder, the prediction, the
    predicted table) for the small run's models and the tied data set."""
    spec, settings, data, models = run
    results = {}
    for model in models:
        frame = prepare(model, data).frame
        X = design(model, frame)
        prediction = next(p for p in spec.predictions if p.model == model.name)
        out = _r_reference(
            rscript,
            tmp_path_factory.mktemp(model.name),
            frame,
            X,
            group_codes(frame, model.cluster),
            model.event,
            _profiles(X, prediction.vary),
        )
        predicted = predictions(spec, prediction, data, min_cell=1)  # the whole grid
        results[model.name] = (model, data, settings, frame, X, out, prediction, predicted)
    model, frame = _ties_data()
    X = design(model, frame)
    out = _r_reference(
        rscript,
        tmp_path_factory.mktemp("ties"),
        frame,
        X,
        group_codes(frame, "cl"),
        model.event,
        _profiles(X, ["x2"]),
    )
    results[model.name] = (model, frame, Settings(), frame, X, out, None, None)
    return results


def test_clustered_model_equals_finegray_and_coxph_cluster(checked):
    for name, (model, data, settings, _, _, out, prediction, _) in checked.items():
        est, _, _ = fit_model(model, data, settings)
        cox = pd.read_csv(out / "r_coxph.csv")
        assert est.se_type == fine_gray.CLUSTERED
        np.testing.assert_allclose(est.params, cox["own"], rtol=0, atol=ESTIMATE_ATOL, err_msg=name)
        np.testing.assert_allclose(est.bse, cox["own_se"], rtol=ROBUST_SE_RTOL, err_msg=name)
        if prediction is not None:  # the survey's times (days): crr's convention is close
            crr = pd.read_csv(out / "r_crr.csv")
            np.testing.assert_allclose(est.params, crr["estimate"], rtol=0, atol=CONVENTIONS_ATOL)


def test_unclustered_model_equals_crr(checked):
    for name, (model, data, settings, _, _, out, _, _) in checked.items():
        est, _, _ = fit_model(dataclasses.replace(model, cluster=None), data, settings)
        crr = pd.read_csv(out / "r_crr.csv")
        assert est.se_type == fine_gray.CRR
        np.testing.assert_allclose(
            est.params, crr["estimate"], rtol=0, atol=ESTIMATE_ATOL, err_msg=name
        )
        np.testing.assert_allclose(est.bse, crr["se"], rtol=CRR_SE_RTOL, err_msg=name)


def _unsplit(frame: pd.DataFrame, X: pd.DataFrame, event: str, censoring_ties: str):
    """The fit without split rows of the model's data, with ``censoring_ties``."""
    return finegray.fit_unsplit(
        frame[TIME].to_numpy(dtype=float),
        fine_gray.status_codes(frame, event),
        X.to_numpy(dtype=float),
        censoring_ties,
    )


def test_sandwich_on_crr_rows_equals_coxph_cluster_on_the_same_rows(checked):
    for name, (model, _, _, frame, X, out, _, _) in checked.items():
        fit = _unsplit(frame, X, model.event, "crr")
        cov = fit.clustered_cov(group_codes(frame, model.cluster))
        cox = pd.read_csv(out / "r_coxph.csv")
        np.testing.assert_allclose(fit.params, cox["same"], rtol=0, atol=ESTIMATE_ATOL)
        np.testing.assert_allclose(
            np.sqrt(np.diag(cov)), cox["same_se"], rtol=ROBUST_SE_RTOL, err_msg=name
        )


def test_finegray_rows_equal_survival(checked):
    for name, (model, _, _, frame, _, out, _, _) in checked.items():
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
        assert len(ours) == len(ref), name
        np.testing.assert_array_equal(
            np.bincount(ours["id"], minlength=len(frame)),
            np.bincount(ref["id"], minlength=len(frame)),
        )
        np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy(), rtol=0, atol=ROWS_ATOL)


def test_predicted_cumulative_incidence_equals_survfit_of_the_coxph_fit(checked):
    for _, (_, _, _, _, _, out, prediction, predicted) in checked.items():
        if prediction is None:
            continue
        ref = pd.read_csv(out / "r_survfit.csv").to_numpy()
        k = 0
        for term in prediction.vary:
            for value in (0, 1):
                ours = predicted[(predicted["term"] == term) & (predicted["value"] == value)]
                expected = _step_at(ref[:, 0], ref[:, 1:], ours["time"].to_numpy())[:, k]
                np.testing.assert_allclose(ours["cif"], expected, rtol=0, atol=CIF_ATOL)
                k += 1


def test_cumulative_incidence_on_crr_rows_equals_predict_crr(checked):
    for _, (model, _, _, frame, X, out, prediction, _) in checked.items():
        fit = _unsplit(frame, X, model.event, "crr")
        ref = pd.read_csv(out / "r_predict.csv").to_numpy()
        # between the event times (R writes them rounded to 15 digits)
        event_times = ref[:, 0]
        times = np.concatenate([[0.0], (event_times[:-1] + event_times[1:]) / 2, [1e9]])
        profiles = _profiles(X, prediction.vary if prediction else ["x2"])
        ours = fit.cumulative_incidence(profiles, times)
        expected = _step_at(ref[:, 0], ref[:, 1:], times)
        np.testing.assert_allclose(ours.T, expected, rtol=0, atol=CIF_ATOL)
