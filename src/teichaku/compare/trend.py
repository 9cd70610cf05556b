"""The headline figures and the four barriers, round by round.

Each round's headline figures are read from its results/<run>/numbers.json, already
published by the round's own privacy rules (a hidden value stays the marker). The barriers'
prevalence (share of cases with the barrier marked among the valid answers) is counted from
each round's analysis dataset and published by the same rule (a share is hidden when its
count or complement is below ``min_cell``); the barriers' hazard ratios are each round's
own primary model (numbers.json ``primary``: the estimate each round's report shows).
"""

from __future__ import annotations

import pandas as pd

from teichaku.compare.rounds import Round
from teichaku.report.publish import round_significant
from teichaku.report.suppress import Privacy

#: (section of numbers.json, key) of the headline figures, in the order of the table
HEADLINE = (
    ("survey", "n_centers_responded"),
    ("survey", "n_cases"),
    ("basic_attributes", "mean_age"),
    ("basic_attributes", "pct_male"),
    ("basic_attributes", "pct_welfare"),
    ("followup", "n_transition"),
    ("followup", "n_censored"),
    ("followup", "median_involvement_months"),
    ("followup", "pct_prolonged_12"),
    ("followup", "pct_prolonged_24"),
)
NUMBERS_SECTIONS = {
    "survey": ("published", "survey"),
    "basic_attributes": ("published", "basic_attributes"),
    "followup": ("followup",),
}


def _lookup(numbers: dict, section: str, key: str):
    value = numbers
    for part in (*NUMBERS_SECTIONS[section], key):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def barrier_prevalence(analysis: pd.DataFrame, barrier: str, privacy: Privacy):
    """Percentage of the valid answers with the barrier marked, as published."""
    answers = analysis[barrier].dropna().astype(bool)
    k, n = int(answers.sum()), len(answers)
    if not n:
        return None
    if privacy.share_suppressed(k, n):
        return privacy.marker
    return round_significant(100.0 * k / n)


def _hazard_ratio(numbers: dict, barrier: str):
    estimate = ((numbers.get("primary") or {}).get("barriers") or {}).get(barrier) or {}
    return estimate.get("estimate")


def trend_table(rounds: list[Round], barriers: list[str], privacy: Privacy) -> pd.DataFrame:
    """One row per figure (``section``, ``item``), one column per round (its name)."""
    rows = []
    for section, key in HEADLINE:
        rows.append(
            {"section": section, "item": key}
            | {r.name: _lookup(r.numbers, section, key) for r in rounds}
        )
    for barrier in barriers:
        rows.append(
            {"section": "barrier_pct", "item": barrier}
            | {r.name: barrier_prevalence(r.analysis, barrier, privacy) for r in rounds}
        )
    for barrier in barriers:
        rows.append(
            {"section": "barrier_hr", "item": barrier}
            | {r.name: _hazard_ratio(r.numbers, barrier) for r in rounds}
        )
    return pd.DataFrame(rows)
