"""The analysis dataset: one row per case with follow-up time, how it ended, the
prolonged-involvement indicators, rescaled covariates and center-level covariates.

Follow-up runs from followup_start (release_date when the start is missing, flagged
``start_imputed``) to followup_end, or to the survey's reference date for open cases, which
are censored there. Months are days / (365.25 / 12).
"""

from __future__ import annotations

import pandas as pd

from teichaku.analysis.specs import AnalysisSpec
from teichaku.codebook import Codebook

DAYS_PER_MONTH = 365.25 / 12
EVENT_TYPES = ("transition", "competing", "censored")
#: Roster columns joined onto every case (center-level covariates).
CENTER_COVARIATES = ("operator", "member")


def prolonged_column(k: int) -> str:
    return f"prolonged_{k}"


def prolonged_threshold(column: str, thresholds) -> int:
    """The months of the threshold whose prolonged status is ``column`` (prolonged_k)."""
    return next(k for k in thresholds if prolonged_column(k) == column)


def build_analysis_dataset(
    cases: pd.DataFrame,
    roster: pd.DataFrame,
    spec: AnalysisSpec,
    thresholds: list[int],
    codebook: Codebook,
) -> pd.DataFrame:
    """Derive follow-up, events, indicators and covariates; keeps every case row."""
    personal = [n for n, v in codebook.tables["cases"].variables.items() if v.personal]
    out = cases.drop(columns=[c for c in personal if c in cases.columns]).copy()
    reference = pd.Timestamp(codebook.survey["reference_date"])

    out["start_imputed"] = out["followup_start"].isna() & out["release_date"].notna()
    start = out["followup_start"].fillna(out["release_date"])
    is_open = out["end_reason"].isna()
    stop = out["followup_end"].where(~is_open, reference)
    days = (stop - start).dt.days.astype("float64")
    # A follow-up that cannot be placed in time (no start, or it would end before it
    # started) has no time; it is kept, flagged, and leaves the time-to-event models.
    out["time_invalid"] = days.isna() | (days < 0) | (~is_open & out["followup_end"].isna())
    out["followup_months"] = (days / DAYS_PER_MONTH).where(~out["time_invalid"])

    reason = out["end_reason"].astype("object")
    event = pd.Series("censored", index=out.index, dtype="object")
    event[reason.isin(spec.transition)] = "transition"
    event[reason.isin(spec.competing)] = "competing"
    out["event_type"] = pd.Categorical(event, categories=EVENT_TYPES)
    out["ended"] = (~is_open).astype("int64")

    months = out["followup_months"]
    for k in thresholds:
        value = pd.Series(pd.NA, index=out.index, dtype="Int64")
        value[months >= k] = 1
        value[(months < k) & ~is_open] = 0
        out[prolonged_column(k)] = value

    for name, s in spec.scaled.items():
        out[name] = out[s.source].astype("Float64") / s.divisor

    centers = roster.set_index("center_id")[list(CENTER_COVARIATES)]
    out = out.join(centers, on="center_id")

    for var, level in spec.reference_levels.items():
        if var in out.columns:
            out[var] = _reference_first(out[var], level)
    return out


def key_independent_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows in an order that does not depend on the pseudonym key: by center, then by
    every other column's value (missing last).

    The processed cases come sorted by ``case_id``, an HMAC under the secret key; a model
    whose result depends on row order (multiple imputation draws per row, sums in floating
    point) would then give other results under another key, and a reviewer without the key
    could not reproduce them. Rows equal in every column but ``case_id`` are
    interchangeable, so their relative order does not matter.
    """
    columns = ["center_id", *(c for c in frame.columns if c not in ("center_id", "case_id"))]
    keys = pd.DataFrame(
        {f"k{i}": _sort_key(frame[c]) for i, c in enumerate(columns)}, index=frame.index
    )
    order = keys.sort_values(list(keys.columns), kind="stable", na_position="last").index
    return frame.loc[order].reset_index(drop=True)


def _sort_key(column: pd.Series) -> pd.Series:
    """A sortable stand-in of a column: category codes (missing as NA) or the values."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.where(column.notna()).astype("Float64")
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        return column
    if pd.api.types.is_numeric_dtype(column):
        return column.astype("Float64")
    return column.astype("string")


def _reference_first(column: pd.Series, level: str) -> pd.Series:
    """The same categories with the reference level first (formulas compare with it)."""
    cats = list(column.cat.categories)
    return column.cat.reorder_categories([level] + [c for c in cats if c != level])


def build_center_dataset(
    analysis: pd.DataFrame, awareness: pd.DataFrame, outcome: str
) -> pd.DataFrame:
    """One row per center of the awareness survey with its counts of cases where
    ``outcome`` is 1 (``<outcome>_yes``) and 0 (``<outcome>_no``)."""
    valid = analysis.dropna(subset=[outcome])
    counts = valid.groupby("center_id")[outcome].agg(["sum", "count"])
    yes = counts["sum"].astype("int64")
    no = (counts["count"] - counts["sum"]).astype("int64")
    out = awareness.copy()
    out[f"{outcome}_yes"] = out["center_id"].map(yes).fillna(0).astype("int64")
    out[f"{outcome}_no"] = out["center_id"].map(no).fillna(0).astype("int64")
    return out
