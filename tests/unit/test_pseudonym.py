"""Pseudonymous case ids: HMAC-SHA256 of center and case reference under a secret key."""

import hashlib
import hmac
import logging
import os

import pytest

from teichaku import pseudonym


def test_case_id_is_hmac_sha256_of_an_unambiguous_message():
    expected = hmac.new(b"k", b"C01\x1fA-1", hashlib.sha256).hexdigest()
    assert pseudonym.case_id(b"k", "C01", "A-1") == expected
    assert pseudonym.case_ids(b"k", ["C01", "C02"], ["A-1", "A-1"]) == [
        expected,
        pseudonym.case_id(b"k", "C02", "A-1"),
    ]
    # the separator keeps ("C01", "1-2") and ("C011", "-2")-like splits apart
    assert pseudonym.case_id(b"k", "C01", "12") != pseudonym.case_id(b"k", "C011", "2")


def test_case_ids_equal_hmac_for_keys_of_any_length():
    refs = ["A-1", "No.２", "", "x" * 200]
    for key in (b"", b"k", b"k" * 63, b"k" * 64, b"k" * 65, bytes(range(256))):
        assert pseudonym.case_ids(key, ["C01"] * len(refs), refs) == [
            pseudonym.case_id(key, "C01", ref) for ref in refs
        ]


def test_synthetic_runs_use_the_public_key(tmp_path, monkeypatch):
    monkeypatch.setenv(pseudonym.ENV_VAR, "secret")
    key = pseudonym.load_key(synthetic=True, synthetic_key="public-key", key_file=tmp_path / "k")
    assert key == b"public-key" and not (tmp_path / "k").exists()


def test_the_environment_variable_wins_over_the_key_file(tmp_path, monkeypatch):
    monkeypatch.setenv(pseudonym.ENV_VAR, "a-long-secret-of-32-characters!!")
    assert (
        pseudonym.load_key(synthetic=False, synthetic_key="x" * 8, key_file=tmp_path / "k")
        == b"a-long-secret-of-32-characters!!"
    )
    assert not (tmp_path / "k").exists()


def test_the_key_file_is_created_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv(pseudonym.ENV_VAR, raising=False)
    path = tmp_path / "data" / ".pseudonym_key"
    first = pseudonym.load_key(synthetic=False, synthetic_key="x" * 8, key_file=path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(first) == 64
    assert pseudonym.load_key(synthetic=False, synthetic_key="x" * 8, key_file=path) == first


def _load(path, **kw):
    return pseudonym.load_key(synthetic=False, synthetic_key="x" * 8, key_file=path, **kw)


@pytest.mark.parametrize("content", [b"", b"\n", b"short-key\n", b"x" * 15])
def test_an_empty_or_short_key_file_is_refused(tmp_path, monkeypatch, content):
    monkeypatch.delenv(pseudonym.ENV_VAR, raising=False)
    path = tmp_path / ".pseudonym_key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(pseudonym.KeyRefused, match="at least 16 bytes"):
        _load(path)
    assert path.read_bytes() == content  # never overwritten: the user decides


@pytest.mark.parametrize("value", ["", "short"])
def test_an_empty_or_short_environment_key_is_refused(tmp_path, monkeypatch, value):
    monkeypatch.setenv(pseudonym.ENV_VAR, value)
    with pytest.raises(pseudonym.KeyRefused, match=pseudonym.ENV_VAR):
        _load(tmp_path / "k")
    assert not (tmp_path / "k").exists()


def test_a_world_readable_key_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(pseudonym.ENV_VAR, raising=False)
    path = tmp_path / ".pseudonym_key"
    path.write_text("0123456789abcdef" * 4 + "\n")
    path.chmod(0o644)
    with pytest.raises(pseudonym.KeyRefused, match="chmod 600"):
        _load(path)
    path.chmod(0o600)
    assert _load(path) == b"0123456789abcdef" * 4


def test_a_key_file_under_results_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(pseudonym.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    for key_file in ("results/.pseudonym_key", "data/../results/keys/k"):
        with pytest.raises(pseudonym.KeyRefused, match="published"):
            _load(key_file)
    assert not (tmp_path / "results").exists()  # refused before anything is created


def test_a_refusal_is_an_ingest_error_with_a_message_in_both_languages(tmp_path, monkeypatch):
    from teichaku.ingest.errors import IngestError

    monkeypatch.setenv(pseudonym.ENV_VAR, "")
    with pytest.raises(IngestError) as info:
        _load(tmp_path / "k")
    text = str(info.value)
    assert "仮名化の鍵" in text and "pseudonym key" in text


def test_an_interrupted_creation_leaves_no_key_and_the_next_run_creates_one(tmp_path, monkeypatch):
    monkeypatch.delenv(pseudonym.ENV_VAR, raising=False)
    path = tmp_path / "data" / ".pseudonym_key"

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        _load(path)
    assert list((tmp_path / "data").iterdir()) == []  # no key, no temporary file
    monkeypatch.undo()
    monkeypatch.delenv(pseudonym.ENV_VAR, raising=False)
    key = _load(path)
    assert len(key) == 64 and path.stat().st_mode & 0o777 == 0o600


def test_a_new_key_is_announced_once(tmp_path, monkeypatch, caplog, capsys):
    monkeypatch.delenv(pseudonym.ENV_VAR, raising=False)
    path = tmp_path / ".pseudonym_key"
    with caplog.at_level(logging.WARNING, logger="teichaku.pseudonym"):
        first = _load(path)
        again = _load(path)
    assert first == again
    created = [r for r in caplog.records if "new pseudonym key was created" in r.getMessage()]
    assert len(created) == 1
    assert capsys.readouterr().err.count("new pseudonym key was created") == 1
