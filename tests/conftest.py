"""Shared fixtures: paths of the repository and its configuration."""

import os
from pathlib import Path

# One BLAS thread per process, as Snakemake gives its jobs: on a 2-core machine a threaded
# BLAS makes the small dense problems of the models many times slower, not faster.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def default_config() -> dict:
    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="session")
def small_run(tmp_path_factory) -> Path:
    """The folder of a complete default run (rule all) on the small synthetic survey, shared
    by the integration tests and the R cross-checks."""
    from tests.integration.conftest import run_snakemake, write_small_config

    workdir = tmp_path_factory.mktemp("small_run")
    write_small_config(workdir)
    run_snakemake(workdir)
    return workdir


@pytest.fixture(scope="session")
def small_run_both(small_run, tmp_path_factory) -> Path:
    """The small run with its summary in both languages (report.languages: [ja, en]): a copy
    of its folder (timestamps kept, so nothing upstream reruns) in which the English tables,
    figures and summary are built too."""
    from tests.integration.summaries import with_languages

    return with_languages(small_run, tmp_path_factory.mktemp("small_run_both"), ["ja", "en"])
