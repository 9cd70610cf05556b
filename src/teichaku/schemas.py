"""Pandera schemas of the clean tables, built from the codebook.

The clean tables (``data/processed/{roster,cases,awareness}.parquet``) carry the codebook's
variable names; category columns have the codebook's codes in its order; integers are
nullable ``Int64``; yes/no columns nullable ``boolean``; dates naive ``datetime64[ns]``.
In the cases table ``case_ref`` is replaced by ``case_id`` (its HMAC pseudonym),
``iq_status`` follows ``iq``, and ``warn_<rule>`` flags close the table.

Each table is a ``DataFrameModel`` subclass built at run time by :func:`table_model`: the
codebook, not code, lists the variables, so the class is assembled from it (annotations,
fields, checks, config) instead of being written out by hand. Checks are named after the
rules they stand for (``out_of_range``, ``end_before_start``, ...): ingestion maps every
failure to its rule by that name.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import DateTime, Series

from teichaku.codebook import Codebook, Variable
from teichaku.crosscheck import CrossRule, cross_rules

DATETIME = "datetime64[ns]"
CASE_ID_PATTERN = r"[0-9a-f]{64}"
CENTER_ID_PATTERN = r"C\d{2}"


def category(codes) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(list(codes), ordered=False)


def iq_status_dtype(codebook: Codebook) -> pd.CategoricalDtype:
    """Codes of iq_status, declared with the IQ variable in the codebook."""
    return category(lv.code for lv in codebook.variable("cases", "iq").statuses)


def clean_columns(codebook: Codebook, table: str) -> dict[str, object]:
    """Column -> dtype of a clean table, in table order."""
    tbl = codebook.tables[table]
    out: dict[str, object] = {}
    for var in tbl.variables.values():
        if var.personal:
            out["case_id"] = "str"
            continue
        out[var.name] = _dtype(var)
        if var.type == "iq":
            out["iq_status"] = iq_status_dtype(codebook)
    if table == "cases":
        _, warnings = cross_rules(codebook)
        out.update({f"warn_{w.name}": "boolean" for w in warnings})
    return out


def _dtype(var: Variable) -> object:
    return {
        "center_id": "str",
        "text": "string",
        "category": category(var.codes) if var.type == "category" else None,
        "integer": "Int64",
        "iq": "Float64",
        "date": DATETIME,
        "boolean": "boolean",
        "mark": "boolean",
    }[var.type]


def _annotation(dtype: object) -> tuple[object, dict | None]:
    """The ``Series[...]`` annotation of a clean-table dtype, with its dtype arguments."""
    if isinstance(dtype, pd.CategoricalDtype):
        kwargs = {"categories": list(dtype.categories), "ordered": dtype.ordered}
        return Series[pd.CategoricalDtype], kwargs
    if dtype == DATETIME:
        return Series[DateTime], None
    return Series[type(pd.api.types.pandas_dtype(dtype))], None


def _column_check(column: str, rule: str, test) -> classmethod:
    """A column check of the model, named by the rule it stands for."""

    def check(cls, series: pd.Series) -> pd.Series:
        return test(series)

    check.__name__ = rule
    return pa.check(column, name=rule, error=rule)(check)


def _frame_check(rule: CrossRule) -> classmethod:
    """A cross-column rule of FORMAT.md as a dataframe check of the model."""

    def check(cls, df: pd.DataFrame) -> pd.Series:
        return ~rule.breaks(df)

    check.__name__ = rule.name
    return pa.dataframe_check(name=rule.name)(check)


def _range_tests(var: Variable, codebook: Codebook) -> list[tuple[str, object]]:
    """(rule, test) of a variable's own values."""
    if var.type in ("integer", "iq") and var.min is not None:
        lo, hi = var.min, var.max
        return [("out_of_range", lambda s, lo=lo, hi=hi: s.between(lo, hi))]
    if var.type == "date":
        lo, hi = pd.Timestamp(codebook.date_min), pd.Timestamp(codebook.survey["period_end"])
        return [("date_out_of_range", lambda s, lo=lo, hi=hi: s.between(lo, hi))]
    if var.type == "center_id":
        return [("invalid_center_id", lambda s: s.str.fullmatch(CENTER_ID_PATTERN))]
    return []


def table_model(
    codebook: Codebook, table: str, centers: list[str] | None = None
) -> type[pa.DataFrameModel]:
    """The ``DataFrameModel`` of a clean table, built from the codebook. With ``centers``
    (the roster's center ids) the cases and awareness models also check that every center
    is in the roster."""
    tbl = codebook.tables[table]
    dtypes = clean_columns(codebook, table)
    nullable = {column: True for column in dtypes}
    tests: list[tuple[str, str, object]] = []  # (column, rule, test)
    for var in tbl.variables.values():
        if var.personal:
            nullable["case_id"] = False
            tests.append(("case_id", "invalid_case_id", lambda s: s.str.fullmatch(CASE_ID_PATTERN)))
            continue
        tests += [(var.name, rule, test) for rule, test in _range_tests(var, codebook)]
        if var.type == "center_id" and centers is not None and table != "roster":
            known = list(centers)
            tests.append((var.name, "unknown_center", lambda s, known=known: s.isin(known)))
        nullable[var.name] = not (var.type == "center_id" or var.name == "cohort")
        if var.type == "iq":
            nullable["iq_status"] = False
    annotations: dict[str, object] = {}
    namespace: dict[str, object] = {"__module__": __name__, "__annotations__": annotations}
    for column, dtype in dtypes.items():
        annotations[column], dtype_kwargs = _annotation(dtype)
        if column.startswith("warn_"):
            nullable[column] = False
        namespace[column] = pa.Field(nullable=nullable[column], dtype_kwargs=dtype_kwargs)
    for i, (column, rule, test) in enumerate(tests):
        namespace[f"check_{i}_{column}_{rule}"] = _column_check(column, rule, test)
    if table == "cases":
        errors, _ = cross_rules(codebook)
        namespace.update({f"check_{rule.name}": _frame_check(rule) for rule in errors})
        unique = ["center_id", "case_id"]
    else:
        unique = ["center_id"]
    namespace["Config"] = type(
        "Config", (), {"name": table, "strict": True, "ordered": True, "unique": unique}
    )
    return type(f"{table.title()}Model", (pa.DataFrameModel,), namespace)


def table_schema(
    codebook: Codebook, table: str, centers: list[str] | None = None
) -> pa.DataFrameSchema:
    """The schema of a clean table: its :func:`table_model` as a ``DataFrameSchema``."""
    return table_model(codebook, table, centers).to_schema()
