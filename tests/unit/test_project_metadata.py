"""The project's metadata agree with each other: licence, citation, changelog, version and
dependency ranges against the lock; and `pip install .` gives a working package."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from teichaku import paths

ROOT = Path(__file__).resolve().parents[2]
CFF_SCHEMA = ROOT / "tests" / "data" / "citation-file-format-1.2.0.schema.json"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _lock() -> dict[str, str]:
    """The pins of requirements.lock and of requirements-slurm.lock (the slurm extra's)."""
    pins = {}
    for lock in ("requirements.lock", "requirements-slurm.lock"):
        for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if line:
                name, version = line.split("==")
                pins[canonicalize_name(name)] = version
    return pins


def _requirements() -> list[Requirement]:
    project = _pyproject()["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    return [Requirement(s) for s in specs]


def test_every_dependency_is_pinned_in_the_lock_within_its_range():
    lock = _lock()
    requirements = _requirements()
    assert len(requirements) >= 20
    unpinned = [str(r) for r in requirements if canonicalize_name(r.name) not in lock]
    assert unpinned == []
    outside = {
        str(r): lock[canonicalize_name(r.name)]
        for r in requirements
        if not r.specifier.contains(lock[canonicalize_name(r.name)], prereleases=True)
    }
    assert outside == {}, "pinned versions outside their pyproject.toml range"


def test_every_range_has_a_lower_bound():
    lower = (">=", "==", "~=")
    unbounded = [
        str(r) for r in _requirements() if not {s.operator for s in r.specifier} & set(lower)
    ]
    assert unbounded == []


def test_citation_file_is_valid_cff_and_names_this_version():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    # dates are read by YAML as date objects; CFF wants the ISO string
    citation["date-released"] = str(citation["date-released"])
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(citation)
    project = _pyproject()["project"]
    assert citation["version"] == project["version"]
    assert citation["license"] == project["license"]


def test_an_invalid_citation_file_is_refused():
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"cff-version": "1.2.0", "title": "x"}, schema)  # no authors


def test_licence_and_changelog_name_the_declared_licence_and_version():
    project = _pyproject()["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert released and released[0] == project["version"]


@pytest.mark.slow
def test_pip_install_gives_a_working_package(tmp_path):
    """`pip install .` into a fresh virtual environment (its dependencies seen through this
    environment's site-packages, so nothing is downloaded): the package, its data and its
    stages' command lines work from the installed copy, not from src/."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # the dependencies: this environment's site-packages, after the new one's own
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation", str(source)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    check = subprocess.run(
        [
            str(python),
            "-c",
            "import teichaku, teichaku.paths, teichaku.docs.stage, teichaku.report.stage; "
            "import importlib.metadata as m; print(teichaku.__file__); "
            "print(m.version('teichaku')); print(m.metadata('teichaku')['License-Expression'])",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    where, version, licence = check.stdout.split()
    assert Path(where).is_relative_to(site)
    assert version == _pyproject()["project"]["version"] and licence == "MIT"
    run = tmp_path / "run"
    shutil.copytree(ROOT / "config", run / "config")
    shutil.copytree(ROOT / "workflow" / "schemas", run / "workflow" / "schemas")
    proc = subprocess.run(
        [str(python), "-m", "teichaku.docs", "dictionary"],
        cwd=run,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    codebook = paths.fill(paths.CODEBOOK_MD, run=config["run"])
    assert (run / codebook).stat().st_size > 1000
