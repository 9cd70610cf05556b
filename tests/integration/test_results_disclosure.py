"""results/ is safe to publish on a survey of any size, whatever the pseudonym key.

Small rounds as a new user would run them (tests/integration/small_rounds.py): three
centers' files with 27 cases, named the way offices name files (a case number and a personal
name, HTML, a line break) and a model label holding HTML; the synthetic survey at scale 0.05
(139 cases over 46 centers); and the shared small run (scale 0.2). The scanner
(results_scanner.py) reads every file of their results/ as an intruder would.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from teichaku import paths
from teichaku.report.labels import load_labels

from .conftest import ROOT, run_paths, run_snakemake
from .results_scanner import _MARKUP as MARKUP
from .results_scanner import scan
from .small_rounds import HOSTILE_LABEL, run, write_files_round, write_synthetic_round

pytestmark = pytest.mark.slow

LABELS = ROOT / "workflow" / "report" / "labels.yaml"
SALTS = ("first-secret-key-0123456789abcdef", "another-secret-key-fedcba9876543210")


def _count_words():
    return {
        load_labels(lang, LABELS).text(key)
        for lang in ("ja", "en")
        for key in ("count", "valid_n", "n_model", "n_events")
    }


@pytest.fixture(scope="module")
def round_27(tmp_path_factory):
    """The 27-case round over 3 centers, run twice: with two different keys."""
    base = tmp_path_factory.mktemp("round_27")
    first, second = base / "first", base / "second"
    info = write_files_round(first, n_cases=27, n_centers=3)
    shutil.copytree(first, second)
    run(first, SALTS[0])
    run(second, SALTS[1])
    return {"info": info, "dirs": (first, second)}


@pytest.fixture(scope="module")
def scale_005(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("scale_005")
    write_synthetic_round(workdir, 0.05)
    run(workdir)
    return workdir


def _min_cell(workdir) -> int:
    import yaml

    return int(yaml.safe_load((workdir / "config.yaml").read_text("utf-8"))["privacy"]["min_cell"])


def test_the_27_case_round_is_what_the_issue_describes(round_27):
    workdir = round_27["dirs"][0]
    cases = pd.read_parquet(workdir / run_paths(workdir).PROCESSED["cases"])
    assert len(cases) == round_27["info"]["n_cases"] == 27
    assert cases["center_id"].nunique() == 3


@pytest.mark.parametrize("which", ["round_27", "scale_005", "small_run"])
def test_the_scanner_finds_nothing_sensitive(which, request):
    found = request.getfixturevalue(which)
    workdir = found["dirs"][0] if which == "round_27" else found
    findings = scan(workdir, _min_cell(workdir), _count_words())
    assert findings == []


def _digests(results):
    return {
        p.relative_to(results).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(results.rglob("*"))
        if p.is_file()
    }


def test_results_do_not_depend_on_the_pseudonym_key(round_27):
    first, second = round_27["dirs"]
    ids = [
        set(pd.read_parquet(d / run_paths(d).PROCESSED["cases"])["case_id"])
        for d in (first, second)
    ]
    assert not ids[0] & ids[1]  # the keys differ, so do all pseudonyms
    a, b = (
        _digests(first / run_paths(first).RESULTS_DIR),
        _digests(second / run_paths(second).RESULTS_DIR),
    )
    assert len(a) > 40
    assert a == b


def test_no_model_prints_an_estimate_it_cannot_support(round_27):
    workdir = round_27["dirs"][0]
    tables = workdir / run_paths(workdir).TABLES_DIR
    for path in sorted(tables.glob("table4*.csv")):
        assert "0.00 (0.00–0.00)" not in path.read_text("utf-8"), path.name
    numbers = json.loads((workdir / run_paths(workdir).NUMBERS).read_text("utf-8"))
    for name, model in numbers["models"].items():
        events = model["n_events"]
        if isinstance(events, str):  # suppressed: too few events to report anything
            assert model["reported"] == "not_reported", name
            assert all(t["estimate"] is None for t in model["terms"].values()), name
        if model["reported"] != "reported":
            assert model["reason_ja"] and model["reason_en"], name
            assert "separation" not in model["reason_en"]
    not_reported = [m for m in numbers["models"].values() if m["reported"] == "not_reported"]
    assert not_reported
    summary = (workdir / paths.fill(run_paths(workdir).SUMMARY, ext="md")).read_text("utf-8")
    for model in not_reported:
        assert model["reason_ja"] in summary  # the summary says what was not estimated


def test_file_names_and_labels_cannot_open_an_html_tag(round_27):
    workdir = round_27["dirs"][0]
    summary = workdir / run_paths(workdir).SUMMARY
    html = Path(paths.fill(str(summary), ext="html")).read_text("utf-8")
    markdown = Path(paths.fill(str(summary), ext="md")).read_text("utf-8")
    escaped = HOSTILE_LABEL.replace("<", "&lt;")
    assert escaped in markdown and HOSTILE_LABEL not in markdown
    assert HOSTILE_LABEL.replace("<", "&lt;").replace(">", "&gt;") in html
    assert "<img src=x" not in html and not MARKUP.search(html)
    table = (workdir / run_paths(workdir).TABLES_DIR / "table4_models.md").read_text("utf-8")
    assert escaped in table and HOSTILE_LABEL not in table
    for name in round_27["info"]["file_names"]:
        for text in (html, markdown):
            assert name not in text and name.split(".")[0] not in text


def test_the_file_name_mapping_stays_under_data(round_27):
    workdir = round_27["dirs"][0]
    mapping = pd.read_csv(workdir / run_paths(workdir).FILE_LABELS)
    names = {n.removeprefix("cases/") for n in mapping["file"]}
    assert set(round_27["info"]["file_names"]) <= names
    summary = json.loads((workdir / run_paths(workdir).VALIDATION_JSON).read_text("utf-8"))
    published = {f["file"] for f in summary["tables"]["cases"]["files"]}
    assert published == set(mapping.loc[mapping["file"].str.startswith("cases/"), "label"])


def test_a_bad_key_stops_the_run_with_a_message_not_a_traceback(tmp_path):
    workdir = tmp_path / "bad_key"
    write_files_round(workdir, n_cases=12, n_centers=2)
    key = workdir / "data" / ".pseudonym_key"
    key.write_bytes(b"")  # what a first run that hit a full disk used to leave
    key.chmod(0o600)
    proc = run_snakemake(workdir, run_paths(workdir).VALIDATION_JSON, check=False)
    assert proc.returncode != 0
    log = (workdir / run_paths(workdir).log("ingest")).read_text("utf-8")
    assert "pseudonym key" in log and "at least 16 bytes" in log
    assert "Traceback" not in log
    assert key.read_bytes() == b""  # left for the user to decide


@pytest.mark.parametrize("which", ["round_27", "scale_005", "small_run"])
def test_predicted_incidence_stops_where_fewer_than_min_cell_are_followed(which, request):
    found = request.getfixturevalue(which)
    workdir = found["dirs"][0] if which == "round_27" else found
    min_cell = _min_cell(workdir)
    predicted = pd.read_parquet(workdir / run_paths(workdir).CIF_PREDICTED)
    followup = pd.read_parquet(workdir / run_paths(workdir).ANALYSIS_DATASET)["followup_months"]
    followed = followup.dropna().sort_values(ascending=False)
    if len(followed) < min_cell:
        assert predicted.empty
    else:
        # no predicted point beyond the min_cell-th longest follow-up of the whole sample
        # (a model's complete-case sample is a subset, so its horizon is no later)
        assert predicted.empty or predicted["time"].max() <= followed.iloc[min_cell - 1]
