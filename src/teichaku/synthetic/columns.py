"""The clean cases table as numpy arrays, before it becomes a DataFrame.

A simulation replicate draws thousands of surveys and fits models to them: it reads the
drawn columns as arrays and never needs the DataFrame, whose construction (categories of
text, nullable columns) cost more than the draw itself. The synthetic survey builds its
clean tables from the same arrays with :func:`frame`, so both see the same values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Coded:
    """A categorical column as codes into ``levels`` (-1 missing), or with ``text=True`` a
    text column (no missing values) whose values are ``levels[codes]``."""

    codes: np.ndarray
    levels: tuple[str, ...]
    text: bool = False

    def to_pandas(self):
        if self.text:
            return pd.array(np.asarray(self.levels, dtype=object)[self.codes], dtype="str")
        return pd.Categorical.from_codes(self.codes, categories=list(self.levels))


@dataclass(frozen=True)
class Masked:
    """A nullable integer, boolean or float column (``dtype``: Int64, boolean, Float64):
    its values and the mask of missing ones (None: none missing; Float64 marks missing
    values by NaN)."""

    values: np.ndarray
    dtype: str
    mask: np.ndarray | None = None

    def to_pandas(self):
        if self.mask is None:
            return pd.array(self.values, dtype=self.dtype)
        if self.dtype == "Int64":
            return pd.arrays.IntegerArray(self.values.astype(np.int64), self.mask.copy())
        return pd.arrays.BooleanArray(self.values.astype(bool), self.mask.copy())

    def number(self) -> np.ndarray:
        """The values as floats, NaN where missing."""
        out = self.values.astype(np.float64)
        if self.mask is not None:
            out[self.mask] = np.nan
        return out


@dataclass(frozen=True)
class Dates:
    """A date column: datetime64[D] values, NaT where missing."""

    days: np.ndarray

    def to_pandas(self):
        return self.days.astype("datetime64[ns]")


Column = Coded | Masked | Dates


#: Arrays up to this length are looked up value by value (factorizing costs more).
SMALL = 64


def codes_of(values: np.ndarray, levels: Iterable[str]) -> np.ndarray:
    """Codes of an object array of level names (None or any other value: -1), as
    ``pd.Categorical(values, categories=levels).codes``."""
    lookup = {level: i for i, level in enumerate(levels)}
    if len(values) <= SMALL:
        return np.array([lookup.get(v, -1) for v in values], dtype=np.int64)
    found, values_found = pd.factorize(values)  # -1: missing
    code_of_found = np.array([lookup.get(v, -1) for v in values_found] + [-1], dtype=np.int64)
    return code_of_found[found]


def frame(columns: Mapping[str, Column]) -> pd.DataFrame:
    """The clean table of ``columns``, in their order."""
    return pd.DataFrame({name: column.to_pandas() for name, column in columns.items()})
