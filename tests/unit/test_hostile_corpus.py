"""The hostile-file corpus (tests/data/hostile): every file gives what manifest.json says,
and no row is lost: the data rows in each file, counted here without the ingest parser
(pandas' C reader for CSV, the sheet's XML parsed whole for xlsx), equal the rows read,
which equal valid + rejected + duplicates. Nothing but an IngestError naming its file rule
may come out of a file the run cannot read."""

from __future__ import annotations

import importlib.util
import json
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pytest

from teichaku.codebook import load_codebook
from teichaku.ingest.errors import IngestError
from teichaku.ingest.rules import RULES
from teichaku.ingest.survey import ingest_survey
from teichaku.ingest.values import squeeze

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "data" / "hostile"
BASE = ROOT / "tests" / "data" / "ingest"
MANIFEST = json.loads((HOSTILE / "manifest.json").read_text(encoding="utf-8"))["cases"]
CB = load_codebook()
KEY = b"hostile-key"
KEY_LABELS = {"cases": "対象者番号", "roster": "センター番号", "awareness": "センター番号"}


def _make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", HOSTILE / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    _make_corpus().write(folder)
    return folder


def raw_folder(tmp_path: Path, corpus: Path, entry: dict) -> Path:
    raw = tmp_path / "raw"
    (raw / "cases").mkdir(parents=True)
    shutil.copy(BASE / "roster.csv", raw)
    shutil.copy(BASE / "awareness.csv", raw)
    for name in [entry["file"], *entry.get("also", [])]:
        source = corpus / name
        if name.startswith("roster/") and "cases_of" not in name:
            (raw / "roster.csv").unlink()
            shutil.copy(source, raw / "roster.csv")
        else:
            shutil.copy(source, raw / "cases" / source.name)
    return raw


def _data_rows(cells: list[list[str]], table: str) -> int:
    """Rows below the header (the first row holding the key label) with any content."""
    label = KEY_LABELS[table]
    header = next(i for i, row in enumerate(cells) if any(squeeze(c) == label for c in row))
    return sum(any(c.strip() for c in row) for row in cells[header + 1 :])


def count_csv(path: Path, table: str) -> int:
    data = path.read_bytes()
    encoding = "utf-8-sig"
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "cp932"
    width = 1 + max(line.count(b",") for line in data.splitlines())  # an upper bound
    frame = pd.read_csv(
        path,
        header=None,
        names=range(width),
        dtype=str,
        encoding=encoding,
        keep_default_na=False,
        engine="c",
    )
    return _data_rows(frame.to_numpy().tolist(), table)


def count_xlsx(path: Path, table: str, sheet: str | None) -> int:
    """The sheet's XML parsed whole: a row counts when a cell holds a value, an inline
    string or a formula (with or without its cached value)."""
    with zipfile.ZipFile(path) as archive:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        sheets = [e for e in book.iter() if e.tag.endswith("}sheet")]
        names = [e.get("name") for e in sheets]
        number = names.index(sheet) + 1 if sheet else 1
        root = ET.fromstring(archive.read(f"xl/worksheets/sheet{number}.xml"))
        strings = []
        if "xl/sharedStrings.xml" in archive.namelist():
            sst = ET.fromstring(archive.read("xl/sharedStrings.xml"))
            strings = [
                "".join(t.text or "" for t in si.iter() if t.tag.endswith("}t")) for si in sst
            ]
    cells: list[list[str]] = []
    for row in (e for e in root.iter() if e.tag.endswith("}row")):
        line = []
        for c in row:
            texts = [t.text or "" for t in c.iter() if t.tag.endswith(("}v", "}t", "}f"))]
            text = "".join(texts) or ("=" if any(t.tag.endswith("}f") for t in c) else "")
            line.append(strings[int(text)] if c.get("t") == "s" else text)
        cells.append(line)
    return _data_rows(cells, table)


def counted_rows(path: Path, table: str, sheet: str | None) -> int:
    if path.suffix == ".csv":
        return count_csv(path, table)
    return count_xlsx(path, table, sheet)


def table_file(raw: Path, entry: dict, table: str) -> Path:
    if table == "roster":
        return raw / "roster.csv"
    if table == "awareness":
        return raw / "awareness.csv"
    return next(p for p in (raw / "cases").iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_hostile_file(tmp_path, corpus, entry):
    raw = raw_folder(tmp_path, corpus, entry)
    if "error" in entry:
        with pytest.raises(IngestError) as err:
            ingest_survey(raw, CB, KEY)
        message = str(err.value)
        assert err.value.rule == entry["error"], message
        assert RULES[entry["error"]].severity == "file"
        assert Path(entry["file"]).name in message
        assert entry["detail"] in message
        assert RULES[entry["error"]].message_ja in message
        return
    result = ingest_survey(raw, CB, KEY)
    for table in ("roster", "awareness", "cases"):
        expected = entry.get(table)
        if expected is None:
            continue
        got = result.tables[table]
        sheet = expected.get("sheet")
        in_file = counted_rows(table_file(raw, entry, table), table, sheet)
        assert in_file == got.rows_read == expected["rows_read"], table
        assert got.rows_read == got.rows_valid + got.rows_rejected + got.rows_duplicate
        assert got.rows_valid == expected["rows_valid"], got.rejected[["row", "column", "rule"]]
        assert got.rows_duplicate == expected.get("rows_duplicate", 0)
        rejected = got.rejected.drop_duplicates(["file", "sheet", "row"])
        assert rejected["rule"].value_counts().to_dict() == expected["rejected"]
        if "rejected_columns" in expected:
            assert sorted(set(got.rejected["column"])) == sorted(expected["rejected_columns"])
        for row in got.rejected.itertuples():
            # the rule's message, then what was expected (teichaku.ingest.messages)
            assert row.message_ja.startswith(RULES[row.rule].message_ja)
            assert row.message_en.startswith(RULES[row.rule].message_en)
            if row.column == "対象者番号" and row.value:
                assert row.value == "<masked>"
        sheets = got.sheets if table == "cases" else got.sheets[:1]
        if sheet:
            assert [s.sheet for s in sheets] == [sheet]
        notices = sorted(n["rule"] for s in sheets for n in s.notices)
        assert notices == sorted(expected.get("notices", []))
        if "extra_columns" in expected:
            assert sheets[0].extra_columns == expected["extra_columns"]
        for column, values in expected.get("values", {}).items():
            clean = got.clean[column]
            if str(clean.dtype).startswith("datetime"):
                clean = clean.dt.strftime("%Y-%m-%d")
            assert sorted(clean.astype(object).tolist()) == values, column


@pytest.mark.slow
def test_every_case_of_the_corpus_has_its_expectation(corpus):
    names = {p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()}
    listed = {e["file"] for e in MANIFEST} | {n for e in MANIFEST for n in e.get("also", [])}
    assert names == listed
