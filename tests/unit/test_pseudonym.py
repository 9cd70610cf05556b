"""Pseudonymous case ids: HMAC-SHA256 of center and case reference under a secret key."""

import hashlib
import hmac

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
    monkeypatch.setenv(pseudonym.ENV_VAR, "secret")
    assert (
        pseudonym.load_key(synthetic=False, synthetic_key="x" * 8, key_file=tmp_path / "k")
        == b"secret"
    )
    assert not (tmp_path / "k").exists()


def test_the_key_file_is_created_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv(pseudonym.ENV_VAR, raising=False)
    path = tmp_path / "data" / ".pseudonym_key"
    first = pseudonym.load_key(synthetic=False, synthetic_key="x" * 8, key_file=path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(first) == 64
    assert pseudonym.load_key(synthetic=False, synthetic_key="x" * 8, key_file=path) == first
