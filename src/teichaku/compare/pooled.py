"""The primary model on the pooled rounds, with round interactions: a test of whether an
effect differs between rounds.

Each person enters once. A case in several rounds (a case continuing at one round is asked
about again at the next) keeps its latest record, which supersedes the earlier one (it
holds the longer follow-up, and its end if it has ended since), and is counted in the round
that first reported it: ``round`` is the round of entry, so that no follow-up is counted
twice and every case is followed from its start (no selection on having survived to the
earlier reference date). The model is the primary model's formula crossed with ``round``
(the earliest round the reference), a cause-specific Cox model with SEs clustered by
center (which nests persons, so what one person contributes stays in one cluster). The
interaction ``<term>:round[<r>]`` is the log ratio of the term's hazard ratio in round
``r`` to the earliest round; a Wald test of all interactions together (cluster-robust
covariance) asks whether any effect differs.

Published only where the round's own model could be: converged, at least ``min_cell``
events and non-events in every round, at least ``min_events_per_parameter`` events per
coefficient; intervals and p-values only with at least ``min_clusters`` centers.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
from scipy import stats

from teichaku.analysis import coxph
from teichaku.analysis.fit import design, prepare
from teichaku.analysis.models.base import EVENT_TYPE, TIME, group_codes
from teichaku.analysis.specs import ModelSpec
from teichaku.compare.rounds import Round
from teichaku.report.publish import round_significant

ROUND = "round"


def pooled_frame(rounds: list[Round]) -> pd.DataFrame:
    """The rounds' analysis datasets, each person once: the latest record, in the round of
    entry (``round``, categorical in the order of ``rounds``, earliest first)."""
    # the rounds' own cohorts differ: not a covariate of the pool
    frames = [
        r.analysis.drop(columns=["cohort"], errors="ignore").assign(**{ROUND: r.name})
        for r in rounds
    ]
    names = [r.name for r in rounds]
    both = pd.concat(frames, ignore_index=True)
    entry = both.groupby("case_id", sort=False)[ROUND].first()
    latest = both.drop_duplicates("case_id", keep="last").reset_index(drop=True)
    latest[ROUND] = pd.Categorical(latest["case_id"].map(entry), categories=names)
    return latest


@dataclasses.dataclass(frozen=True)
class PooledFit:
    columns: list[str]
    params: np.ndarray
    cov: np.ndarray  # cluster-robust
    converged: bool
    n: dict[str, int]  # cases per round
    n_events: dict[str, int]
    n_clusters: int


def fit_pooled(spec: ModelSpec, pooled: pd.DataFrame) -> PooledFit:
    """``spec`` (a cox model) with every term crossed with round, clustered by center."""
    if spec.type != "cox":
        raise ValueError(f"the pooled comparison fits the primary cox model, not {spec.type}")
    crossed = dataclasses.replace(spec, formula=f"({spec.formula}) * {ROUND}")
    frame = prepare(crossed, pooled).frame
    X = design(crossed, frame)
    rs = coxph.RiskSets.build(
        frame[TIME].to_numpy(dtype=float),
        (frame[EVENT_TYPE] == spec.event).to_numpy(dtype=float),
        X.to_numpy(dtype=float),
        ties="efron",
    )
    result = coxph.fit(rs)
    clusters = group_codes(frame, spec.cluster or "center_id")
    scores = coxph.score_residuals(rs, result.terms)
    cov = coxph.sandwich(result.information, scores, rs.weights, clusters)
    by_round = frame.groupby(ROUND, observed=False)
    events = (frame[EVENT_TYPE] == spec.event).groupby(frame[ROUND], observed=False).sum()
    return PooledFit(
        list(X.columns),
        result.params,
        cov,
        bool(result.converged),
        {str(k): int(v) for k, v in by_round.size().items()},
        {str(k): int(v) for k, v in events.items()},
        len(np.unique(clusters)),
    )


def interaction(term: str, round_name: str) -> str:
    """The design column of ``term`` crossed with round ``round_name`` (formulaic's coding)."""
    return f"{term}:{ROUND}[T.{round_name}]"


def interaction_columns(fit: PooledFit) -> list[str]:
    return [c for c in fit.columns if f":{ROUND}[T." in c]


def wald(params: np.ndarray, cov: np.ndarray) -> tuple[float, int, float]:
    """(chi-square, df, p) of params = 0 under covariance cov."""
    chi2 = float(params @ np.linalg.solve(cov, params))
    return chi2, len(params), float(stats.chi2.sf(chi2, len(params)))


def reportable(fit: PooledFit, min_cell: int, min_events_per_parameter: float) -> list[str]:
    """Why the pooled model is not published (empty: it is)."""
    why = []
    if not fit.converged:
        why.append("not_converged")
    if not np.all(np.isfinite(fit.params)) or not np.all(np.isfinite(np.diag(fit.cov))):
        why.append("infinite_estimate")
    for name, n in fit.n.items():
        k = fit.n_events[name]
        if k < min_cell or n - k < min_cell:
            why.append(f"few_events_in_round_{name}")
    if sum(fit.n_events.values()) < min_events_per_parameter * len(fit.params):
        why.append("few_events_per_parameter")
    return why


def difference_table(
    fit: PooledFit,
    terms: list[str],
    rounds: list[str],
    confidence: float,
    min_cell: int,
    min_events_per_parameter: float,
    min_clusters: int,
) -> tuple[pd.DataFrame, dict]:
    """Per term: the hazard ratio in each round (from the pooled model) and the ratio of
    each later round's to the earliest round's, with its interval and Wald p; and the
    joint test of all interactions. Estimates hidden (None) where the model is not
    reportable; intervals and p-values where there are too few centers."""
    not_ok = reportable(fit, min_cell, min_events_per_parameter)
    inference = fit.n_clusters >= min_clusters
    z = stats.norm.ppf(0.5 + confidence / 2)
    index = {c: i for i, c in enumerate(fit.columns)}
    rows = []
    for term in terms:
        main = index[term]
        for r in rounds:
            row = {"term": term, "round": r}
            inter = index[interaction(term, r)] if r != rounds[0] else None
            weights = np.zeros(len(fit.params))
            weights[main] = 1.0
            if inter is not None:
                weights[inter] = 1.0
            row.update(_estimate(fit, weights, z, not_ok, inference, "hr"))
            ratio = np.zeros(len(fit.params))
            if inter is not None:
                ratio[inter] = 1.0
                row.update(_estimate(fit, ratio, z, not_ok, inference, "ratio"))
                se = math.sqrt(float(ratio @ fit.cov @ ratio))
                p = 2 * stats.norm.sf(abs(float(ratio @ fit.params)) / se)
                row["ratio_p_value"] = round_significant(p) if inference and not not_ok else None
            rows.append(row)
    table = pd.DataFrame(rows)
    joint = {"status": "ok" if not not_ok else "not_reported", "reasons": not_ok}
    cols = [index[c] for c in interaction_columns(fit)]
    if not not_ok and inference:
        chi2, df, p = wald(fit.params[cols], fit.cov[np.ix_(cols, cols)])
        joint.update({"chi2": round_significant(chi2), "df": df, "p_value": round_significant(p)})
    elif not not_ok:
        joint["reasons"] = ["few_clusters"]
    return table, joint


def _estimate(fit, weights, z, not_ok, inference, prefix) -> dict:
    if not_ok:
        return {prefix: None, f"{prefix}_conf_low": None, f"{prefix}_conf_high": None}
    b = float(weights @ fit.params)
    se = math.sqrt(float(weights @ fit.cov @ weights))
    out = {prefix: round_significant(math.exp(b))}
    out[f"{prefix}_conf_low"] = round_significant(math.exp(b - z * se)) if inference else None
    out[f"{prefix}_conf_high"] = round_significant(math.exp(b + z * se)) if inference else None
    return out
