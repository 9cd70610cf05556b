"""Tools some tests need beyond the Python environment (Chromium, R, the SLURM executor and
cluster): where one is missing the tests skip with a message, except where it is required
(in CI: ``.ci/run`` installs them and sets ``TEICHAKU_REQUIRE_<TOOL>=1``; or ``CI=true``),
where they fail."""

from __future__ import annotations

import os

import pytest


def required(tool: str) -> bool:
    """Whether a missing ``tool`` (BROWSER, R, SLURM) fails its tests instead of skipping
    them: ``TEICHAKU_REQUIRE_<tool>=1`` or ``CI=true``."""
    return os.environ.get(f"TEICHAKU_REQUIRE_{tool}") == "1" or os.environ.get(
        "CI", ""
    ).lower() in ("true", "1", "yes")


def unavailable(tool: str, message: str):
    """Skip the test for the missing ``tool`` with ``message``, or fail where it is required."""
    if required(tool):
        pytest.fail(f"{message} (required in CI: TEICHAKU_REQUIRE_{tool}=1 or CI=true)")
    pytest.skip(message)
