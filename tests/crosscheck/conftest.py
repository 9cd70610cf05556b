"""Cross-checks against R's reference implementations (survival, sandwich, geepack, lme4,
mice, cmprsk).

Each test writes the data it fits to CSV, runs an R script with :func:`run_r` and compares
what R wrote back with teichaku's estimates, with a tolerance stated per quantity. Where
``Rscript`` is missing the tests are skipped with a message, except in CI
(``TEICHAKU_REQUIRE_R=1``, which ``.ci/run`` sets, or ``CI=true``): then they fail.
"""

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests.required import unavailable

R_PACKAGES = ("survival", "sandwich", "geepack", "lme4", "mice", "cmprsk")


def _rscript() -> str | None:
    return shutil.which("Rscript")


def require_rscript() -> str:
    """Path of Rscript; skip (or fail where R is required) when it is absent."""
    path = _rscript()
    if path is None:
        message = (
            "Rscript not found: install R and the reference packages "
            "(as root: .ci/r/install.sh) to run the cross-checks"
        )
        unavailable("R", message)
    return path


@pytest.fixture(scope="session")
def rscript() -> str:
    return require_rscript()


def run_r(rscript: str, script: str, workdir: Path, timeout: float = 600) -> None:
    """Run ``script`` with Rscript in ``workdir``; raise with R's own message on failure.

    Scripts read and write plain CSV files in ``workdir`` (R's base ``read.csv`` and
    ``write.csv``), so no R package beyond the reference implementations is needed.
    """
    script_path = workdir / "check.R"
    script_path.write_text(script, encoding="utf-8")
    proc = subprocess.run(
        [rscript, "--vanilla", str(script_path)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(f"R failed ({proc.returncode}):\n{proc.stderr[-4000:]}")


@pytest.fixture
def r_session(rscript, tmp_path):
    """A callable ``r(script, **frames) -> Path`` that writes each frame to ``<name>.csv`` in a
    fresh folder, runs the script there and returns the folder (to read R's CSV output)."""

    def run(script: str, **frames: pd.DataFrame) -> Path:
        for name, frame in frames.items():
            frame.to_csv(tmp_path / f"{name}.csv", index=False)
        run_r(rscript, script, tmp_path)
        return tmp_path

    return run
