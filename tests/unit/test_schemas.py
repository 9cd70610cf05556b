"""The Pandera schemas of the clean tables are built from the codebook and check the
cross-column rules of FORMAT.md as dataframe checks, collecting every failure at once."""

import pandas as pd
import pandera.pandas as pa
import pytest

from teichaku.codebook import load_codebook
from teichaku.crosscheck import cross_rules
from teichaku.schemas import clean_columns, table_model, table_schema

CB = load_codebook()


def empty_cases(n: int) -> pd.DataFrame:
    frame = pd.DataFrame(index=range(n))
    for column, dtype in clean_columns(CB, "cases").items():
        frame[column] = pd.Series([None] * n, dtype=dtype)
    frame["center_id"] = pd.array(["C01"] * n, dtype="str")
    frame["case_id"] = pd.array([f"{i:064x}" for i in range(n)], dtype="str")
    for column in frame.columns:
        if column.startswith("warn_"):
            frame[column] = pd.array([False] * n, dtype="boolean")
    frame["iq_status"] = pd.Categorical(["unknown"] * n, dtype=frame["iq_status"].dtype)
    return frame


def test_categories_and_their_order_come_from_the_codebook():
    dtypes = clean_columns(CB, "cases")
    assert list(dtypes["cohort"].categories) == CB.variable("cases", "cohort").codes
    residence = [level.code for level in CB.value_sets["residence"]]
    assert list(dtypes["current_residence"].categories) == residence
    assert dtypes["age"] == "Int64" and dtypes["act_trouble"] == "boolean"
    assert "case_ref" not in dtypes and "case_id" in dtypes


@pytest.mark.parametrize("table", list(CB.tables))
def test_each_schema_comes_from_a_model_whose_columns_follow_the_codebook(table):
    model = table_model(CB, table)
    assert issubclass(model, pa.DataFrameModel) and model is not pa.DataFrameModel
    schema = model.to_schema()
    dtypes = clean_columns(CB, table)
    assert list(schema.columns) == list(dtypes)
    for column, dtype in dtypes.items():
        assert schema.columns[column].dtype == pa.Column(dtype).dtype, column
    variables = CB.tables[table].variables.values()
    for var in variables:
        if var.type == "category":
            assert list(schema.columns[var.name].dtype.type.categories) == var.codes
    keys = {"center_id", "cohort", "case_id", "iq_status"}
    assert {c for c, col in schema.columns.items() if not col.nullable} == (
        keys & set(dtypes) | {c for c in dtypes if c.startswith("warn_")}
    )
    assert schema.strict and schema.ordered and schema.name == table
    assert schema.unique == (["center_id", "case_id"] if table == "cases" else ["center_id"])
    rules = [r.name for r in cross_rules(CB)[0]] if table == "cases" else []
    assert [check.name for check in schema.checks] == rules
    checks = {c: [check.name for check in col.checks] for c, col in schema.columns.items()}
    assert checks["center_id"] == ["invalid_center_id"]
    for var in variables:
        if var.type in ("integer", "iq") and var.min is not None:
            assert checks[var.name] == ["out_of_range"]
        elif var.type == "date":
            assert checks[var.name] == ["date_out_of_range"]
    assert table_schema(CB, table, centers=["C01"]).columns["center_id"].checks[-1].name == (
        "invalid_center_id" if table == "roster" else "unknown_center"
    )


def test_every_cross_rule_failure_is_collected_lazily():
    df = empty_cases(4)
    df["cohort"] = pd.Categorical(
        ["r2_ended", "r2_continuing", "r2_ended", "r1_ended"], dtype=df["cohort"].dtype
    )
    df["followup_start"] = pd.to_datetime(["2020-06-01", "2020-06-01", "2020-06-01", "2019-06-01"])
    df["followup_end"] = pd.to_datetime(["2020-05-01", "2021-01-01", None, "2019-12-01"])
    df["end_reason"] = pd.Categorical(
        ["stable", None, "stable", "stable"], dtype=df["end_reason"].dtype
    )
    df["age"] = pd.array([13, 40, 50, 60], dtype="Int64")
    with pytest.raises(pa.errors.SchemaErrors) as err:
        table_schema(CB, "cases").validate(df, lazy=True)
    failed = {
        (check, int(i))
        for check, i in err.value.failure_cases[["check", "index"]].dropna().itertuples(index=False)
    }
    assert ("end_before_start", 0) in failed
    assert ("end_present_for_continuing", 1) in failed
    assert ("end_missing_for_ended", 2) in failed
    assert ("out_of_range", 0) in failed
    assert not any(i == 3 for _, i in failed)


def test_unknown_centers_and_repeated_case_ids_fail():
    df = empty_cases(2)
    df["cohort"] = pd.Categorical(["r2_continuing"] * 2, dtype=df["cohort"].dtype)
    df["case_id"] = pd.array(["a" * 64] * 2, dtype="str")
    with pytest.raises(pa.errors.SchemaErrors) as err:
        table_schema(CB, "cases", centers=["C02"]).validate(df, lazy=True)
    checks = set(err.value.failure_cases["check"].astype(str))
    assert "unknown_center" in checks
    assert any("uniqueness" in c for c in checks)


def test_rules_are_named_as_in_defects_json():
    errors, warnings = cross_rules(CB)
    assert [r.name for r in errors] == [
        "end_before_start",
        "end_present_for_continuing",
        "end_missing_for_ended",
        "reason_missing_for_ended",
        "reason_present_for_continuing",
    ]
    assert [r.name for r in warnings] == [
        "start_before_release",
        "end_outside_cohort_fy",
        "deceased_without_death",
        "death_not_deceased",
    ]
