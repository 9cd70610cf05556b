"""validation.invalid_cell: set_missing makes an invalid cell missing and keeps its row; the
problem is still reported with its rule and counted as a warning. Keys are never set missing;
the default rejects the row."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from teichaku.cli import main
from teichaku.codebook import load_codebook
from teichaku.ingest.errors import IngestError
from teichaku.ingest.report import table_summary
from teichaku.ingest.survey import ingest_survey

# ingestion of whole files and `teichaku check` runs: the full suite, not `make test-fast`
pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
CB = load_codebook()
KEY = b"test-key"


def _raw(tmp_path: Path, *names: str) -> Path:
    raw = tmp_path / "raw"
    (raw / "cases").mkdir(parents=True)
    shutil.copy(DATA / "roster.csv", raw)
    shutil.copy(DATA / "awareness.csv", raw)
    for name in names:
        shutil.copy(DATA / "cases" / name, raw / "cases")
    return raw


@pytest.mark.parametrize(
    ("name", "policy", "variable", "rule", "column", "value"),
    [
        (
            "err_invalid_category.csv",
            {"default": "reject_row", "first_residence": "set_missing"},  # a variable
            "first_residence",
            "invalid_category",
            "釈放時の帰住先",
            "ホテル",
        ),
        (
            "err_invalid_mark.csv",
            {"act": "set_missing"},  # a group of mark columns
            "act_regular_contact",
            "invalid_mark",
            "対応:定期的な訪問・面談",
            "△",
        ),
        ("err_out_of_range.csv", "set_missing", "age", "out_of_range", "相談時年齢", "120"),
    ],
)
def test_set_missing_keeps_the_row_and_reports_the_cell(
    tmp_path, name, policy, variable, rule, column, value
):
    cases = ingest_survey(_raw(tmp_path, name), CB, KEY, policy).tables["cases"]
    assert (cases.rows_read, cases.rows_valid, cases.rows_rejected) == (2, 2, 0)
    noted = cases.noted
    assert noted[["file", "row", "column", "value", "rule", "outcome"]].values.tolist() == [
        [f"cases/{name}", 3, column, value, rule, "set_missing"]
    ]
    assert "入力できる値" in noted["message_ja"].iloc[0]
    assert cases.clean[variable].isna().sum() == 1
    summary = table_summary(cases)
    assert summary["warnings"][rule] == 1 and summary["errors"] == {}


def test_default_and_reject_row_reject_the_row(tmp_path):
    raw = _raw(tmp_path, "err_invalid_category.csv")
    for policy in (None, "reject_row", {"sex": "set_missing"}):
        cases = ingest_survey(raw, CB, KEY, policy).tables["cases"]
        assert (cases.rows_valid, cases.rows_rejected) == (1, 1)
        assert cases.noted.empty
        assert "invalid_category" not in table_summary(cases)["warnings"]


def test_keys_are_never_set_missing(tmp_path):
    raw = _raw(tmp_path, "err_invalid_center_id.csv")
    cases = ingest_survey(raw, CB, KEY, "set_missing").tables["cases"]
    assert cases.rows_rejected == 1
    assert list(cases.rejected["rule"]) == ["invalid_center_id"]
    with pytest.raises(IngestError, match="center_id: a key is never set missing"):
        ingest_survey(raw, CB, KEY, {"center_id": "set_missing"})
    with pytest.raises(IngestError, match="sexx: not a variable group or variable"):
        ingest_survey(raw, CB, KEY, {"sexx": "set_missing"})


def test_a_cell_set_missing_still_meets_the_rules_across_columns(tmp_path):
    """An ended case whose end date does not exist: set missing, the case has no end date,
    which rejects it (end_missing_for_ended); both problems are reported."""
    raw = _raw(tmp_path)
    lines = (DATA / "cases" / "valid.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("2021/3/1", "2021/2/30")
    (raw / "cases" / "bad_end.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cases = ingest_survey(raw, CB, KEY, {"followup_end": "set_missing"}).tables["cases"]
    assert cases.noted[["row", "rule", "outcome"]].values.tolist() == [
        [2, "invalid_date", "set_missing"]
    ]
    assert cases.rejected[["row", "rule"]].values.tolist() == [[2, "end_missing_for_ended"]]
    rejected = ingest_survey(raw, CB, KEY).tables["cases"].rejected  # the default
    assert rejected[["row", "rule"]].values.tolist() == [[2, "invalid_date"]]


def test_check_with_the_rounds_policy_reports_a_warning_and_accepts(tmp_path, capsys):
    (tmp_path / "round.yaml").write_text(
        f"codebook: {Path('config/codebook.yaml').resolve()}\n"
        "validation: {invalid_cell: {first_residence: set_missing}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "fb"
    args = ["check", str(DATA / "cases" / "err_invalid_category.csv"), "--out", str(out)]
    assert main([*args, "--round", str(tmp_path / "round.yaml")]) == 0
    assert "[警告]" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out / "C01.xlsx")
    cell = wb["err_invalid_category"]["N3"]
    assert cell.fill.fgColor.rgb.endswith("FFEB9C") and "警告" in cell.comment.text
    listed = [r for r in wb["不備一覧"].iter_rows(values_only=True) if r[0] == 1]
    assert "空欄として集計" in listed[0][10] and "空欄(不明)として集計" in listed[0][9]
    assert pd.notna(listed[0][3])
