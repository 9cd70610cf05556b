"""A replicate's analysis dataset on arrays: what ``build_analysis_dataset`` derives from
the simulated cases (follow-up months, event type, prolonged-involvement indicators,
rescaled covariates, the roster's center covariates, reference levels first), computed on
the drawn arrays (``teichaku.synthetic.simulate_case_columns``) as the columns the models
read (:class:`teichaku.simulation.fits.Columns`), without building either DataFrame.

The values are those of ``build_analysis_dataset`` followed by ``Columns`` on its
DataFrame, bit for bit (tests/unit/test_simulation_dataset.py): the same float operations
on the same numbers. The DataFrames are built only when a model that is not fitted on
arrays asks for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from teichaku.analysis.dataset import DAYS_PER_MONTH, EVENT_TYPES, prolonged_column
from teichaku.analysis.specs import AnalysisSpec
from teichaku.codebook import Codebook
from teichaku.simulation.fits import Columns
from teichaku.synthetic.columns import Coded, Column, Dates, Masked


def analysis_columns(
    cases: Mapping[str, Column],
    spec: AnalysisSpec,
    thresholds: list[int],
    codebook: Codebook,
    frame: Callable[[], pd.DataFrame],
) -> Columns:
    """The analysis dataset of the simulated ``cases`` (a roster of ids only: the center
    covariates are missing) as :class:`Columns`; ``frame`` builds it as a DataFrame."""
    personal = {n for n, v in codebook.tables["cases"].variables.items() if v.personal}
    numbers: dict[str, np.ndarray] = {}
    codes: dict[str, tuple[np.ndarray, list]] = {}
    dates = tuple(name for name, column in cases.items() if isinstance(column, Dates))
    for name, column in cases.items():
        if name in personal or name in dates:
            continue
        if isinstance(column, Masked):
            numbers[name] = column.number()
        elif column.text:
            codes[name] = _sorted_text(column)
        else:
            codes[name] = (column.codes, list(column.levels))
    n = len(cases["end_reason"].codes)

    start_given = cases["followup_start"].days
    release = cases["release_date"].days
    numbers["start_imputed"] = (np.isnat(start_given) & ~np.isnat(release)).astype(float)
    start = np.where(np.isnat(start_given), release, start_given)
    end = cases["followup_end"].days
    reason_codes, reasons = cases["end_reason"].codes, cases["end_reason"].levels
    is_open = reason_codes < 0
    reference = np.datetime64(codebook.survey["reference_date"], "D")
    elapsed = np.where(is_open, reference, end) - start
    days = np.where(np.isnat(elapsed), np.nan, elapsed.astype(np.float64))
    with np.errstate(invalid="ignore"):
        invalid = np.isnan(days) | (days < 0) | (~is_open & np.isnat(end))
    numbers["time_invalid"] = invalid.astype(float)
    months = np.where(invalid, np.nan, days / DAYS_PER_MONTH)
    numbers["followup_months"] = months

    event_of_reason = np.full(len(reasons) + 1, EVENT_TYPES.index("censored"))
    for i, reason in enumerate(reasons):
        if reason in spec.transition:
            event_of_reason[i] = EVENT_TYPES.index("transition")
        if reason in spec.competing:
            event_of_reason[i] = EVENT_TYPES.index("competing")
    codes["event_type"] = (event_of_reason[reason_codes], list(EVENT_TYPES))  # -1: censored
    numbers["ended"] = (~is_open).astype(float)

    with np.errstate(invalid="ignore"):
        for k in thresholds:
            numbers[prolonged_column(k)] = np.where(
                months >= k, 1.0, np.where((months < k) & ~is_open, 0.0, np.nan)
            )

    for name, s in spec.scaled.items():
        numbers[name] = numbers[s.source] / s.divisor

    # the roster of simulated centers has ids only (replicate.simulated_roster)
    operator = codebook.variable("roster", "operator").codes
    codes["operator"] = (np.full(n, -1, dtype=np.int8), list(operator))
    numbers["member"] = np.full(n, np.nan)

    for var, level in spec.reference_levels.items():
        if var in codes:
            codes[var] = _reference_first(*codes[var], level)
    return Columns.from_arrays(n, numbers, codes, frame, others=dates)


def _sorted_text(column: Coded) -> tuple[np.ndarray, list]:
    """Codes of a text column in the sorted order of the values present, as
    ``pd.factorize(sort=True)``."""
    present = np.unique(column.codes)
    values = np.asarray(column.levels, dtype=object)[present]
    order = np.argsort(values, kind="stable")
    rank = np.full(len(column.levels), -1, dtype=np.int64)
    rank[present[order]] = np.arange(len(present))
    return rank[column.codes], list(values[order])


def _reference_first(codes: np.ndarray, levels: list, level: str) -> tuple[np.ndarray, list]:
    """The same column with ``level`` first among the levels (as ``_reference_first`` of
    the analysis dataset reorders the categories)."""
    order = [levels.index(level)] + [i for i, lv in enumerate(levels) if lv != level]
    new_code = np.empty(len(levels) + 1, dtype=np.int64)
    new_code[order] = np.arange(len(levels))
    new_code[-1] = -1  # index -1: missing stays missing
    return new_code[codes], [levels[i] for i in order]
