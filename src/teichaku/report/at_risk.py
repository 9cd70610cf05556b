"""Numbers at risk under the curves of Figures 4, 5 and 9: how many of each group are still
followed at regular times, and which of them may be printed.

Counted from the analysis dataset as :mod:`teichaku.analysis.curves` groups it (the rows
with a follow-up time; a mark's missing answers in neither group): the number at risk at
``t`` is the number followed at least ``t`` months. The published curves
(results/models/curves.parquet) list only event times, between which people are censored,
so they cannot give it.

Protection, as the curves are cut (:func:`teichaku.report.suppress.mask_curves`): a group's
number is printed up to the time where its curve stops (its horizon: the time up to which
at least ``min_cell`` of it are still followed); beyond it nothing is printed, and fewer
than ``min_cell`` (but some) are followed there. The groups of a panel add up to the
curve's whole population, which another panel or figure gives at the same time (its groups
added up): an intruder who knew all but one group's number would subtract. So at a time
where a group of a panel has fewer than ``min_cell`` (but some) at risk, no number of that
panel is printed (the others show the marker): at each time a panel is printed whole
(a stopped group with nobody left at risk counting as known) or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from teichaku.report.suppress import Privacy

#: Candidate spacings of the times (months), the first giving at most MAX_TIMES times.
STEPS = (1, 3, 6, 12, 24, 60, 120)
MAX_TIMES = 7
#: ``group`` of a yes/no grouping in curves.parquet -> the mark's value
MARK_VALUES = {"yes": True, "no": False}


def regular_times(limit: float) -> tuple[float, ...]:
    """0, s, 2s, ... up to ``limit`` months, s the smallest of STEPS giving at most
    MAX_TIMES + 1 times (every 6 or 12 months for follow-up of two or five years)."""
    limit = max(float(limit), 0.0)
    step = next((s for s in STEPS if limit / s <= MAX_TIMES), STEPS[-1])
    return tuple(float(step * i) for i in range(int(limit // step) + 1))


def followup_times(analysis: pd.DataFrame, by: str, group: str) -> np.ndarray:
    """Follow-up months of the cases of one curve group (``by`` "all", a mark with group
    yes/no, or a category with group its code), as the curves are estimated on them."""
    times = analysis["followup_months"]
    if by != "all":
        column = analysis[by]
        if group in MARK_VALUES:
            mask = column == MARK_VALUES[group]
        else:
            mask = column.astype("string") == group
        times = times[mask.fillna(False).astype(bool)]
    return np.sort(times.dropna().to_numpy(dtype=float))


@dataclass(frozen=True)
class AtRisk:
    """Numbers at risk: ``counts[(by, group)][i]`` cases followed at least ``times[i]``."""

    times: tuple[float, ...]
    counts: dict[tuple[str, str], tuple[int, ...]]


def numbers_at_risk(analysis: pd.DataFrame, groups, times) -> AtRisk:
    """The number at risk of each (by, group, ...) of ``groups`` at each of ``times``."""
    counts = {}
    for by, group, *_ in groups:
        followed = followup_times(analysis, by, group)
        at = len(followed) - np.searchsorted(followed, np.asarray(times, float), side="left")
        counts[(by, group)] = tuple(int(n) for n in at)
    return AtRisk(tuple(float(t) for t in times), counts)


def printed_at_risk(
    at_risk: AtRisk, groups: list[tuple[str, str]], stops: dict, privacy: Privacy
) -> dict[tuple[str, str], list[str]]:
    """What a panel of ``groups`` (its drawn curves) prints at each time: the number, the
    marker where it is withheld, or nothing where the group's curve has stopped
    (``stops``: (by, group) -> the time its curve stops; a group absent is not drawn).

    A number below min_cell withholds the whole panel at that time (the module's docstring
    says why), whether or not the group's curve has stopped; zero does not (nobody is left
    to single out, as a zero count of the tables is shown)."""
    out = {g: [] for g in groups}
    for i, t in enumerate(at_risk.times):
        past = {g: g not in stops or t > stops[g] for g in groups}
        small = {g: privacy.is_small(at_risk.counts[g][i]) for g in groups}
        withheld = any(small.values())
        for g in groups:
            if past[g]:
                out[g].append("")
            elif withheld:
                out[g].append(privacy.marker)
            else:
                out[g].append(f"{at_risk.counts[g][i]:,}")
    return out
