"""The R installation the cross-checks rely on: every reference package loads."""

from tests.crosscheck.conftest import R_PACKAGES


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
