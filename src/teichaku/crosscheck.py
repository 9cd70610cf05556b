"""Rules across the columns of a case row (FORMAT.md, "Rules across columns").

Each rule is a vectorised function of the cases frame (clean dtypes) returning a boolean
Series that is True where the row BREAKS the rule; missing inputs never break a rule
(they are caught by other rules). The same functions serve as Pandera dataframe checks
(:mod:`teichaku.schemas`) and set the ``warn_<rule>`` flags.

Which cohorts are ended comes from the codebook: those with a fiscal year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from teichaku.codebook import Codebook


@dataclass(frozen=True)
class CrossRule:
    name: str
    column: str  # the column reported in rejected_rows
    inputs: tuple[str, ...]  # a cell error in any of these suppresses the rule for the row
    breaks: Callable[[pd.DataFrame], pd.Series]


def _ended(codebook: Codebook) -> list[str]:
    return list(codebook.fiscal_years)


def _eq(series: pd.Series, code: str) -> pd.Series:
    return _isin(series, [code])


def _isin(series: pd.Series, codes: list[str]) -> pd.Series:
    """True where the value is one of ``codes``; missing is never in. A categorical is
    compared by its integer codes (much faster than as objects)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        wanted = series.cat.categories.get_indexer(pd.Index(codes, dtype=object))
        found = np.isin(series.cat.codes.to_numpy(), wanted[wanted >= 0])
        return pd.Series(found, index=series.index)
    return series.astype("object").isin(codes) & series.notna()


def cross_rules(codebook: Codebook) -> tuple[list[CrossRule], list[CrossRule]]:
    """(errors, warnings) of the cases table."""
    ended = _ended(codebook)

    def is_ended(df: pd.DataFrame) -> pd.Series:
        return _isin(df["cohort"], ended)

    def is_continuing(df: pd.DataFrame) -> pd.Series:
        return df["cohort"].notna() & ~_isin(df["cohort"], ended)

    def end_before_start(df):
        return (df["followup_end"] < df["followup_start"]).fillna(False).astype(bool)

    def end_present_for_continuing(df):
        return is_continuing(df) & df["followup_end"].notna()

    def end_missing_for_ended(df):
        return is_ended(df) & df["followup_end"].isna()

    def reason_missing_for_ended(df):
        return is_ended(df) & df["end_reason"].isna()

    def reason_present_for_continuing(df):
        return is_continuing(df) & df["end_reason"].notna()

    def start_before_release(df):
        return (df["followup_start"] < df["release_date"]).fillna(False).astype(bool)

    def end_outside_cohort_fy(df):
        out = pd.Series(False, index=df.index)
        for cohort, (start, end) in codebook.fiscal_years.items():
            in_cohort = _eq(df["cohort"], cohort) & df["followup_end"].notna()
            outside = (df["followup_end"] < pd.Timestamp(start)) | (
                df["followup_end"] > pd.Timestamp(end)
            )
            out |= in_cohort & outside.fillna(False).astype(bool)
        return out

    def deceased_without_death(df):
        return _eq(df["current_residence"], "deceased") & ~_eq(df["end_reason"], "death")

    def death_not_deceased(df):
        return (
            _eq(df["end_reason"], "death")
            & df["current_residence"].notna()
            & ~_eq(df["current_residence"], "deceased")
        )

    errors = [
        CrossRule(
            "end_before_start", "followup_end", ("followup_start", "followup_end"), end_before_start
        ),
        CrossRule(
            "end_present_for_continuing",
            "followup_end",
            ("cohort", "followup_end"),
            end_present_for_continuing,
        ),
        CrossRule(
            "end_missing_for_ended",
            "followup_end",
            ("cohort", "followup_end"),
            end_missing_for_ended,
        ),
        CrossRule(
            "reason_missing_for_ended",
            "end_reason",
            ("cohort", "end_reason"),
            reason_missing_for_ended,
        ),
        CrossRule(
            "reason_present_for_continuing",
            "end_reason",
            ("cohort", "end_reason"),
            reason_present_for_continuing,
        ),
    ]
    warnings = [
        CrossRule(
            "start_before_release",
            "followup_start",
            ("followup_start", "release_date"),
            start_before_release,
        ),
        CrossRule(
            "end_outside_cohort_fy",
            "followup_end",
            ("cohort", "followup_end"),
            end_outside_cohort_fy,
        ),
        CrossRule(
            "deceased_without_death",
            "current_residence",
            ("current_residence", "end_reason"),
            deceased_without_death,
        ),
        CrossRule(
            "death_not_deceased",
            "end_reason",
            ("current_residence", "end_reason"),
            death_not_deceased,
        ),
    ]
    return errors, warnings
