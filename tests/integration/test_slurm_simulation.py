"""The simulation study on a real single-node SLURM cluster, through profiles/slurm.

A tiny study (2 scenarios x 40 replicates, chunks of 20, small surveys) runs twice from the
same seed: locally and through `snakemake --profile profiles/slurm`. The SLURM run must have
submitted every job to SLURM (job ids in Snakemake's log, and each chunk's own log names the
SLURM job it ran in), and its gathered results must equal the local run's byte for byte.

The cluster is the one already running (CI starts it in .ci/run), or else one started here
with .ci/slurm/start.sh (root only) and stopped afterwards. Without the SLURM executor (an
optional install: `make slurm`), root or the slurm-wlm and munge packages the test is
skipped, except in CI (TEICHAKU_REQUIRE_SLURM=1, which .ci/run sets, or CI=true), where it
fails (tests/required.py).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from teichaku import paths
from tests.required import unavailable

from .conftest import ROOT, SNAKEMAKE, write_small_config

START = ROOT / ".ci" / "slurm" / "start.sh"
STOP = ROOT / ".ci" / "slurm" / "stop.sh"
# What this cluster (no accounting database, see .ci/slurm/start.sh) needs besides the profile.
CLUSTER_OPTIONS = [
    "--slurm-status-command",
    "squeue",
    "--slurm-no-account",
    "--slurm-init-seconds-before-status-checks",
    "1",
]
TINY_STUDY = {
    "seed": 20211021,
    "replicates": 40,
    "chunk_size": 20,
    "alpha": 0.05,
    "level": 0.95,
    "models": ["cox_transition", "fine_gray_transition", "logit_prolonged_12"],
    "resources": {
        "chunk": {"threads": 1, "mem_mb": 500, "runtime": 10},
        "gather": {"threads": 1, "mem_mb": 500, "runtime": 10},
    },
    "scenarios": [
        {"name": "small", "series": "8 centers", "design": {"n_cases": 120, "n_centers": 8}},
        {"name": "larger", "series": "8 centers", "design": {"n_cases": 240, "n_centers": 8}},
    ],
}
GATHERED = [
    "performance.tsv",
    "scenarios.tsv",
    "summary.md",
    "power_by_cases.png",
    "power_by_cases.pdf",
]


def _node_ready() -> bool:
    if shutil.which("sinfo") is None:
        return False
    proc = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=30)
    return proc.returncode == 0 and any(
        s.startswith(("idle", "mixed", "allocated")) for s in proc.stdout.split()
    )


def _unavailable(reason: str):
    unavailable("SLURM", f"no SLURM cluster: {reason}")


def executor_installed() -> bool:
    return importlib.util.find_spec("snakemake_executor_plugin_slurm") is not None


def require_executor() -> None:
    """Skip (or fail where SLURM is required) when the SLURM executor is not installed."""
    if not executor_installed():
        unavailable(
            "SLURM",
            "the SLURM executor is not installed (`make slurm` installs "
            "requirements-slurm.lock into .venv)",
        )


@pytest.fixture(scope="module")
def slurm_cluster():
    """A reachable SLURM cluster; started (and stopped after) here when none is running."""
    require_executor()
    if _node_ready():
        yield
        return
    if shutil.which("slurmctld") is None or shutil.which("munged") is None:
        _unavailable(
            "the slurm-wlm and munge packages are not installed "
            "(.ci/slurm/start.sh --install installs them)"
        )
    if os.geteuid() != 0:
        _unavailable("starting the SLURM daemons needs root")
    proc = subprocess.run([str(START)], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        _unavailable(f".ci/slurm/start.sh failed:\n{proc.stdout}\n{proc.stderr}")
    try:
        yield
    finally:
        subprocess.run([str(STOP)], capture_output=True, text=True, timeout=120)


def _workdir(path: Path) -> Path:
    write_small_config(path)
    (path / "study.yaml").write_text(yaml.safe_dump(TINY_STUDY, sort_keys=False), encoding="utf-8")
    config = yaml.safe_load((path / "config.yaml").read_text(encoding="utf-8"))
    config["simulation"] = {"study": "study.yaml", "replicates": None}
    (path / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _run(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    # Jobs on the nodes run `snakemake` from the same virtual environment: put it on PATH.
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    cmd = [
        str(SNAKEMAKE),
        "-s",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        *args,
        "simulation",
    ]
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, f"snakemake failed:\n{proc.stderr[-6000:]}"
    return proc


def test_study_runs_through_slurm_and_matches_the_local_run(slurm_cluster, tmp_path):
    local = _workdir(tmp_path / "local")
    cluster = _workdir(tmp_path / "slurm")
    _run(local, "--cores", "2")
    proc = _run(cluster, "--profile", str(ROOT / "profiles" / "slurm"), *CLUSTER_OPTIONS)

    submitted = set(re.findall(r"submitted with SLURM jobid (\d+)", proc.stderr))
    chunks = sorted((cluster / paths.SIMULATION_DIR / "replicates").rglob("chunk-*.tsv"))
    assert len(chunks) == 4
    truths = sorted((cluster / paths.SIMULATION_DIR / "truth").glob("*.tsv"))
    assert len(truths) == 2  # one population per scenario
    # Every chunk and population fit went to SLURM (gathering runs beside Snakemake, as
    # localrules).
    assert len(submitted) == len(chunks) + len(truths), proc.stderr[-3000:]
    for truth in truths:
        assert truth.read_bytes() == (local / truth.relative_to(cluster)).read_bytes()
    for chunk in chunks:
        scenario, name = chunk.parent.name, chunk.stem
        log = (cluster / "logs/simulation" / scenario / f"{name}.log").read_text("utf-8")
        ran_in = re.search(r"SLURM job (\d+)", log)
        assert ran_in and ran_in.group(1) in submitted, log
        local_log = (local / "logs/simulation" / scenario / f"{name}.log").read_text("utf-8")
        assert "not under SLURM" in local_log
        local_chunk = local / chunk.relative_to(cluster)
        assert chunk.read_bytes() == local_chunk.read_bytes(), chunk.name

    for name in GATHERED:
        ours = (cluster / paths.SIMULATION_DIR / name).read_bytes()
        assert ours == (local / paths.SIMULATION_DIR / name).read_bytes(), name
    performance = (cluster / paths.SIMULATION_PERFORMANCE).read_text("utf-8")
    assert performance.count("\tcox_transition\t") == 2 * 8  # 2 scenarios x 8 terms


@pytest.mark.parametrize(
    ("env", "outcome"),
    [
        ({}, pytest.skip.Exception),
        ({"TEICHAKU_REQUIRE_SLURM": "1"}, pytest.fail.Exception),
        ({"CI": "true"}, pytest.fail.Exception),
    ],
)
def test_without_the_executor_the_test_skips_except_in_ci(monkeypatch, env, outcome):
    monkeypatch.delenv("TEICHAKU_REQUIRE_SLURM", raising=False)
    monkeypatch.delenv("CI", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys.modules[__name__], "executor_installed", lambda: False)
    with pytest.raises(outcome, match="SLURM executor is not installed"):
        require_executor()
