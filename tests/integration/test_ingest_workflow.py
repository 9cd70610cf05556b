"""Ingestion end to end: the rules on a tiny raw folder in another directory
(``snakemake --directory OTHER``, ``input.source: files``), and the calibration test on the
default synthetic survey: every injected defect rejected with its rule, 2,783 valid cases
from 46 centers, and the published figures recomputed from the ingested tables."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from teichaku.codebook import load_codebook
from teichaku.ingest.survey import ingest_survey
from teichaku.published import compare_published, compute_published, load_published

from .conftest import DEFAULT_RUN, ROOT, run_snakemake, write_small_config

RUN = DEFAULT_RUN  # the small run is a copy of the default run

DATA = ROOT / "tests" / "data" / "ingest"
OUTPUTS = [
    *RUN.PROCESSED.values(),
    RUN.REJECTED_ROWS,
    RUN.VALIDATION_JSON,
    RUN.VALIDATION_CSV,
]


def files_workdir(tmp_path: Path, cases: list[str], max_share: float) -> Path:
    """OTHER: its own config (source: files) and raw folder built from tests/data."""
    workdir = tmp_path / "other"
    write_small_config(workdir)
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    config["input"]["source"] = "files"
    config["input"]["raw_dir"] = "raw"
    config["validation"]["max_rejected_share"] = max_share
    (workdir / "config.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True), encoding="utf-8"
    )
    (workdir / "raw" / "cases").mkdir(parents=True)
    for name in ("roster.csv", "awareness.csv"):
        shutil.copy(DATA / name, workdir / "raw")
    for name in cases:
        shutil.copy(DATA / "cases" / name, workdir / "raw" / "cases")
    return workdir


def test_rules_run_on_files_in_another_folder(tmp_path):
    workdir = files_workdir(tmp_path, ["valid.csv", "acc_spellings.csv", "dup_exact.csv"], 0.05)
    before = sorted(p.relative_to(workdir) for p in (workdir / "raw").rglob("*"))
    run_snakemake(workdir, RUN.ACCEPTED)
    for path in OUTPUTS:
        assert (workdir / path).is_file(), path
    assert sorted(p.relative_to(workdir) for p in (workdir / "raw").rglob("*")) == before
    summary = json.loads((workdir / RUN.VALIDATION_JSON).read_text("utf-8"))
    cases = summary["tables"]["cases"]
    assert (
        cases["rows_read"],
        cases["rows_valid"],
        cases["rows_rejected"],
        cases["rows_duplicate"],
    ) == (10, 7, 0, 3)  # dup_exact.csv repeats valid.csv's C01/A001 twice more
    assert (workdir / "data/.pseudonym_key").stat().st_mode & 0o777 == 0o600
    clean = pd.read_parquet(workdir / RUN.PROCESSED["cases"])
    assert len(clean) == 7 and "case_ref" not in clean.columns
    assert str(clean["age"].dtype) == "Int64" and str(clean["cohort"].dtype) == "category"
    # the report is publishable: no case reference, no raw value
    text = (workdir / RUN.VALIDATION_JSON).read_text("utf-8")
    text += (workdir / RUN.VALIDATION_CSV).read_text("utf-8")
    for ref in ("A001", "X-1", "Ｘ－１", "M-1"):
        assert ref not in text


def test_too_many_rejected_rows_stop_after_the_report_is_written(tmp_path):
    workdir = files_workdir(tmp_path, ["valid.csv", "err_invalid_date.csv"], 0.05)
    proc = run_snakemake(workdir, RUN.ACCEPTED, check=False)
    assert proc.returncode != 0
    assert "1 of 4 case rows rejected" in proc.stdout + proc.stderr  # 1 valid repeat
    assert "Traceback" not in (workdir / RUN.log("ingest_gate")).read_text("utf-8")
    for path in OUTPUTS:  # kept for inspection
        assert (workdir / path).is_file(), path
    rejected = pd.read_parquet(workdir / RUN.REJECTED_ROWS)
    assert rejected[["file", "row", "column", "rule"]].values.tolist() == [
        ["cases/err_invalid_date.csv", 3, "釈放日", "invalid_date"]
    ]


def test_an_unreadable_file_stops_with_one_message_naming_it(tmp_path):
    workdir = files_workdir(tmp_path, ["valid.csv"], 0.05)
    (workdir / "raw" / "cases" / "broken.xlsx").write_bytes(b"PK\x03\x04 damaged")
    proc = run_snakemake(workdir, RUN.VALIDATION_JSON, check=False)
    assert proc.returncode != 0
    log = (workdir / RUN.log("ingest")).read_text("utf-8")
    assert "cases/broken.xlsx: unreadable_workbook" in log
    assert "Traceback" not in log


@pytest.mark.slow
def test_a_changed_file_with_an_old_modification_time_is_read_again(tmp_path):
    """As unzip, cp -p and rsync -t leave a corrected file: new content, old mtime."""
    workdir = files_workdir(tmp_path, ["valid.csv"], 0.05)
    run_snakemake(workdir, RUN.VALIDATION_JSON)
    dry = run_snakemake(workdir, "-n", RUN.VALIDATION_JSON)
    assert "Nothing to be done" in dry.stdout + dry.stderr
    path = workdir / "raw" / "cases" / "valid.csv"
    stat = path.stat()
    path.write_bytes(path.read_bytes().replace(b",65,", b",66,", 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    dry = run_snakemake(workdir, "-n", RUN.VALIDATION_JSON)
    assert re.search(r"^ingest\s+1$", dry.stdout, flags=re.M), dry.stdout
    assert "Params have changed" in dry.stdout
    run_snakemake(workdir, RUN.VALIDATION_JSON)
    clean = pd.read_parquet(workdir / RUN.PROCESSED["cases"])
    assert 66 in clean["age"].tolist()


@pytest.mark.slow
def test_synthetic_survey_ingests_to_the_published_figures(tmp_path):
    """The calibration test on ingested data (default synthetic survey, scale 1)."""
    from teichaku.synthetic import generate_survey, load_synthetic_config
    from teichaku.synthetic.raw_writer import write_survey

    codebook = load_codebook()
    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    published = load_published(ROOT / "config" / "published-2021.yaml")
    synthetic = load_synthetic_config(ROOT / "config" / "synthetic.yaml")
    raw = tmp_path / "raw"
    manifest = write_survey(
        generate_survey(synthetic, published, codebook), synthetic, raw, codebook
    )

    result = ingest_survey(raw, codebook, config["pseudonym"]["synthetic_key"].encode())
    cases = result.tables["cases"]
    assert cases.rows_valid == 2783
    assert cases.clean["center_id"].nunique() == 46
    assert cases.rows_duplicate == manifest["n_duplicate_rows"]
    assert cases.rows_rejected == manifest["n_rejected_rows"]
    assert cases.rows_read == 2783 + manifest["n_defect_rows"]

    rejected = cases.rejected
    found = set(
        zip(rejected["file"], rejected["sheet"], rejected["row"], rejected["rule"], strict=True)
    )
    expected = {
        (d["file"], d["sheet"] or "", d["row"], d["rule"])
        for d in manifest["defects"]
        if d["rule"] != "exact_duplicate"
    }
    assert expected <= found  # every injected defect, with its rule and location
    assert {(f, s, r) for f, s, r, _ in found} == {(f, s, r) for f, s, r, _ in expected}
    for name in ("roster", "awareness"):
        assert result.tables[name].rejected.empty

    computed = compute_published(
        result.tables["roster"].clean, cases.clean, result.tables["awareness"].clean
    )
    failures = [c for c in compare_published(computed, published) if not c.ok]
    assert failures == []
