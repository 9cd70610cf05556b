"""The synthetic raw folder: layout of FORMAT.md, messiness, defects and determinism."""

import csv
import hashlib
import json
import re
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from teichaku.codebook import load_codebook
from teichaku.published import load_published
from teichaku.synthetic import generate_survey, load_synthetic_config
from teichaku.synthetic.defects import KINDS
from teichaku.synthetic.raw_writer import write_survey

pytestmark = pytest.mark.slow  # the module's fixtures take seconds

ERA = re.compile(r"(令和|平成)(元|\d+)年|\b[RH]\d+[./]\d+[./]\d+")


def _write(root: Path, out: Path, **overrides) -> dict:
    cfg = load_synthetic_config()
    cfg.update(overrides)
    published = load_published(root / "config" / "published-2021.yaml")
    codebook = load_codebook()
    survey = generate_survey(cfg, published, codebook)
    return write_survey(survey, cfg, out, codebook)


@pytest.fixture(scope="session")
def raw(root, tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic") / "raw"
    manifest = _write(root, out)
    return out, manifest


def _norm(text) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(text)))


def _rows(path: Path, sheet: str | None, encoding: str | None) -> list[list]:
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        default = wb["対象者"] if "対象者" in wb.sheetnames else wb.worksheets[0]
        ws = wb[sheet] if sheet else default
        return [list(r) for r in ws.iter_rows(values_only=True)]
    with open(path, encoding=encoding, newline="") as fh:
        return [[c or None for c in r] for r in csv.reader(fh)]


def _encoding(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8"


@pytest.fixture(scope="session")
def case_files(raw):
    """Each case file once: (path, encoding or None, rows, merged ranges, data sheet index)."""
    out = []
    for path in sorted((raw[0] / "cases").iterdir()):
        if path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path)
            ws = wb["対象者"] if "対象者" in wb.sheetnames else wb.worksheets[0]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            out.append(
                (path, None, rows, list(ws.merged_cells.ranges), wb.sheetnames.index(ws.title))
            )
        else:
            enc = _encoding(path)
            out.append((path, enc, _rows(path, None, enc), [], 0))
    return out


def test_layout_and_row_counts(raw, case_files):
    raw_dir, manifest = raw
    assert {p.name for p in raw_dir.iterdir()} >= {
        "roster.xlsx",
        "awareness.xlsx",
        "cases",
        "truth.json",
        "defects.json",
    }
    files = list((raw_dir / "cases").iterdir())
    assert len(files) == 46
    case_ref = load_codebook().variable("cases", "case_ref")
    labels = {_norm(x) for x in (case_ref.header, *case_ref.aliases)}
    n_refs = 0
    for _path, _enc, rows, _merged, _sheet in case_files:
        top = next(i for i, r in enumerate(rows) if any(_norm(c) in labels for c in r if c))
        col = next(j for j, c in enumerate(rows[top]) if c and _norm(c) in labels)
        n_refs += sum(1 for r in rows[top + 1 :] if col < len(r) and r[col] not in (None, ""))
    notes = sum(d["rule"] == "missing_case_ref" for d in manifest["defects"])
    assert n_refs == 2783 + manifest["n_defect_rows"] - notes
    roster = (
        _rows(raw_dir / "roster.xlsx", "名簿", None)
        if "名簿" in openpyxl.load_workbook(raw_dir / "roster.xlsx").sheetnames
        else _rows(raw_dir / "roster.xlsx", None, None)
    )
    assert sum(1 for r in roster if r and r[0] is not None) >= 48


def test_every_defect_kind_is_written_where_the_manifest_says(raw, case_files):
    _, manifest = raw
    cfg = load_synthetic_config()
    kinds = {d["kind"] for d in manifest["defects"]}
    assert kinds == {k for k, n in cfg["defects"].items() if n} == set(KINDS)
    assert manifest["n_defect_rows"] >= 20 and manifest["n_valid_rows"] == 2783
    by_file = {f"cases/{path.name}": rows for path, _enc, rows, _m, _s in case_files}
    for d in manifest["defects"]:
        row = by_file[d["file"]][d["row"] - 1]
        if d["rule"] == "missing_case_ref":
            assert any(str(c).startswith("※") for c in row if c)
        elif d["value"] is not None and not isinstance(d["value"], int):
            cell_texts = {c.isoformat() if hasattr(c, "isoformat") else str(c) for c in row}
            assert str(d["value"]) in cell_texts
    bad = {d["value"] for d in manifest["defects"]}
    assert {"令和2年2月30日", "△"} <= bad


