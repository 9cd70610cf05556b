"""Provenance: git commit and dirty state, hashes of configuration and inputs, seeds."""

import hashlib
import subprocess

from teichaku.report import provenance


def _git(repo, *args):
    subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "PATH": "/usr/bin:/bin",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        },
    )


def test_git_commit_and_dirty_state(tmp_path):
    assert provenance.git_state(tmp_path) == {"commit": "unknown", "dirty": None}
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_text("1")
    _git(tmp_path, "add", "a.txt")
    _git(tmp_path, "commit", "-q", "-m", "one")
    state = provenance.git_state(tmp_path)
    assert len(state["commit"]) == 40 and state["dirty"] is False
    (tmp_path / "untracked.txt").write_text("ignored")
    assert provenance.git_state(tmp_path)["dirty"] is False
    (tmp_path / "a.txt").write_text("2")
    assert provenance.git_state(tmp_path)["dirty"] is True


def test_config_hash_ignores_key_order_but_not_values():
    a = provenance.config_hash({"x": 1, "y": {"z": [1, 2]}})
    assert a == provenance.config_hash({"y": {"z": [1, 2]}, "x": 1})
    assert a != provenance.config_hash({"x": 2, "y": {"z": [1, 2]}})


def test_every_input_file_is_hashed_including_directories(tmp_path):
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "c1.csv").write_bytes(b"abc")
    (tmp_path / "roster.xlsx").write_bytes(b"xyz")
    digests = provenance.sha256_inputs([tmp_path / "roster.xlsx", tmp_path / "cases"])
    assert digests == {
        (tmp_path / "cases" / "c1.csv").as_posix(): hashlib.sha256(b"abc").hexdigest(),
        (tmp_path / "roster.xlsx").as_posix(): hashlib.sha256(b"xyz").hexdigest(),
    }


def test_seeds_are_found_anywhere_in_the_configuration():
    config = {"analysis": {"seed": 7, "mice": {"imputations": 5}}, "other": [{"boot_seed": 3}]}
    assert provenance.find_seeds(config) == {"analysis.seed": 7, "other[0].boot_seed": 3}
    record = provenance.collect(config, [], ".", {"synthetic": {"seed": 11}})
    assert record["seeds"]["synthetic.seed"] == 11
    assert set(record["packages"]) >= {"python", "pandas", "matplotlib", "weasyprint"}
