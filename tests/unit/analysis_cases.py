"""A small clean cases/roster/awareness triple with known structure for the analysis tests.

Not a survey generator: exponential cause-specific hazards for transition (log hazard ratios
``LOG_HR``) and one competing end, follow-up starts spread over FY2019-FY2020, censoring at
the reference date. Columns and dtypes follow the clean tables of the shared interface.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from teichaku.codebook import load_codebook

BARRIERS = (
    "barrier_no_agency_cooperation",
    "barrier_no_stable_service",
    "barrier_refuses_other_support",
    "barrier_facility_requests",
)
LOG_HR = {
    "barrier_no_agency_cooperation": np.log(0.6),
    "barrier_no_stable_service": np.log(0.7),
    "barrier_refuses_other_support": np.log(0.65),
    "barrier_facility_requests": 0.0,
    "age_10": np.log(0.92),
    "iq_10": np.log(1.06),
    "prison_admissions": 0.0,
    "coordination[general]": np.log(1.25),
}


def _category(values, table: str, name: str) -> pd.Categorical:
    codes = load_codebook().variable(table, name).codes
    return pd.Categorical(values, categories=codes)


def make_tables(
    n: int = 600, n_centers: int = 12, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    cb = load_codebook()
    ref = pd.Timestamp(cb.survey["reference_date"])
    centers = [f"C{i:02d}" for i in range(1, n_centers + 1)]
    operators = cb.variable("roster", "operator").codes
    roster = pd.DataFrame(
        {
            "center_id": centers,
            "prefecture": _category(
                cb.variable("roster", "prefecture").codes[:n_centers], "roster", "prefecture"
            ),
            "operator": _category(
                [operators[i % 3] for i in range(n_centers)], "roster", "operator"
            ),
            "member": pd.array([i % 4 != 0 for i in range(n_centers)], dtype="boolean"),
            "n_target": pd.array([n // n_centers + 2] * n_centers, dtype="Int64"),
            "responded": pd.array([True] * n_centers, dtype="boolean"),
        }
    )
    center = rng.integers(0, n_centers, n)
    age = rng.integers(25, 85, n)
    iq = rng.normal(62, 12, n).round()
    adm = 1 + rng.poisson(3, n)
    general = rng.random(n) < 0.2
    bars = {b: rng.random(n) < 0.35 for b in BARRIERS}
    lp = sum(LOG_HR[b] * bars[b] for b in BARRIERS)
    lp = lp + LOG_HR["age_10"] * (age / 10 - 6) + LOG_HR["iq_10"] * (iq / 10 - 6)
    lp = lp + LOG_HR["coordination[general]"] * general
    t_transition = rng.exponential(1 / (0.06 * np.exp(lp)))
    t_competing = rng.exponential(1 / 0.012, n)
    start = pd.Timestamp("2019-04-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    months = np.minimum(t_transition, t_competing)
    end = start + pd.to_timedelta(np.round(months * 365.25 / 12), unit="D")
    is_open = end > ref
    transition_reason = np.where(rng.random(n) < 0.6, "stable", "handover")
    competing_reason = rng.choice(["death", "reincarceration", "lost", "refused", "other"], n)
    reason = np.where(t_transition <= t_competing, transition_reason, competing_reason)
    cohort = np.where(
        is_open, "r2_continuing", np.where(end < pd.Timestamp("2020-04-01"), "r1_ended", "r2_ended")
    )
    iq_missing = rng.random(n) < 0.1
    cases = pd.DataFrame(
        {
            "center_id": [centers[c] for c in center],
            "case_id": [f"{i:064x}" for i in range(n)],
            "cohort": _category(cohort, "cases", "cohort"),
            "coordination": _category(
                np.where(general, "general", "special"), "cases", "coordination"
            ),
            "sex": _category(np.where(rng.random(n) < 0.88, "male", "female"), "cases", "sex"),
            "age": pd.array(age, dtype="Int64"),
            "iq": pd.array(np.where(iq_missing, np.nan, iq), dtype="Float64"),
            "iq_status": pd.Categorical(
                np.where(iq_missing, "unknown", "measured"),
                categories=["measured", "range", "unmeasurable", "unknown"],
            ),
            "prison_admissions": pd.array(adm, dtype="Int64"),
            "release_date": start - pd.to_timedelta(rng.integers(0, 20, n), unit="D"),
            "followup_start": start,
            "followup_end": pd.Series(end).where(~is_open).to_numpy(),
            "end_reason": _category(np.where(is_open, None, reason), "cases", "end_reason"),
            "welfare": pd.array(rng.random(n) < 0.7, dtype="boolean"),
        }
    )
    for b in BARRIERS:
        cases[b] = pd.array(bars[b], dtype="boolean")
    awareness = pd.DataFrame({"center_id": centers[: max(3, n_centers - 2)]})
    for i, r in enumerate(
        (
            "reason_no_agency_cooperation",
            "reason_no_stable_service",
            "reason_refuses_other_support",
            "reason_facility_requests",
        )
    ):
        awareness[r] = pd.array(rng.random(len(awareness)) < 0.5 + 0.1 * i, dtype="boolean")
    return roster, cases, awareness
