"""Performance of the estimators over the replicates of a simulation study.

Per scenario, model and term: bias of the log-ratio estimate against the truth, empirical SE
(standard deviation of the estimates) against the mean model SE (cluster-robust), coverage of
the Wald interval at the study's level, and power (rejection rate of ratio = 1 at alpha), each
with its Monte Carlo standard error (Morris, White & Crowther 2019, Stat Med 38:2074, table 6).

Terms without a true value get power and SEs but no bias or coverage. (Models whose
coefficients are not parameters of the data-generating model get a population truth,
teichaku.simulation.truth, before this table is made.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

# Columns of the replicate-level table written by every chunk.
REPLICATE_COLUMNS = [
    "scenario",
    "replicate",
    "model",
    "term",
    "estimate",
    "std_error",
    "truth",
    "n",
    "events",
    "clusters",
    "error",
]

KEYS = ["scenario", "model", "term"]


def _term_performance(group: pd.DataFrame, alpha: float, level: float) -> pd.Series:
    ok = group[np.isfinite(group["estimate"]) & np.isfinite(group["std_error"])]
    n = len(ok)
    truth = group["truth"].iloc[0]
    estimate, se = ok["estimate"].to_numpy(float), ok["std_error"].to_numpy(float)
    z_level = stats.norm.ppf(0.5 + level / 2)
    z_test = np.abs(estimate / se)
    rejected = 2 * stats.norm.sf(z_test) < alpha
    empirical_se = float(np.std(estimate, ddof=1)) if n > 1 else np.nan
    out = {
        "replicates": n,
        "failed": int(len(group) - n),
        "true_ratio": float(np.exp(truth)),
        "mean_ratio": float(np.exp(np.mean(estimate))) if n else np.nan,
        "bias": float(np.mean(estimate) - truth) if n else np.nan,
        "bias_mcse": empirical_se / np.sqrt(n) if n else np.nan,
        "empirical_se": empirical_se,
        "mean_model_se": float(np.mean(se)) if n else np.nan,
        "se_ratio": float(np.mean(se)) / empirical_se if n > 1 else np.nan,
        "coverage": np.nan,
        "coverage_mcse": np.nan,
        "power": float(np.mean(rejected)) if n else np.nan,
        "mean_n": float(ok["n"].mean()) if n else np.nan,
        "mean_events": float(ok["events"].mean()) if n else np.nan,
        "mean_clusters": float(ok["clusters"].mean()) if n else np.nan,
    }
    out["power_mcse"] = _proportion_mcse(out["power"], n)
    if np.isfinite(truth) and n:
        covered = np.abs(estimate - truth) <= z_level * se
        out["coverage"] = float(np.mean(covered))
        out["coverage_mcse"] = _proportion_mcse(out["coverage"], n)
    return pd.Series(out)


def _proportion_mcse(p: float, n: int) -> float:
    return float(np.sqrt(p * (1 - p) / n)) if n else np.nan


COLUMNS = [
    *KEYS,
    "replicates",
    "failed",
    "true_ratio",
    "mean_ratio",
    "bias",
    "bias_mcse",
    "empirical_se",
    "mean_model_se",
    "se_ratio",
    "coverage",
    "coverage_mcse",
    "power",
    "power_mcse",
    "mean_n",
    "mean_events",
    "mean_clusters",
]


def performance(replicates: pd.DataFrame, alpha: float, level: float) -> pd.DataFrame:
    """One row per scenario, model and term (in the order they first appear).

    A replicate whose model failed to fit has a row with an ``error`` and no term; it counts
    as failed for every term of that model.
    """
    fitted = replicates[replicates["term"].notna() & (replicates["term"] != "")]
    rows = []
    for (scenario, model, term), group in fitted.groupby(KEYS, sort=False):
        failed_fits = replicates[
            (replicates["scenario"] == scenario)
            & (replicates["model"] == model)
            & ~replicates["replicate"].isin(group["replicate"])
        ]["replicate"].nunique()
        row = _term_performance(group, alpha, level)
        row["failed"] += failed_fits
        keys = pd.Series({"scenario": scenario, "model": model, "term": term})
        rows.append(pd.concat([keys, row]))
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.astype({"replicates": "int64", "failed": "int64"})
