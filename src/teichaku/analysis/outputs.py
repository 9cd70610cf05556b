"""The columns of results/<run>/models/coefficients.csv and diagnostics.csv, and the two
tables assembled from the models' rows: what the gather of the models' jobs needs, without
the fits' imports (formulaic, the model types)."""

from __future__ import annotations

import pandas as pd

#: Columns of coefficients.csv (one row per term of a model).
COEFFICIENT_COLUMNS = [
    "model",
    "role",
    "type",
    "term",
    "label_ja",
    "label_en",
    "scale",
    "estimate",
    "conf_low",
    "conf_high",
    "std_error",
    "p_value",
    "se_type",
    "se_convention",
    "n",
    "n_events",
    "n_clusters",
]
#: Columns of diagnostics.csv (one row per check of a model).
DIAGNOSTIC_COLUMNS = [
    "model",
    "check",
    "term",
    "value",
    "p_value",
    "threshold",
    "status",
    "message",
]


def gather(
    fitted: list[tuple[pd.DataFrame | None, list[dict]]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """coefficients and diagnostics of the models ``fitted`` (their coefficient rows, None
    for a model not fitted, and diagnostic rows), in that order."""
    tables = [table for table, _ in fitted if table is not None]
    coefficients = (
        pd.concat(tables, ignore_index=True)
        if tables
        else pd.DataFrame(columns=COEFFICIENT_COLUMNS)
    )
    diagnostics = pd.DataFrame(
        [row for _, rows in fitted for row in rows], columns=DIAGNOSTIC_COLUMNS
    )
    return coefficients, diagnostics
