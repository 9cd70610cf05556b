"""The R installation the cross-checks rely on: every reference package loads; without R
the cross-checks skip with a message, and fail in CI."""

import pytest

from tests.crosscheck import conftest
from tests.crosscheck.conftest import R_PACKAGES


@pytest.mark.parametrize(
    ("env", "outcome"),
    [
        ({}, pytest.skip.Exception),
        ({"TEICHAKU_REQUIRE_R": "1"}, pytest.fail.Exception),
        ({"CI": "true"}, pytest.fail.Exception),
    ],
)
def test_without_r_the_cross_checks_skip_except_in_ci(monkeypatch, env, outcome):
    monkeypatch.delenv("TEICHAKU_REQUIRE_R", raising=False)
    monkeypatch.delenv("CI", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(conftest, "_rscript", lambda: None)
    with pytest.raises(outcome, match="Rscript not found"):
        conftest.require_rscript()


def test_reference_packages_load(r_session):
    libraries = "\n".join(f"library({p})" for p in R_PACKAGES)
    out = r_session(
        libraries + '\nwrite.csv(data.frame(v = as.character(packageVersion("survival"))),'
        ' "version.csv", row.names = FALSE)\n'
    )
    version = (out / "version.csv").read_text().splitlines()[1].strip('"')
    major = int(version.split(".")[0])
    # cox.zph's score test, which the PH cross-check compares with, needs survival >= 3.0.
    assert major >= 3, version
