"""One folder per run, on the workflow itself: two runs of one invocation (the main one and
one declared under runs:) write into folders of their own and share no file, and a run
whose folders hold another input's outputs refuses to start unless forced."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from teichaku import paths

from .conftest import run_snakemake, write_small_config

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"


def _raw_folder(folder: Path, cases: list[str]) -> None:
    (folder / "cases").mkdir(parents=True)
    for name in ("roster.csv", "awareness.csv"):
        shutil.copy(DATA / name, folder)
    for name in cases:
        shutil.copy(DATA / "cases" / name, folder / "cases")


def _write(path: Path, config: dict) -> None:
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> Path:
    """Runs 'alpha' (raw_a) and 'beta' (raw_b, declared under runs:) of one workdir, each
    up to its accepted validation and its codebook and template."""
    workdir = tmp_path_factory.mktemp("two_runs")
    write_small_config(workdir)
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    config["run"] = "alpha"
    config["input"].update(source="files", raw_dir="raw_a")
    config["runs"] = {"beta": "beta.yaml"}
    _write(workdir / "config.yaml", config)
    _write(workdir / "beta.yaml", {"input": {"raw_dir": "raw_b"}})
    _raw_folder(workdir / "raw_a", ["valid.csv", "acc_spellings.csv"])
    _raw_folder(workdir / "raw_b", ["valid.csv", "warnings.csv"])
    targets = [
        paths.fill(pattern, run=run)
        for run in ("alpha", "beta")
        for pattern in (paths.ACCEPTED, paths.CODEBOOK_MD, paths.ENTRY_TEMPLATE)
    ]
    run_snakemake(workdir, *targets)
    return workdir


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_two_runs_write_into_folders_of_their_own_and_share_no_file(two_runs):
    written = {
        top: _files(two_runs / top) for top in ("results", "data/processed", "logs", "benchmarks")
    }
    for top, files in written.items():
        alpha = {f for f in files if f.startswith("alpha/")}
        beta = {f for f in files if f.startswith("beta/")}
        assert alpha and beta, top
        assert alpha | beta == files, f"{top}: files outside the runs' folders"
    results = written["results"]
    assert {f.removeprefix("alpha/") for f in results if f.startswith("alpha/")} == {
        f.removeprefix("beta/") for f in results if f.startswith("beta/")
    }  # the same outputs, each in its own folder
    alpha = paths.of("alpha")
    beta = paths.of("beta")
    a = (two_runs / alpha.VALIDATION_JSON).read_text("utf-8")
    b = (two_runs / beta.VALIDATION_JSON).read_text("utf-8")
    assert a != b  # each from its own raw folder
    record = yaml.safe_load((two_runs / beta.RUN_INPUT).read_text("utf-8"))
    assert record["raw_dir"] == "raw_b" and record["source"] == "files"
    assert len(record["raw_digest"]) == 64


def test_a_run_pointed_at_another_input_refuses_to_start_naming_both(two_runs):
    config_path = two_runs / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    other = dict(config, input={**config["input"], "raw_dir": "raw_b"})
    try:
        _write(config_path, other)
        proc = run_snakemake(two_runs, "-n", paths.fill(paths.ACCEPTED, run="alpha"), check=False)
        assert proc.returncode == 1
        message = proc.stdout + proc.stderr
        assert "The folders of run 'alpha'" in message
        assert "raw_dir raw_a" in message and "raw_dir raw_b" in message
        assert "--config overwrite=true" in message
        assert "Traceback" not in message
        forced = run_snakemake(
            two_runs, "-n", paths.fill(paths.ACCEPTED, run="alpha"), "--config", "overwrite=true"
        )
        assert "ingest" in forced.stdout  # the outputs are made again from the new input
    finally:
        _write(config_path, config)
    assert "Nothing to be done" in run_snakemake(two_runs, "-n", *_targets("alpha")).stdout


def test_corrected_files_in_the_same_raw_folder_are_read_again_not_refused(two_runs, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(two_runs, copy, symlinks=True)
    shutil.copy(DATA / "cases" / "warnings.csv", copy / "raw_a" / "cases")
    dry = run_snakemake(copy, "-n", *_targets("alpha"))
    assert "ingest" in dry.stdout


def _targets(run: str) -> list[str]:
    return [paths.fill(paths.ACCEPTED, run=run)]


def test_a_missing_synthetic_config_stops_the_run_with_a_message(tmp_path):
    write_small_config(tmp_path)
    config = yaml.safe_load((tmp_path / "config.yaml").read_text(encoding="utf-8"))
    config["input"]["synthetic_config"] = "no_such_parameters.yaml"
    _write(tmp_path / "config.yaml", config)
    proc = run_snakemake(tmp_path, "-n", check=False)
    message = proc.stdout + proc.stderr
    assert proc.returncode == 1
    assert "input.synthetic_config no_such_parameters.yaml is not a file" in message
    assert "Traceback" not in message
