"""One end-to-end run of the whole workflow on a small synthetic survey, shared by the
integration tests.

The run happens in a scratch folder through `snakemake --directory`, exactly as a
researcher would point the workflow at another dataset: the folder's own config.yaml (with
the repository's config files referenced by absolute path) and a synthetic survey at a
fifth of the published size. The ``small_run`` fixture itself is in tests/conftest.py, so
that the integration tests and the R cross-checks (tests/crosscheck/) share one run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from teichaku import paths

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
SMALL_SCALE = 0.2


def run_paths(workdir: Path, lang: str | None = None) -> paths.RunPaths:
    """The paths (teichaku.paths) of the run configured in ``workdir``/config.yaml, in
    ``lang`` (default: its first report language)."""
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    return paths.of(config["run"], lang or config["report"]["languages"][0])


#: The paths of the default run (config/config.yaml), which the small run is a copy of.
DEFAULT_RUN = run_paths(ROOT / "config")


def _absolutize(node):
    """Config paths are relative to the working directory: point them back at the repo."""
    if isinstance(node, dict):
        return {k: _absolutize(v) for k, v in node.items()}
    if isinstance(node, str) and node.startswith("config/"):
        return str(ROOT / node)
    return node


def write_small_config(workdir: Path, scale: float = SMALL_SCALE) -> Path:
    """Write config.yaml and synthetic.yaml for a small synthetic run into workdir: one
    round (the rounds config.yaml declares beside it are not; tests comparing rounds
    declare their own)."""
    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as fh:
        config = _absolutize(yaml.safe_load(fh))
    config.update(runs={}, compare=[])
    with open(ROOT / "config" / "synthetic.yaml", encoding="utf-8") as fh:
        synthetic = yaml.safe_load(fh)
    synthetic["scale"] = scale
    config["input"]["synthetic_config"] = "synthetic.yaml"
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "synthetic.yaml").write_text(
        yaml.safe_dump(synthetic, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    cmd = [
        str(SNAKEMAKE),
        "-s",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        "--cores",
        "2",
        *args,
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("TEICHAKU_SALT", None)
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=env, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stderr[-6000:]}")
    return proc
