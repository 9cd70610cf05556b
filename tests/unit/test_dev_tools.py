"""The contributor's tools: pre-commit hooks that need no network, the notebook-output check,
the Makefile's targets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / ".ci" / "notebook_outputs.py"


def _notebook(path: Path, outputs: list, count) -> Path:
    cell = {"cell_type": "code", "metadata": {}, "source": ["1 + 1"]}
    cell |= {"outputs": outputs, "execution_count": count}
    text = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# x"]}, cell]}
    path.write_text(json.dumps(text | {"metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def _check(*paths: Path) -> subprocess.CompletedProcess:
    args = [sys.executable, str(CHECK), *map(str, paths)]
    return subprocess.run(args, capture_output=True, text=True)


def test_notebook_check_names_a_notebook_stored_with_outputs(tmp_path):
    clean = _notebook(tmp_path / "clean.ipynb", [], None)
    run = _notebook(tmp_path / "run.ipynb", [{"output_type": "execute_result", "data": {}}], 3)
    counted = _notebook(tmp_path / "counted.ipynb", [], 1)
    assert _check(clean).returncode == 0
    proc = _check(clean, run, counted)
    assert proc.returncode == 1
    assert "run.ipynb: outputs stored in code cells [1]" in proc.stdout
    assert "counted.ipynb" in proc.stdout and "clean.ipynb" not in proc.stdout


def test_the_repository_notebooks_pass_the_check():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 3
    assert _check(*notebooks).returncode == 0


def test_pre_commit_hooks_are_local_tools_of_the_venv():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [h for repo in config["repos"] for h in repo["hooks"]]
    assert {r["repo"] for r in config["repos"]} == {"local"}
    assert {h["language"] for h in hooks} == {"system"}
    assert {h["id"] for h in hooks} >= {"ruff-check", "ruff-format", "snakefmt", "notebook-outputs"}
    for hook in hooks:
        tool = hook["entry"].split()[0]
        assert tool.startswith(".venv/bin/") and (ROOT / tool).exists(), hook["id"]


def test_makefile_has_the_documented_targets():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("all", "run", "test", "test-fast", "lint", "lab", "clean"):
        assert f"\n{target}:" in text, target
    # the environment is rebuilt when the lock or the project's metadata change
    assert "$(STAMP): requirements.lock pyproject.toml" in text
    assert "make lint" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
