"""The Snakemake workflow catalog's conventions: config/README.md describes every config file
and key group, .test/ is the default configuration on a small survey, the catalog metadata
parse, and the documents point at files that exist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
TEST_CONFIG = ROOT / ".test" / "config"


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_config_readme_describes_every_config_file_and_key_group():
    readme = (CONFIG / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in CONFIG.glob("*.yaml"))
    assert len(files) >= 6
    assert [f for f in files if f"`{f}`" not in readme] == []
    missing = {
        name: [key for key in _yaml(CONFIG / name) if f"`{key}" not in readme] for name in files
    }
    assert {name: keys for name, keys in missing.items() if keys} == {}, (
        "describe in config/README.md"
    )
    # and every setting of config.yaml, by its dotted name
    settings = []
    for key, value in _yaml(CONFIG / "config.yaml").items():
        settings += [f"{key}.{sub}" for sub in value] if isinstance(value, dict) else [key]
    assert [s for s in settings if f"`{s}" not in readme] == [], "describe in config/README.md"


def _relative_to_test(node):
    """.test/ references the repository's files as ../config/...: the same files."""
    if isinstance(node, dict):
        return {k: _relative_to_test(v) for k, v in node.items()}
    if isinstance(node, str) and node.startswith("../"):
        return node.removeprefix("../")
    return node


def test_the_test_config_is_the_default_one_on_a_small_survey():
    assert _relative_to_test(_yaml(TEST_CONFIG / "config.yaml")) == _yaml(CONFIG / "config.yaml"), (
        "config/config.yaml changed: make the same change in .test/config/config.yaml"
    )
    small, default = _yaml(TEST_CONFIG / "synthetic.yaml"), _yaml(CONFIG / "synthetic.yaml")
    assert 0 < small.pop("scale") < default.pop("scale")
    assert small == default, "config/synthetic.yaml changed: change .test/config/ likewise"
    for value in _yaml(TEST_CONFIG / "config.yaml").values():
        for path in value.values() if isinstance(value, dict) else [value]:
            if isinstance(path, str) and path.startswith("../"):
                assert (TEST_CONFIG.parent / path).is_file(), path


def test_catalog_metadata_declare_a_software_deployment():
    meta = _yaml(ROOT / ".snakemake-workflow-catalog.yml")["usage"]
    assert any(meta["software-stack-deployment"].values())
    assert meta["report"] is True
    assert (ROOT / "environment.yml").is_file()  # what conda: true relies on


def test_documents_point_at_files_that_exist():
    """Repository paths quoted in the documents exist."""
    quoted = re.compile(r"`((?:config|docs|workflow|src|tests|notebooks|\.test)/[^`*<>{ ]+)`")
    for doc in ("docs/README.md", "config/README.md", "data/README.md", "CONTRIBUTING.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        absent = [p for p in quoted.findall(text) if not (ROOT / p.rstrip("/")).exists()]
        assert absent == [], doc


@pytest.mark.slow
def test_the_test_run_plans_the_whole_workflow():
    snakemake = Path(sys.executable).with_name("snakemake")
    proc = subprocess.run(
        [str(snakemake), "-n", "--directory", ".test"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r"^report_summary +1$", proc.stdout, re.MULTILINE), proc.stdout[-2000:]


def _layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"## Layout\n\n```\n(.*?)```", readme, re.S).group(1)


def test_readme_layout_names_what_is_in_the_tree():
    """Every top-level file and folder of the repository is in the Layout section, and every
    path the section names exists."""
    layout = _layout_block()
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    top = {path.split("/")[0] for path in tracked} - {".gitignore", "README.md"}
    assert top, "no tracked files"
    words = set(re.findall(r"[\w.\-]+", layout))
    assert sorted(name for name in top if name not in words) == []
    named = re.findall(r"^(\S+/|\S+\.\w+)", layout, re.M)
    paths = [p for p in named if not any(c in p for c in "*,")]
    assert [p for p in paths if not (ROOT / p).exists()] == []
