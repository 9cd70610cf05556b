"""The shared paths module and the stages' entry points (``python -m teichaku.<stage>``)."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from teichaku import entry, paths
from teichaku.codebook import load_codebook
from teichaku.dictionary import write_dictionary

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_FILES = [ROOT / "Snakefile", *sorted((ROOT / "workflow" / "rules").glob("*.smk"))]
STAGES = ("synthetic", "docs", "ingest", "analysis", "report", "simulation")


def test_rules_spell_no_output_path_of_their_own():
    """Every path a rule writes comes from teichaku.paths (one spelling for all)."""
    literal = re.compile(r"""["'](results|data/processed|logs|benchmarks)/""")
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in WORKFLOW_FILES
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if literal.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []


def test_every_rule_has_a_message():
    header = re.compile(r"^[ \t]*rule (\w+):", re.MULTILINE)
    rules = 0
    for path in WORKFLOW_FILES:
        text = path.read_text("utf-8")
        starts = [m.start() for m in header.finditer(text)] + [len(text)]
        for start, end in itertools.pairwise(starts):
            block = text[start:end]
            rules += 1
            assert "message:" in block, f"{path.name}: {block.splitlines()[0]} has no message"
    assert rules >= 20


def test_every_stage_has_a_stage_module_and_a_command_line():
    package = ROOT / "src" / "teichaku"
    for stage in STAGES:
        assert (package / stage / "stage.py").is_file(), stage
        assert (package / stage / "__main__.py").is_file(), stage


def test_paths_are_relative_to_the_run_folder_and_data_about_persons_stays_in_data():
    values = [v for k, v in vars(paths).items() if k.isupper() and isinstance(v, str)]
    values += list(paths.PROCESSED.values())
    assert all(not Path(v).is_absolute() for v in values)
    assert all(v.startswith("data/") for v in [*paths.PROCESSED.values(), paths.REJECTED_ROWS])
    run = paths.of("2022")
    assert paths.fill(run.FIT, model="cox") == "results/2022/models/fits/cox.txt"


def test_load_config_overlays_and_fills_the_schema_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(yaml.safe_dump({"report": {"dpi": 72}}), encoding="utf-8")
    base = entry.read_yaml(entry.CONFIG)
    config = entry.load_config([overlay])
    assert config["report"]["dpi"] == 72
    assert config["report"]["languages"] == base["report"]["languages"]
    with pytest.raises(Exception, match="dpi"):
        overlay.write_text(yaml.safe_dump({"report": {"dpi": "high"}}), encoding="utf-8")
        entry.load_config([overlay])


@pytest.mark.slow
def test_a_stage_runs_as_a_module_on_the_workflows_paths(tmp_path):
    """`python -m teichaku.docs dictionary` in a run folder writes the rule's outputs there,
    as the rule would, and logs to logs/<run>/docs_dictionary.log."""
    shutil.copytree(ROOT / "config", tmp_path / "config")
    proc = subprocess.run(
        [sys.executable, "-m", "teichaku.docs", "dictionary"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    expected = tmp_path / "expected"
    write_dictionary(
        load_codebook(str(tmp_path / "config" / "codebook.yaml")),
        expected / "codebook.md",
        expected / "codebook.csv",
        source="config/codebook.yaml",
    )
    run = paths.of(entry.read_yaml(tmp_path / "config" / "config.yaml")["run"])
    for name in ("codebook.md", "codebook.csv"):
        assert (tmp_path / run.CODEBOOK_MD).with_name(name).read_bytes() == (
            expected / name
        ).read_bytes()
    assert "data dictionary of" in (tmp_path / run.log("docs_dictionary")).read_text("utf-8")


@pytest.mark.slow
def test_a_stage_command_line_names_its_steps_and_refuses_an_unknown_one(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "teichaku.analysis", "--help"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "dataset" in proc.stdout and "numbers" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "teichaku.analysis", "fit-everything"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
    assert "Traceback" not in proc.stderr
