"""The pip lock and the conda environment must pin the same versions."""

import re

import yaml


def _lock(root) -> dict[str, str]:
    pins = {}
    for line in (root / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def _conda(root) -> dict[str, str]:
    env = yaml.safe_load((root / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        specs = dep["pip"] if isinstance(dep, dict) else [dep]
        for spec in specs:
            m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*={1,2}\s*([^=\s]+)", spec)
            if m and m.group(1) != "python":
                pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_every_conda_pin_matches_the_lock(root):
    lock, conda = _lock(root), _conda(root)
    assert len(conda) >= 15
    mismatched = {k: (v, lock.get(k)) for k, v in conda.items() if lock.get(k) != v}
    assert mismatched == {}, "environment.yml and requirements.lock disagree: {name: (conda, lock)}"


def test_core_packages_pinned_at_known_good_versions(root):
    lock = _lock(root)
    expected = {
        "snakemake": "9.27.1",
        "pandas": "3.1.1",
        "pyarrow": "26.0.1",
        "pandera": "0.35.0",
        "statsmodels": "0.15.0",
        "scipy": "1.17.1",
        "matplotlib": "3.11.2",
        "seaborn": "0.13.2",
        "matplotlib-fontja": "1.1.0",
        "openpyxl": "3.1.5",
        "weasyprint": "70.0",
    }
    assert {k: lock.get(k) for k in expected} == expected


def test_installed_versions_match_the_lock(root):
    from importlib.metadata import version

    lock = _lock(root)
    for name in ("snakemake", "pandas", "pandera", "statsmodels"):
        assert version(name) == lock[name]
