"""results/ is safe to publish on a survey of any size, whatever the pseudonym key.

Small rounds as a new user would run them (tests/integration/small_rounds.py): three
centers' files with 27 cases, named the way offices name files (a case number and a personal
name, HTML, a line break) and a model label holding HTML; a battery of such rounds drawn
with other seeds (about 20, 60 and 150 cases over 3, 5 and 12 centers) and a tiny one (9
cases over 2 centers: no model can be fitted); the synthetic survey at scale 0.05 (139
cases over 46 centers); the shared small run (scale 0.2, 557 cases); and the repository's
own default run (2,783 cases) where `make` has produced it (CI does, before `make test`).
On every one of them the intruder audit of every table finds no recoverable suppressed
cell, and the scanner (results_scanner.py), reading every file of results/ as an intruder
would, finds no sensitive count and no number derived from one.

Each round is run once per session (fixtures in conftest.py) and shared by these tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from teichaku.analysis.dataset import prolonged_column
from teichaku.analysis.specs import load_analysis_spec
from teichaku.codebook import load_codebook
from teichaku.disclosure import audit
from teichaku.published import ITEMS
from teichaku.report import tables as tb
from teichaku.report.groups import item_label
from teichaku.report.labels import load_labels
from teichaku.report.protection import (
    model_protection,
    prolonged_outcome,
    protection_crosstabs,
    read_protection,
    report_cells,
)

from .conftest import DEFAULT_RUN as paths  # the rounds here are runs of the default config
from .conftest import ROOT, run_snakemake
from .crosstabs import add_crosstabs
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


@pytest.fixture(scope="session")
def round_27(tmp_path_factory):
    """The 27-case round over 3 centers, run twice: with two different keys."""
    base = tmp_path_factory.mktemp("round_27")
    first, second = base / "first", base / "second"
    info = write_files_round(first, n_cases=27, n_centers=3)
    shutil.copytree(first, second)
    run(first, SALTS[0])
    run(second, SALTS[1])
    return {"info": info, "dirs": (first, second)}


@pytest.fixture(scope="session")
def scale_005(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("scale_005")
    write_synthetic_round(workdir, 0.05)
    run(workdir)
    return workdir


def _files_round(tmp_path_factory, name: str, n_cases: int, n_centers: int, seed: int):
    workdir = tmp_path_factory.mktemp(name)
    info = write_files_round(workdir, n_cases=n_cases, n_centers=n_centers, seed=seed)
    run(workdir)
    return {"info": info, "dirs": (workdir,), "wanted": n_cases}


@pytest.fixture(scope="session")
def round_9(tmp_path_factory):
    """9 cases over 2 centers: too few to fit any model, the primary one included."""
    return _files_round(tmp_path_factory, "round_9", 9, 2, 20211021)


#: The battery of files rounds: (cases, centers, seed of the synthetic survey cut from).
BATTERY = {"battery_20": (20, 3, 1), "battery_60": (60, 5, 2), "battery_150": (150, 12, 3)}


def _battery_round(name: str):
    @pytest.fixture(scope="session", name=name)
    def fixture(tmp_path_factory):
        return _files_round(tmp_path_factory, name, *BATTERY[name])

    return fixture


battery_20, battery_60, battery_150 = (_battery_round(name) for name in BATTERY)


@pytest.fixture(scope="session")
def default_run():
    """The repository's own default run (``make``), where its outputs exist; CI runs
    ``make`` before ``make test``, so there it must."""
    if not (ROOT / paths.NUMBERS).is_file() or not (ROOT / paths.PROTECTION).is_file():
        if os.environ.get("CI"):
            raise AssertionError("CI runs `make` before `make test`: no default run found")
        pytest.skip("the default run's outputs are not there (run `make` first)")
    return ROOT


@pytest.fixture(scope="session")
def round_27_crosstabs(round_27, tmp_path_factory):
    """The 27-case round (first key) with cross-tabulations added to its report (their
    counts protected together with those of tables 1-3), rerun."""
    workdir = tmp_path_factory.mktemp("round_27_crosstabs")
    shutil.copytree(round_27["dirs"][0], workdir, symlinks=True, dirs_exist_ok=True)
    add_crosstabs(workdir)
    run(workdir, SALTS[0])
    return workdir


ROUNDS = [
    "round_27",
    "round_27_crosstabs",
    "round_9",
    *BATTERY,
    "scale_005",
    "small_run",
    "default_run",
]


def _workdir(which: str, request) -> Path:
    found = request.getfixturevalue(which)
    return found["dirs"][0] if isinstance(found, dict) else found


def _min_cell(workdir) -> int:
    import yaml

    config = workdir / "config.yaml"
    if not config.is_file():  # the repository's run
        config = ROOT / "config" / "config.yaml"
    return int(yaml.safe_load(config.read_text("utf-8"))["privacy"]["min_cell"])


def test_the_27_case_round_is_what_the_issue_describes(round_27):
    workdir = round_27["dirs"][0]
    cases = pd.read_parquet(workdir / paths.PROCESSED["cases"])
    assert len(cases) == round_27["info"]["n_cases"] == 27
    assert cases["center_id"].nunique() == 3


@pytest.mark.parametrize("which", list(BATTERY))
def test_the_battery_rounds_are_the_sizes_asked_for(which, request):
    battery = request.getfixturevalue(which)
    cases = pd.read_parquet(battery["dirs"][0] / paths.PROCESSED["cases"])
    wanted = battery["wanted"]
    assert len(cases) == battery["info"]["n_cases"]
    assert abs(len(cases) - wanted) <= wanted // 5  # the closest sum of whole centers
    assert cases["center_id"].nunique() == len(battery["info"]["centers"])


@pytest.mark.parametrize("which", ROUNDS)
def test_the_scanner_finds_nothing_sensitive(which, request):
    workdir = _workdir(which, request)
    findings = scan(workdir, _min_cell(workdir), _count_words())
    assert findings == []


def test_the_scanner_finds_what_an_intruder_would(round_27, tmp_path):
    """The scanner can fail: on a copy of the 27-case round's folder with leaks planted the
    way the code before issue 11 published them, it reports every one."""
    workdir = tmp_path / "leaky"
    shutil.copytree(round_27["dirs"][0], workdir, symlinks=True)
    cases = pd.read_parquet(workdir / paths.PROCESSED["cases"])
    men = int((cases["sex"].astype(str) == "male").sum())
    numbers_path = workdir / paths.NUMBERS
    numbers = json.loads(numbers_path.read_text("utf-8"))
    share = float(f"{100 * men / len(cases):.8g}")  # 24 of 27: 3 women
    assert 0 < len(cases) - men < 5
    numbers["published"]["basic_attributes"]["pct_male"] = share
    numbers_path.write_text(json.dumps(numbers), encoding="utf-8")
    validation_path = workdir / paths.VALIDATION_JSON
    validation = json.loads(validation_path.read_text("utf-8"))
    validation["tables"]["cases"]["warnings"]["death_not_deceased"] = 2
    validation_path.write_text(json.dumps(validation), encoding="utf-8")
    curves = pd.read_parquet(workdir / paths.CURVES)
    tail = curves.iloc[[-1]].assign(n_at_risk=2, time=curves["time"].max() + 1)
    pd.concat([curves, tail]).to_parquet(workdir / paths.CURVES, index=False)
    findings = scan(workdir, _min_cell(workdir), _count_words())
    assert any(f.startswith("numbers.json") and "pct_male" in f for f in findings)
    assert any("warning death_not_deceased = 2" in f for f in findings)
    assert any(f.startswith("models/curves.parquet") and "at risk" in f for f in findings)


@pytest.mark.parametrize("which", ROUNDS)
def test_the_intruder_audit_of_every_table_recovers_nothing(which, request, default_config):
    """Tables 1-3 (the cells recomputed from the round's data, what the run's protection
    file publishes of them audited afresh, and the written tables 2 and 3 printing exactly
    that) and tables 4, 4b, 4c (the model counts of coefficients.csv)."""
    workdir = _workdir(which, request)
    min_cell = _min_cell(workdir)
    codebook = load_codebook(ROOT / default_config["codebook"])
    spec = load_analysis_spec(
        workdir / "models.yaml"
        if (workdir / "models.yaml").is_file()
        else ROOT / default_config["analysis"]["models"],
        list(default_config["analysis"]["thresholds"]),
        codebook,
    )
    cases = pd.read_parquet(workdir / paths.PROCESSED["cases"])
    analysis = pd.read_parquet(workdir / paths.ANALYSIS_DATASET)
    text = (workdir / paths.PROTECTION).read_text("utf-8")
    table = report_cells(cases, analysis, spec, codebook, protection_crosstabs(text))
    written = read_protection(text, table)
    findings = audit(table, written.published(), min_cell)
    assert [f for f in findings if not f.ok] == []
    assert any(f.kind == "sensitive" for f in findings) or which == "default_run"
    models = model_protection(pd.read_csv(workdir / paths.COEFFICIENTS), min_cell)
    assert [f for f in audit(models.table, models.published(), min_cell) if not f.ok] == []

    labels = load_labels(default_config["report"]["languages"][0], LABELS, codebook, 0.95)
    t = labels.text
    prolonged = prolonged_outcome(spec)
    threshold = next(
        k for k in default_config["analysis"]["thresholds"] if prolonged_column(k) == prolonged
    )
    cohorts = [label for label, _ in tb.cohort_groups(cases, labels)]
    by_status = [label for label, _ in tb.prolonged_groups(analysis, prolonged, threshold, labels)]
    checked = 0
    for name, marks, heads, keys in (
        ("table2_support_by_cohort", ("act", "guar", "link"), cohorts, []),
        ("table3_barriers", ("barrier",), cohorts + by_status, tb.prolonged_group_keys(prolonged)),
    ):
        keys = tb.cohort_group_keys(labels) + keys
        frame = pd.read_csv(
            workdir / paths.TABLES_DIR / f"{name}.csv", dtype=str, keep_default_na=False
        )
        rows = frame.set_index(t("item"))
        for group in marks:
            for var in labels.group_items("cases", group):
                row = rows.loc["　" + var.label(labels.language)]
                for head, key in zip(heads, keys, strict=True):
                    if not table.value(("valid", var.name, key)):
                        continue
                    for cell, what in (
                        (("count", var.name, "yes", key), "count"),
                        (("valid", var.name, key), "valid_n"),
                    ):
                        assert row[f"{head} {t(what)}"] == written.count(cell), (name, cell)
                        checked += 1
    assert checked > 0


@pytest.mark.parametrize("which", ROUNDS)
def test_numbers_json_hides_what_table_1_hides(which, request):
    """The overall column of table 1 and numbers.json (so the summary text) agree cell by
    cell: a figure suppressed in the table, primary or secondary, is the marker in both."""
    workdir = _workdir(which, request)
    marker = f"<{_min_cell(workdir)}"
    numbers = json.loads((workdir / paths.NUMBERS).read_text("utf-8"))
    frame = pd.read_csv(
        workdir / paths.TABLES_DIR / "table1_basic_attributes.csv", dtype=str, keep_default_na=False
    )
    labels = next(
        lab for lang in ("ja", "en") if (lab := load_labels(lang, LABELS)).text("item") in frame
    )
    rows = frame.set_index(labels.text("item"))
    compared = 0
    for item in ITEMS:
        if item.table != "cases" or item.kind not in ("pct", "mean", "rows"):
            continue
        printed = rows.loc[item_label(item, labels), labels.text("computed")]
        value = numbers["published"][item.section][item.key]
        assert (printed == marker) == (value == marker), item.key
        compared += 1
    assert compared >= 10


def _digests(results):
    return {
        p.relative_to(results).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(results.rglob("*"))
        if p.is_file()
    }


def test_results_do_not_depend_on_the_pseudonym_key(round_27):
    first, second = round_27["dirs"]
    ids = [set(pd.read_parquet(d / paths.PROCESSED["cases"])["case_id"]) for d in (first, second)]
    assert not ids[0] & ids[1]  # the keys differ, so do all pseudonyms
    a, b = _digests(first / paths.RESULTS_DIR), _digests(second / paths.RESULTS_DIR)
    assert len(a) > 40
    assert a == b


def test_no_model_prints_an_estimate_it_cannot_support(round_27):
    workdir = round_27["dirs"][0]
    tables = workdir / paths.TABLES_DIR
    for path in sorted([*tables.glob("table4*.csv"), *tables.glob("tableA*.csv")]):
        assert "0.00 (0.00–0.00)" not in path.read_text("utf-8"), path.name
    numbers = json.loads((workdir / paths.NUMBERS).read_text("utf-8"))
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
    summary = (workdir / paths.fill(paths.SUMMARY, ext="md")).read_text("utf-8")
    for model in not_reported:
        assert model["reason_ja"] in summary  # the summary says what was not estimated


def test_a_round_too_small_for_any_model_says_so_instead_of_failing(round_9):
    """No model, the primary one included, can be fitted on 9 cases: the run completes and
    the summary, the tables, the forest figure and numbers.json say which models are not
    reported and why, in Japanese (the report) and English (numbers.json, fits)."""
    workdir = round_9["dirs"][0]
    coefficients = pd.read_csv(workdir / paths.COEFFICIENTS)
    assert coefficients.empty  # nothing could be fitted
    numbers = json.loads((workdir / paths.NUMBERS).read_text("utf-8"))
    primary = numbers["primary"]
    assert primary["reported"] == "not_reported"
    assert primary["reason_ja"] and primary["reason_en"].startswith("could not be estimated")
    summary = (workdir / paths.fill(paths.SUMMARY, ext="md")).read_text("utf-8")
    assert f"の結果は報告しない: {primary['reason_ja']}" in summary
    for model in numbers["models"].values():
        assert model["reported"] == "not_reported"
        assert f"{model['label_ja']}: {model['reason_ja']}".replace("<", "&lt;") in summary
    main, other = (
        (workdir / paths.TABLES_DIR / f"{name}.csv").read_text("utf-8")
        for name in ("table4_models", "tableA1_models")
    )
    assert main.count(primary["reason_ja"]) == 1  # the main text: the primary model
    assert other.count(primary["reason_ja"]) == len(numbers["models"]) - 1
    fit = (workdir / paths.fill(paths.FIT, model=primary["model"])).read_text("utf-8")
    assert f"No estimates reported: {primary['reason_en']}" in fit
    assert (workdir / paths.FIGURES_DIR / "fig6_forest.png").is_file()


def test_file_names_and_labels_cannot_open_an_html_tag(round_27):
    workdir = round_27["dirs"][0]
    summary = workdir / paths.SUMMARY_DIR
    html = (summary / "summary.ja.html").read_text("utf-8")
    markdown = (summary / "summary.ja.md").read_text("utf-8")
    escaped = HOSTILE_LABEL.replace("<", "&lt;")
    assert escaped in markdown and HOSTILE_LABEL not in markdown
    assert HOSTILE_LABEL.replace("<", "&lt;").replace(">", "&gt;") in html
    assert "<img src=x" not in html and not MARKUP.search(html)
    table = (workdir / paths.TABLES_DIR / "table4_models.md").read_text("utf-8")
    assert escaped in table and HOSTILE_LABEL not in table
    for name in round_27["info"]["file_names"]:
        for text in (html, markdown):
            assert name not in text and name.split(".")[0] not in text


def test_the_file_name_mapping_stays_under_data(round_27):
    workdir = round_27["dirs"][0]
    mapping = pd.read_csv(workdir / paths.FILE_LABELS)
    names = {n.removeprefix("cases/") for n in mapping["file"]}
    assert set(round_27["info"]["file_names"]) <= names
    summary = json.loads((workdir / paths.VALIDATION_JSON).read_text("utf-8"))
    published = {f["file"] for f in summary["tables"]["cases"]["files"]}
    assert published == set(mapping.loc[mapping["file"].str.startswith("cases/"), "label"])


def test_a_bad_key_stops_the_run_with_a_message_not_a_traceback(tmp_path):
    workdir = tmp_path / "bad_key"
    write_files_round(workdir, n_cases=12, n_centers=2)
    key = workdir / "data" / ".pseudonym_key"
    key.write_bytes(b"")  # what a first run that hit a full disk used to leave
    key.chmod(0o600)
    proc = run_snakemake(workdir, paths.VALIDATION_JSON, check=False)
    assert proc.returncode != 0
    log = (workdir / paths.log("ingest")).read_text("utf-8")
    assert "pseudonym key" in log and "at least 16 bytes" in log
    assert "Traceback" not in log
    assert key.read_bytes() == b""  # left for the user to decide


@pytest.mark.parametrize("which", ["round_27", "scale_005", "small_run"])
def test_predicted_incidence_stops_where_fewer_than_min_cell_are_followed(which, request):
    found = request.getfixturevalue(which)
    workdir = found["dirs"][0] if which == "round_27" else found
    min_cell = _min_cell(workdir)
    predicted = pd.read_parquet(workdir / paths.CIF_PREDICTED)
    followup = pd.read_parquet(workdir / paths.ANALYSIS_DATASET)["followup_months"]
    followed = followup.dropna().sort_values(ascending=False)
    if len(followed) < min_cell:
        assert predicted.empty
    else:
        # no predicted point beyond the min_cell-th longest follow-up of the whole sample
        # (a model's complete-case sample is a subset, so its horizon is no later)
        assert predicted.empty or predicted["time"].max() <= followed.iloc[min_cell - 1]
