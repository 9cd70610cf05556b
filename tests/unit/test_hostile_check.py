"""``teichaku check`` on every file of the hostile corpus (tests/data/hostile, expectations in
its manifest.json): a file the run cannot read is a problem of that file naming the
manifest's file rule and detail (exit code 1); any other gives the manifest's rows read and
valid and its rejected rows per rule, read back from the feedback workbooks (exit code 1
when rows are rejected, else 0). Never a traceback."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from teichaku.cli import main
from teichaku.feedback.workbook import OUTCOMES

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "data" / "hostile"
ROSTER = ROOT / "tests" / "data" / "ingest" / "roster.csv"
MANIFEST = json.loads((HOSTILE / "manifest.json").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("make_corpus", HOSTILE / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = tmp_path_factory.mktemp("hostile")
    module.write(folder)
    return folder


def _arguments(corpus: Path, entry: dict, out: Path) -> list[str]:
    """The case files of the entry, and its roster (the corpus's own, or the test data's)."""
    names = [entry["file"], *entry.get("also", [])]
    rosters = [n for n in names if n.startswith("roster/") and "cases_of" not in n]
    files = [str(corpus / n) for n in names if n not in rosters]
    roster = corpus / rosters[0] if rosters else ROSTER
    return ["check", *files, "--roster", str(roster), "--out", str(out), "--lang", "en"]


def _listed(out: Path) -> list[dict]:
    """Every problem of the 不備一覧 sheets of the feedback workbooks written; each one at a
    cell is also a comment on that cell of the annotated copy."""
    found = []
    for path in sorted(out.glob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        rows = list(book["不備一覧"].iter_rows(values_only=True))
        start = next(i for i, r in enumerate(rows) if r[0] == "No.")
        listed = [dict(zip(rows[start], r, strict=True)) for r in rows[start + 1 :]]
        for cell in {f"{p['列']}{p['行']}" for p in listed if p["列"] and p["行"]}:
            assert any(ws[cell].comment for ws in book.worksheets[1:]), (path.name, cell)
        found += listed
    return found


@pytest.mark.slow
@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_check_gives_the_manifest_rule_and_exit_code(tmp_path, corpus, entry, capsys):
    out = tmp_path / "feedback"
    code = main(_arguments(corpus, entry, out))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert captured.err == ""
    listed = _listed(out)
    if "error" in entry:
        assert code == 1
        file_name = Path(entry["file"]).name
        for text in (captured.out, *(p["内容"] for p in listed)):
            assert f"{entry['error']}:" in text and entry["detail"] in text
        assert file_name in captured.out
        assert {p["規則"] for p in listed} == {"file_error"}
        assert [p["ファイル"] for p in listed] == [file_name]
        return
    expected = entry["cases"]
    assert code == (1 if expected["rejected"] else 0)
    cases_file = Path(entry["file"] if "also" not in entry else entry["also"][0]).name
    rows: dict[int, str] = {}  # Excel row -> its first rule, as the manifest counts them
    for p in listed:
        if p["扱い"] == OUTCOMES["rejected"] and p["ファイル"] == cases_file:
            rows.setdefault(p["行"], p["規則"])
    assert dict(Counter(rows.values())) == expected["rejected"]
    line = f"{expected['rows_read']} rows read, {expected['rows_valid']} valid"
    assert line in captured.out
