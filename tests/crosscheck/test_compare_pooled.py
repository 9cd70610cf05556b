"""The comparison's pooled interaction model (teichaku.compare.pooled) against R's
``coxph(Surv(time, event) ~ (covariates) * round, ties = "efron", cluster = center_id)``:
estimates and cluster-robust SEs to 1e-8 relative (both are Newton-Raphson run to
convergence on the same partial likelihood; the robust variance is coxph's, without a
small-sample factor), and the Wald test of all round interactions from R's robust
covariance to 1e-8.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.fit import prepare
from teichaku.analysis.specs import load_analysis_spec
from teichaku.codebook import load_codebook
from teichaku.compare import pooled
from teichaku.compare.rounds import Round
from tests.crosscheck.conftest import run_r
from tests.unit.analysis_cases import make_tables

pytestmark = pytest.mark.slow
THRESHOLDS = [6, 12, 18, 24]


def _round(name: str, seed: int, spec) -> Round:
    roster, cases, _ = make_tables(n=800, n_centers=24, seed=seed)
    cases["case_id"] = [f"{name}-{i}" for i in range(len(cases))]
    data = build_analysis_dataset(cases, roster, spec, THRESHOLDS, load_codebook())
    return Round(name, dt.date(2021 + seed % 2, 10, 21), data, {})


def r_name(column: str) -> str:
    """formulaic's column name as R prints the coefficient: coordination[T.general] ->
    coordinationgeneral."""
    return re.sub(r"\[T\.(.+?)\]", r"\1", column)


def test_the_pooled_interaction_model_equals_coxph_with_clusters(root, rscript, tmp_path):
    spec = load_analysis_spec(root / "config" / "models.yaml", THRESHOLDS, load_codebook())
    primary = next(m for m in spec.models if m.role == "primary")
    rounds = [_round("r2021", 1, spec), _round("r2022", 2, spec)]
    frame = pooled.pooled_frame(rounds)
    fit = pooled.fit_pooled(primary, frame)

    crossed = dataclasses.replace(primary, formula=f"({primary.formula}) * round")
    sample = prepare(crossed, frame).frame
    data = pd.DataFrame(
        {
            "time": sample["followup_months"],
            "event": (sample["event_type"] == primary.event).astype(int),
            "center_id": sample["center_id"].astype(str),
            "round": sample["round"].astype(str),
            "coordination": sample["coordination"].astype(str),
            **{c: sample[c].astype(float) for c in primary.formula.replace("+", " ").split()
               if c != "coordination"},
        }
    )  # fmt: skip
    data.to_csv(tmp_path / "data.csv", index=False)
    covariates = primary.formula.replace("\n", " ")
    run_r(
        rscript,
        f"""
library(survival)
d <- read.csv("data.csv")
d$coordination <- relevel(factor(d$coordination), ref = "special")
d$round <- relevel(factor(d$round), ref = "r2021")
fit <- coxph(Surv(time, event) ~ ({covariates}) * round, data = d, ties = "efron",
             cluster = center_id, control = coxph.control(eps = 1e-12, iter.max = 100))
write.csv(data.frame(term = names(coef(fit)), estimate = coef(fit),
                     robust_se = sqrt(diag(vcov(fit)))), "coef.csv", row.names = FALSE)
inter <- grep(":round", names(coef(fit)))
b <- coef(fit)[inter]
chi2 <- as.numeric(t(b) %*% solve(vcov(fit)[inter, inter]) %*% b)
write.csv(data.frame(chi2 = chi2, df = length(inter)), "wald.csv", row.names = FALSE)
""",
        tmp_path,
    )
    r = pd.read_csv(tmp_path / "coef.csv").set_index("term")
    names = [r_name(c) for c in fit.columns]
    assert sorted(names) == sorted(r.index)
    np.testing.assert_allclose(fit.params, r.loc[names, "estimate"], rtol=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov)), r.loc[names, "robust_se"], rtol=1e-8)
    cols = [fit.columns.index(c) for c in pooled.interaction_columns(fit)]
    chi2, df, _ = pooled.wald(fit.params[cols], fit.cov[np.ix_(cols, cols)])
    wald = pd.read_csv(tmp_path / "wald.csv").iloc[0]
    assert df == wald["df"]
    assert chi2 == pytest.approx(wald["chi2"], rel=1e-8)
