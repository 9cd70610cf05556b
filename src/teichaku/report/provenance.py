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


# --------------------------------------------------------------------------- provenance.txt

_HEADER = (
    "# Where the results of this run came from: the code, the configuration, every input file,\n"
    "# the packages and the seeds (teichaku). No timestamps and no host names: the same code,\n"
    "# configuration and inputs give the same file. Raw files are named by neutral labels.\n"
)
_SECTIONS = {"seeds": "seeds", "packages": "packages", "inputs_sha256": "input files (SHA-256)"}


def publishable_path(path: str, base: str | Path) -> str:
    """An input's path as published: relative to the run's working folder ``base``, or the
    file's name alone when it lies elsewhere (an absolute path may name a person's home)."""
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    try:
        return p.relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        return p.name


def to_text(record: dict) -> str:
    """The record of :func:`collect` as provenance.txt (read back by :func:`from_text`)."""
    dirty = record["git"]["dirty"]
    lines = [
        _HEADER,
        f"commit: {record['git']['commit']}",
        f"uncommitted changes: {'unknown' if dirty is None else 'yes' if dirty else 'no'}",
        f"configuration (SHA-256): {record['config_sha256']}",
    ]
    for key, title in _SECTIONS.items():
        lines += ["", f"{title}:"]
        if key == "inputs_sha256":
            lines += [f"{digest}  {path}" for path, digest in record[key].items()]
        else:
            lines += [f"{name}: {value}" for name, value in record[key].items()]
    return "\n".join(lines) + "\n"


def from_text(text: str) -> dict:
    """provenance.txt read back: the record :func:`to_text` wrote (values as text)."""
    record: dict = {"git": {}, **{key: {} for key in _SECTIONS}}
    titles = {f"{title}:": key for key, title in _SECTIONS.items()}
    section = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line in titles:
            section = titles[line]
        elif section == "inputs_sha256":
            digest, path = line.split("  ", 1)
            record[section][path] = digest
        elif section:
            name, value = line.split(": ", 1)
            record[section][name] = value
        else:
            name, value = line.split(": ", 1)
            if name == "commit":
                record["git"]["commit"] = value
            elif name == "uncommitted changes":
                record["git"]["dirty"] = {"yes": True, "no": False}.get(value)
            else:
                record["config_sha256"] = value
    return record


def write_provenance(
    *, config: dict, inputs, repo_dir, extra_configs: dict, raw_dir, out: str | Path
) -> dict:
    """results/<run>/summary/provenance.txt: the record of :func:`collect`, every raw file
    named by a neutral label (:func:`teichaku.report.publish.label_inputs`) and every other
    input by its path in the run's folder."""
    from teichaku.report.publish import label_inputs

    record = collect(config, inputs, repo_dir, extra_configs)
    digests = label_inputs(record["inputs_sha256"], raw_dir)
    record["inputs_sha256"] = dict(
        sorted((publishable_path(p, Path.cwd()), d) for p, d in digests.items())
    )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(to_text(record), encoding="utf-8", newline="\n")
    return record
