"""Where a set of results came from: code version, configuration, inputs, packages, seeds.

Deterministic by design: no timestamps or host names, so the same inputs, configuration and
commit give the same provenance record (and the same summary bytes).
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

#: Distributions whose versions are recorded (the pipeline's computing stack).
PACKAGES = (
    "teichaku",
    "snakemake",
    "pandas",
    "numpy",
    "pyarrow",
    "pandera",
    "statsmodels",
    "scipy",
    "matplotlib",
    "matplotlib-fontja",
    "seaborn",
    "openpyxl",
    "jinja2",
    "markdown-it-py",
    "weasyprint",
)


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_inputs(paths) -> dict[str, str]:
    """SHA-256 of every input file; a directory contributes each file inside it."""
    out = {}
    for p in map(Path, paths):
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for f in files:
            out[f.as_posix()] = sha256_file(f)
    return dict(sorted(out.items()))


def config_hash(config: dict) -> str:
    """SHA-256 of the configuration as canonical JSON (key order does not matter)."""
    text = json.dumps(config, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def git_state(repo_dir: str | Path) -> dict:
    """Commit of the code and whether tracked files differ from it (untracked ignored)."""

    def git(*args):
        return subprocess.run(
            ["git", "-C", str(repo_dir), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "unknown", "dirty": None}
    return {"commit": commit, "dirty": dirty}


def package_versions(names=PACKAGES) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def find_seeds(tree, prefix: str = "") -> dict[str, int]:
    """Every key named ``seed`` (or ending in ``_seed``) in a nested configuration."""
    found = {}
    if isinstance(tree, dict):
        for key, value in tree.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if (key == "seed" or str(key).endswith("_seed")) and not isinstance(value, dict):
                found[path] = value
            else:
                found.update(find_seeds(value, path))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            found.update(find_seeds(value, f"{prefix}[{i}]"))
    return found


def collect(config: dict, inputs, repo_dir: str | Path, extra_configs: dict | None = None) -> dict:
    """The provenance record of a run.

    ``extra_configs`` maps a name (e.g. ``synthetic``) to further parsed configuration
    files whose seeds are recorded too.
    """
    seeds = find_seeds(config)
    for name, tree in (extra_configs or {}).items():
        seeds.update(find_seeds(tree, name))
    return {
        "git": git_state(repo_dir),
        "config_sha256": config_hash(config),
        "inputs_sha256": sha256_inputs(inputs),
        "packages": package_versions(),
        "seeds": seeds,
    }
