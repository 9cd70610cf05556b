"""Pandera schemas of the clean tables, built from the codebook.

The clean tables (``data/processed/{roster,cases,awareness}.parquet``) carry the codebook's
variable names; category columns have the codebook's codes in its order; integers are
nullable ``Int64``; yes/no columns nullable ``boolean``; dates naive ``datetime64[ns]``.
In the cases table ``case_ref`` is replaced by ``case_id`` (its HMAC pseudonym),
``iq_status`` follows ``iq``, and ``warn_<rule>`` flags close the table.

Built dynamically (``DataFrameSchema``) rather than as static ``DataFrameModel`` classes
because the codebook, not code, lists the variables.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from teichaku.codebook import Codebook, Variable
from teichaku.ingest.crosscheck import cross_rules

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


def _named(test, name: str) -> pa.Check:
    """A check named by the rule it stands for (built-in checks keep their own names)."""
    return pa.Check(test, name=name, error=name)


def _checks(var: Variable, codebook: Codebook) -> list[pa.Check]:
    if var.type in ("integer", "iq") and var.min is not None:
        lo, hi = var.min, var.max
        return [_named(lambda s, lo=lo, hi=hi: s.between(lo, hi), "out_of_range")]
    if var.type == "date":
        lo, hi = pd.Timestamp(codebook.date_min), pd.Timestamp(codebook.survey["period_end"])
        return [_named(lambda s, lo=lo, hi=hi: s.between(lo, hi), "date_out_of_range")]
    if var.type == "center_id":
        return [_named(lambda s: s.str.fullmatch(CENTER_ID_PATTERN), "invalid_center_id")]
    return []


def table_schema(
    codebook: Codebook, table: str, centers: list[str] | None = None
) -> pa.DataFrameSchema:
    """The schema of a clean table. With ``centers`` (the roster's center ids) the cases
    and awareness schemas also check that every center is in the roster."""
    tbl = codebook.tables[table]
    columns: dict[str, pa.Column] = {}
    dtypes = clean_columns(codebook, table)
    for var in tbl.variables.values():
        if var.personal:
            columns["case_id"] = pa.Column(
                "str",
                _named(lambda s: s.str.fullmatch(CASE_ID_PATTERN), "invalid_case_id"),
                nullable=False,
            )
            continue
        checks = _checks(var, codebook)
        if var.type == "center_id" and centers is not None and table != "roster":
            known = list(centers)
            checks.append(_named(lambda s, known=known: s.isin(known), "unknown_center"))
        keyish = var.type == "center_id" or var.name == "cohort"
        columns[var.name] = pa.Column(dtypes[var.name], checks, nullable=not keyish)
        if var.type == "iq":
            columns["iq_status"] = pa.Column(iq_status_dtype(codebook), nullable=False)
    frame_checks: list[pa.Check] = []
    if table == "cases":
        errors, warnings = cross_rules(codebook)
        frame_checks = [
            pa.Check(lambda df, rule=rule: ~rule.breaks(df), name=rule.name) for rule in errors
        ]
        for w in warnings:
            columns[f"warn_{w.name}"] = pa.Column("boolean", nullable=False)
        unique = ["center_id", "case_id"]
    else:
        unique = ["center_id"]
    return pa.DataFrameSchema(
        columns,
        checks=frame_checks,
        unique=unique,
        strict=True,
        ordered=True,
        name=table,
    )
