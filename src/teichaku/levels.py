"""Which values of a column hold a level of the codebook, the level compared as text
(``str(value) == level``, so that ``"1"`` is the level of the number 1 as of the code 1).

Converting a column of a few hundred thousand categorical values to text once per level is
the slow way to ask this; the distinct values are converted instead, once per column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def level_masks(values: pd.Series, levels) -> dict[str, np.ndarray]:
    """Per level, which of ``values`` (no missing value among them) are it, as text."""
    codes, uniques = pd.factorize(values)
    text = np.asarray(pd.Index(uniques).astype(str))
    return {level: (text == level)[codes] for level in levels}


def level_mask(values: pd.Series, level: str) -> np.ndarray:
    """Which of ``values`` (no missing value among them) are ``level``, as text."""
    return level_masks(values, [level])[level]