def test_messiness_within_format(case_files):
    encodings, merged, not_first, era, full, units = set(), 0, 0, 0, 0, 0
    for _path, enc, rows, ranges, sheet_index in case_files:
        encodings.add(enc)
        merged += any(r.min_row == r.max_row and r.max_col > r.min_col for r in ranges)
        not_first += sheet_index > 0
        text = " ".join(str(c) for r in rows for c in r if c is not None)
        era += bool(ERA.search(text))
        full += bool(re.search(r"[０-９]", text))
        units += bool(re.search(r"\d(歳|才|回|度)", text))
    assert {"cp932", "utf-8-sig", None} <= encodings
    assert merged >= 1 and not_first >= 1 and era >= 10 and full >= 10 and units >= 10


def test_truth_json_beside_raw_files(raw):
    raw_dir, _ = raw
    truth = json.loads((raw_dir / "truth.json").read_text(encoding="utf-8"))
    assert "coordination[general]" in truth["hazard_ratios"]["transition"]
    assert truth["calibration"]["sizes"]["n_cases"] == 2783
    assert truth["seed"] == load_synthetic_config()["seed"]


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_writes_identical_bytes(root, tmp_path):
    _write(root, tmp_path / "a", scale=0.1)
    _write(root, tmp_path / "b", scale=0.1)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


@pytest.mark.slow
def test_large_scale_is_fast(root, tmp_path):
    import time

    start = time.perf_counter()
    manifest = _write(root, tmp_path / "big", scale=10)
    assert time.perf_counter() - start < 20
    assert manifest["n_valid_rows"] == 2783 * 10
    assert all(p.suffix == ".csv" for p in (tmp_path / "big" / "cases").iterdir())


def test_files_read_back_reproduce_published_figures_and_defects(raw, root):
    """Round trip through ingestion: every published figure from the re-read files, and
    exactly the manifest's rows rejected with the manifest's rules."""
    from teichaku.ingest.survey import ingest_survey
    from teichaku.published import compare_published, compute_published, compute_valid_n

    raw_dir, manifest = raw
    result = ingest_survey(raw_dir, load_codebook(), b"test-key-synthetic")
    tables = [result.tables[t].clean for t in ("roster", "cases", "awareness")]
    published = load_published(root / "config" / "published-2021.yaml")
    comparisons = compare_published(compute_published(*tables), published, compute_valid_n(*tables))
    assert [c.key for c in comparisons if not c.ok] == []
    rejected = result.rejected()
    got = set(zip(rejected["file"], rejected["row"], rejected["rule"], strict=True))
    expected = {
        (d["file"], d["row"], d["rule"])
        for d in manifest["defects"]
        if d["rule"] != "exact_duplicate"
    }
    assert got == expected
    assert result.tables["cases"].rows_duplicate == manifest["n_duplicate_rows"]

    # every clean value read back equals the generator's clean table
    from teichaku.pseudonym import case_id

    survey = generate_survey(load_synthetic_config(), published, load_codebook())
    mine = (
        survey.cases.assign(
            case_id=[
                case_id(b"test-key-synthetic", c, r)
                for c, r in zip(survey.cases["center_id"], survey.cases["case_ref"], strict=True)
            ]
        )
        .drop(columns="case_ref")
        .set_index("case_id")
        .sort_index()
    )
    back = result.tables["cases"].clean.set_index("case_id").sort_index()[mine.columns]
    pd.testing.assert_frame_equal(back, mine, check_dtype=False, check_categorical=False)
    for table in ("roster", "awareness"):
        pd.testing.assert_frame_equal(
            result.tables[table].clean[getattr(survey, table).columns],
            getattr(survey, table),
            check_dtype=False,
            check_categorical=False,
        )
