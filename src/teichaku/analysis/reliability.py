"""Which fitted models are reported, and how: an assessment of the fitted results.

A model is *not reported* (no estimate, interval or p-value published) when it could not be
fitted, when its events or non-events are fewer than ``privacy.min_cell`` (an estimate from
two events describes two people), when it has fewer events per estimated parameter than
``analysis.reliability.min_events_per_parameter``, when the fit did not converge, when an
estimate runs off to the boundary (separation: in some group the outcome never or always
occurs) or when an estimate or standard error is not finite. A model whose standard errors
are cluster-robust (or GEE sandwich) with fewer clusters than
``analysis.reliability.min_clusters`` keeps its point estimates, without intervals and
p-values (the sandwich is unreliable with few clusters).

The reasons are written in plain Japanese and English for the summary and the tables; the
short codes (``reason``) are for programs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

REPORTED = "reported"
NO_INFERENCE = "estimates_only"
NOT_REPORTED = "not_reported"
#: Columns of results/models/reliability.csv.
COLUMNS = ["model", "status", "reason", "reason_ja", "reason_en"]
#: Standard errors that rest on the number of clusters.
CLUSTERED_SE = ("cluster_robust", "gee_robust", "rubin_cluster_robust")


@dataclass(frozen=True)
class Rules:
    """analysis.reliability of the configuration (defaults when absent)."""

    min_events_per_parameter: float = 5.0
    min_clusters: int = 20

    @classmethod
    def from_config(cls, config: dict | None) -> Rules:
        config = config or {}
        return cls(
            float(config.get("min_events_per_parameter", cls.min_events_per_parameter)),
            int(config.get("min_clusters", cls.min_clusters)),
        )


def _reason(code: str, rules: Rules, min_cell: int) -> tuple[str, str]:
    epp = f"{rules.min_events_per_parameter:g}"
    texts = {
        "not_fitted": (
            "データが足りない(または説明変数が一定)ため推定できなかった",
            "could not be estimated: too little data, or a covariate does not vary",
        ),
        "few_events": (
            f"該当する人(または該当しない人)が{min_cell}人未満のため報告しない",
            f"not reported: fewer than {min_cell} people with (or without) the outcome",
        ),
        "events_per_parameter": (
            f"推定する係数1つあたりの該当者が{epp}人未満で、推定が不安定なため報告しない",
            f"not reported: fewer than {epp} people with the outcome per estimated "
            "coefficient, too few for a stable estimate",
        ),
        "not_converged": (
            "推定の計算が収束しなかったため報告しない",
            "not reported: the estimation did not converge",
        ),
        "separation": (
            "ある群で該当者が一人もいない(または全員が該当する)ため比が定まらず、報告しない",
            "not reported: in some group nobody (or everybody) has the outcome, so the "
            "ratio has no finite estimate",
        ),
        "not_finite": (
            "推定値または標準誤差が計算できなかったため報告しない",
            "not reported: an estimate or a standard error could not be computed",
        ),
        "few_clusters": (
            f"センターが{rules.min_clusters}か所未満のため、信頼区間とp値は示さない",
            f"point estimates only: fewer than {rules.min_clusters} centers, too few for "
            "cluster-robust confidence intervals and p-values",
        ),
    }
    return texts[code]


def _count(value) -> int | None:
    if isinstance(value, str):
        return int(value) if value.isdigit() else None
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return int(value)


def assess_model(
    model: str,
    coefficients: pd.DataFrame,
    diagnostics: pd.DataFrame,
    rules: Rules,
    min_cell: int,
) -> tuple[str, str]:
    """(status, reason code) of one model from its coefficient and diagnostic rows."""
    rows = coefficients[coefficients["model"] == model]
    checks = diagnostics[diagnostics["model"] == model]
    if rows.empty:
        return NOT_REPORTED, "not_fitted"
    first = rows.iloc[0]
    n, events = _count(first["n"]), _count(first["n_events"])
    binary = first["type"] != "cox" and first["type"] != "binomial_counts"
    smaller = min(events, n - events) if binary and n is not None else events
    if events is not None and (
        0 < events < min_cell
        or (n is not None and first["type"] != "binomial_counts" and 0 < n - events < min_cell)
    ):
        return NOT_REPORTED, "few_events"
    convergence = checks[checks["check"] == "convergence"]
    if (convergence["status"] == "error").any():
        return NOT_REPORTED, "not_finite"
    if convergence["message"].astype(str).str.startswith("did not converge").any():
        return NOT_REPORTED, "not_converged"
    if (checks["check"] == "separation").any():
        return NOT_REPORTED, "separation"
    n_parameters = int((rows["term"] != "Intercept").sum())
    if (
        smaller is not None
        and n_parameters
        and smaller / n_parameters < (rules.min_events_per_parameter)
    ):
        return NOT_REPORTED, "events_per_parameter"
    clusters = _count(first["n_clusters"])
    if first["se_type"] in CLUSTERED_SE and clusters is not None and clusters < rules.min_clusters:
        return NO_INFERENCE, "few_clusters"
    return REPORTED, ""


def assess(
    models: list[str],
    coefficients: pd.DataFrame,
    diagnostics: pd.DataFrame,
    rules: Rules,
    min_cell: int,
) -> pd.DataFrame:
    """One row per model (in specification order): status, reason and its wording."""
    out = []
    for model in models:
        status, code = assess_model(model, coefficients, diagnostics, rules, min_cell)
        ja, en = _reason(code, rules, min_cell) if code else ("", "")
        out.append(
            {"model": model, "status": status, "reason": code, "reason_ja": ja, "reason_en": en}
        )
    return pd.DataFrame(out, columns=COLUMNS)
