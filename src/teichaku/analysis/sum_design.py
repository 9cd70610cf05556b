"""The design matrix of a formula that is a sum of variables (``a + b + c``, every model of
config/models.yaml), built as formulaic builds it: an intercept column first, a number as it
is, a category as treatment indicators ``<name>[T.<level>]`` of its levels after the first,
the columns of each term together, one float block laid out as formulaic's gives it. Any
other formula (interactions, transforms, text columns) goes through formulaic itself, so
that a model's job imports formulaic (about a quarter of its start-up) only when needed.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def sum_variables(formula: str) -> list[str] | None:
    """The variables of a formula that is a sum of distinct variable names, in its order;
    None for any other formula."""
    names = [part.strip() for part in formula.split("+")]
    if not all(_NAME.match(n) for n in names) or len(set(names)) != len(names):
        return None
    return names


def required_variables(formula: str) -> list[str]:
    """The variables a formula reads, sorted (formulaic's ``required_variables``)."""
    names = sum_variables(formula)
    if names is None:
        from formulaic import Formula

        return sorted(str(v) for v in Formula(formula).required_variables)
    return sorted(names)


def sum_design(formula: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict] | None:
    """(design with its intercept, the columns of each term) of a sum of numeric and
    categorical variables of ``frame``; None when formulaic must build it."""
    names = sum_variables(formula)
    if names is None or not len(frame):
        return None
    blocks, columns, terms = [np.ones(len(frame))], ["Intercept"], {}
    for name in names:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()
            if (codes < 0).any():
                return None
            levels = list(column.cat.categories)
            own = [f"{name}[T.{level}]" for level in levels[1:]]
            blocks += [(codes == i).astype(float) for i in range(1, len(levels))]
        elif pd.api.types.is_float_dtype(column.dtype):
            values = column.to_numpy()
            if np.isnan(values).any():
                return None
            own = [name]
            blocks.append(values)
        else:
            return None
        columns += own
        terms[name] = own
    # one 2-D block in the layout formulaic's matrix gives np.asarray (column-major), so
    # that BLAS sums over it in the same order
    matrix = np.asfortranarray(np.column_stack(blocks))
    return pd.DataFrame(matrix, columns=columns, index=frame.index), terms
