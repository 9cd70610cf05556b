"""``teichaku check`` on every hand-written file of tests/data/ingest: the problems it reports
(rule, Excel row, column), its exit code, and the one-line errors of the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from teichaku.cli import main
from teichaku.codebook import load_codebook
from teichaku.feedback.validate import validate_files

# whole-command runs (codebook, ingestion, workbook writing per test): the full suite,
# not the edit loop of `make test-fast`
pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
ROSTER = DATA / "roster.csv"
CB = load_codebook()

# file -> (problems expected: (Excel row, column as in the file, rule), exit code)
EXPECTED = {
    "valid.csv": ([], 0),
    "acc_minimal.csv": ([], 0),
    "acc_spellings.csv": ([], 0),
    "dup_exact.csv": ([], 0),
    "err_unknown_center.csv": ([(3, "センター番号", "unknown_center")], 1),
    "err_invalid_center_id.csv": ([(3, "センター番号", "invalid_center_id")], 1),
    "err_missing_value.csv": ([(3, "センター番号", "missing_value")], 1),
    "err_missing_case_ref.csv": ([(3, "対象者番号", "missing_case_ref")], 1),
    "err_end_before_start.csv": ([(3, "フォローアップ終了日", "end_before_start")], 1),
    "err_end_present_for_continuing.csv": (
        [(3, "フォローアップ終了日", "end_present_for_continuing")],
        1,
    ),
    "err_end_missing_for_ended.csv": ([(3, "フォローアップ終了日", "end_missing_for_ended")], 1),
    "err_reason_missing_for_ended.csv": ([(3, "終了理由", "reason_missing_for_ended")], 1),
    "err_reason_present_for_continuing.csv": (
        [(3, "終了理由", "reason_present_for_continuing")],
        1,
    ),
    "err_conflicting_duplicate_ref.csv": (
        [
            (3, "対象者番号", "conflicting_duplicate_ref"),
            (4, "対象者番号", "conflicting_duplicate_ref"),
        ],
        1,
    ),
    "err_out_of_range.csv": ([(3, "相談時年齢", "out_of_range")], 1),
    "err_invalid_integer.csv": ([(3, "刑務所入所回数", "invalid_integer")], 1),
    "err_invalid_date.csv": ([(3, "釈放日", "invalid_date")], 1),
    "err_date_out_of_range.csv": (
        [(3, "釈放日", "date_out_of_range"), (4, "フォローアップ開始日", "date_out_of_range")],
        1,
    ),
    "err_invalid_mark.csv": ([(3, "対応:定期的な訪問・面談", "invalid_mark")], 1),
    "err_invalid_category.csv": ([(3, "釈放時の帰住先", "invalid_category")], 1),
    "err_missing_column.csv": ([(None, "", "file_error")], 1),
    "warnings.csv": (
        [
            (3, "フォローアップ開始日", "start_before_release"),
            (4, "フォローアップ終了日", "end_outside_cohort_fy"),
            (5, "現在の居所", "deceased_without_death"),
            (6, "終了理由", "death_not_deceased"),
        ],
        0,
    ),
}


def test_every_case_file_of_the_test_data_has_its_expectation():
    assert set(EXPECTED) == {p.name for p in (DATA / "cases").iterdir()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_reports_the_expected_problems_and_exit_code(tmp_path, name, capsys):
    problems, code = EXPECTED[name]
    out = tmp_path / "feedback"
    args = ["check", str(DATA / "cases" / name), "--roster", str(ROSTER), "--out", str(out)]
    assert main(args) == code
    found = []  # read back from the feedback workbooks written
    for path in out.glob("*.xlsx"):
        rows = list(openpyxl.load_workbook(path)["不備一覧"].iter_rows(values_only=True))
        start = next(i for i, r in enumerate(rows) if r[0] == "No.")
        for r in rows[start + 1 :]:
            record = dict(zip(rows[start], r, strict=True))
            found.append((record["行"], record["項目"] or "", record["規則"]))
    assert sorted(found, key=str) == sorted(problems, key=str)
    printed = capsys.readouterr().out
    for row, _, _ in problems:
        if row is not None:
            assert f"行 {row} " in printed
    assert ("除外される行があります" in printed) == (code == 1)


def test_report_names_sheet_row_column_value_and_allowed_values(tmp_path, capsys):
    main(
        [
            "check",
            str(DATA / "cases" / "err_invalid_category.csv"),
            "--roster",
            str(ROSTER),
            "--out",
            str(tmp_path),
            "--lang",
            "en",
        ]
    )
    printed = capsys.readouterr().out
    assert "row 3 column N (釈放時の帰住先)" in printed
    assert "value 'ホテル'" in printed
    assert "not one of the allowed values (expected:" in printed
    for level in CB.variable("cases", "first_residence").levels:
        assert level.code in printed  # every allowed code, from the codebook
    assert "1 rows read" not in printed and "2 rows read, 1 valid, 1 rejected" in printed


def test_end_before_start_names_both_dates_and_out_of_range_its_range():
    both = validate_files(
        [DATA / "cases" / "err_end_before_start.csv", DATA / "cases" / "err_out_of_range.csv"],
        CB,
        ROSTER,
    ).problems.set_index("rule")
    assert "2020-05-01" in both.loc["end_before_start", "message_ja"]
    assert "2020-06-01" in both.loc["end_before_start", "message_ja"]
    age = CB.variable("cases", "age")
    assert f"{age.min}～{age.max}" in both.loc["out_of_range", "message_ja"]
    assert f"{age.min}–{age.max}" in both.loc["out_of_range", "message_en"]


def test_case_references_are_masked_on_the_terminal(tmp_path, capsys):
    main(
        [
            "check",
            str(DATA / "cases" / "err_conflicting_duplicate_ref.csv"),
            "--roster",
            str(ROSTER),
            "--out",
            str(tmp_path),
        ]
    )
    printed = capsys.readouterr().out
    assert "<masked>" in printed and "A002" not in printed


def test_without_a_roster_the_check_says_so(tmp_path, capsys):
    assert main(["check", str(DATA / "cases" / "valid.csv"), "--out", str(tmp_path)]) == 0
    assert "名簿" in capsys.readouterr().out


def test_round_config_gives_the_codebook_and_the_roster(tmp_path, capsys, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(ROSTER, raw / "roster.csv")
    (tmp_path / "round.yaml").write_text(
        f"codebook: {Path('config/codebook.yaml').resolve()}\ninput: {{raw_dir: raw}}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code = main(["check", str(DATA / "cases" / "err_unknown_center.csv"), "--round", "round.yaml"])
    assert code == 1
    assert "unknown_center" not in capsys.readouterr().err
    assert (tmp_path / "data" / "feedback" / "check" / "C01.xlsx").is_file()


@pytest.mark.parametrize(
    "args",
    [
        ["check", "no/such/file.csv"],
        ["check", str(DATA / "cases" / "valid.csv"), "--round", "no/such/config.yaml"],
        ["feedback", "--directory", "no/such/folder"],
        ["merge-awareness", "no/such/file.xlsx", "-o", "x.xlsx"],
    ],
)
def test_errors_are_one_line_with_exit_code_2(tmp_path, monkeypatch, capsys, args):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.err.startswith("teichaku: ")


def test_an_unreadable_workbook_is_a_problem_of_that_file(tmp_path, capsys):
    bad = tmp_path / "C05.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["check", str(bad), "--out", str(tmp_path / "fb")]) == 1
    printed = capsys.readouterr().out
    assert "not a readable Excel" in printed
    assert (tmp_path / "fb" / "unassigned_C05.xlsx").is_file()


def test_unexpected_failures_print_one_line(monkeypatch, capsys):
    import teichaku.cli.commands as commands

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(commands, "validate_files", broken)
    monkeypatch.delenv("TEICHAKU_DEBUG", raising=False)
    assert main(["check", str(DATA / "cases" / "valid.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError" in err and "Traceback" not in err


@pytest.mark.slow
def test_python_dash_m_and_the_console_script(tmp_path):
    for cmd in (
        [sys.executable, "-m", "teichaku"],
        [str(Path(sys.executable).with_name("teichaku"))],
    ):
        proc = subprocess.run(
            [*cmd, "check", str(DATA / "cases" / "err_invalid_date.csv"), "--out", str(tmp_path)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert proc.returncode == 1, proc.stderr
        assert "令和2年2月30日" in proc.stdout and "Traceback" not in proc.stderr
