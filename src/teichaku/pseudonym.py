"""Pseudonymous case identifiers: ``case_id = HMAC-SHA256(key, center_id + case_ref)``.

The centers' own case numbers (``case_ref``) are personal: they never leave ``data/raw``.
The key comes from the environment variable ``TEICHAKU_SALT``, else from a git-ignored key
file created on first use; the synthetic survey uses a fixed public key (config) so that its
processed data is reproducible.

A key that does not keep the pseudonyms secret is refused (:class:`KeyRefused`, a clear
message, no traceback): an empty or short key (an HMAC under it is recomputable from
guessable case numbers), a key file others may read, a key file under ``results/`` (which
is published). A new key file is written atomically (a private temporary file, then a
rename), so an interrupted first run never leaves a partial or empty key behind.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
import sys
import tempfile
from pathlib import Path

from teichaku.ingest.errors import IngestError

ENV_VAR = "TEICHAKU_SALT"
#: Shortest accepted key, in bytes (a new key file holds 64 hex digits).
MIN_KEY_BYTES = 16
#: The published folder: a key file there would be published with the results.
RESULTS_DIR = "results"
_SEPARATOR = "\x1f"  # ASCII unit separator: never in a center id, so the message is unambiguous

log = logging.getLogger(__name__)


class KeyRefused(IngestError):
    """The pseudonym key cannot keep case ids secret; the message says what to do."""


def case_id(key: bytes, center_id: str, case_ref: str) -> str:
    message = f"{center_id}{_SEPARATOR}{case_ref}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _check_length(key: bytes, source: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        what = "empty" if not key else f"{len(key)} bytes long"
        raise KeyRefused(
            f"仮名化の鍵({source})が{'空' if not key else f'{len(key)}バイト'}です。"
            f"{MIN_KEY_BYTES}バイト以上の秘密の鍵が必要です。"
            f" / The pseudonym key ({source}) is {what}: a secret key of at least "
            f"{MIN_KEY_BYTES} bytes is needed. Delete the file to have a new key created, or "
            f"set {ENV_VAR} to a long random value (e.g. 64 hex digits)."
        )
    return key


def _check_location(path: Path, results_dir: str | Path) -> None:
    results = Path(results_dir).resolve()
    if path.resolve().is_relative_to(results):
        raise KeyRefused(
            f"仮名化の鍵ファイル {path} が公開用フォルダ {results_dir}/ の中にあります。"
            f" / The pseudonym key file {path} is under {results_dir}/, which is published: "
            "configure pseudonym.key_file under data/ (the default is data/.pseudonym_key)."
        )


def _check_private(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IROTH | stat.S_IWOTH):
        raise KeyRefused(
            f"仮名化の鍵ファイル {path} は他のユーザーが読み書きできます(権限 "
            f"{stat.S_IMODE(mode):o})。 / The pseudonym key file {path} can be read or "
            f"written by other users (mode {stat.S_IMODE(mode):o}): make it private with "
            f"`chmod 600 {path}`."
        )


def create_key_file(path: Path) -> None:
    """Write a new random key to ``path`` atomically: a private temporary file in the same
    folder, flushed to disk, then linked to its name (never over an existing key). When
    anything fails on the way (a full disk), no key file and no temporary file remain."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write((secrets.token_hex(32) + "\n").encode("ascii"))
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)  # fails if a key appeared meanwhile: that key is kept
    finally:
        Path(tmp).unlink(missing_ok=True)
    message = (
        f"新しい仮名化の鍵を作成しました: {path}。この鍵は保管してください(失うと翌年の "
        "case_id が一致しません)。公開しないこと。 / A new pseudonym key was created in "
        f"{path}: keep it (and a backup) safe and never publish it; without it next year's "
        "case ids will not match this year's."
    )
    log.warning("%s", message)
    if not any(
        isinstance(h, logging.StreamHandler) and getattr(h, "stream", None) is sys.stderr
        for h in logging.getLogger().handlers
    ):
        print(message, file=sys.stderr)


def load_key(
    *,
    synthetic: bool,
    synthetic_key: str,
    key_file: str | Path,
    results_dir: str | Path = RESULTS_DIR,
) -> bytes:
    """The HMAC key: the public synthetic key, else ``$TEICHAKU_SALT``, else the key file
    (created when absent). Raises :class:`KeyRefused` for a key that is not safe."""
    if synthetic:
        return synthetic_key.encode()
    if ENV_VAR in os.environ:
        return _check_length(os.environ[ENV_VAR].encode(), f"${ENV_VAR}")
    path = Path(key_file)
    _check_location(path, results_dir)
    if not path.exists():
        create_key_file(path)
    _check_private(path)
    return _check_length(path.read_bytes().strip(), str(path))


def case_ids(key: bytes, center_ids, case_refs) -> list[str]:
    """``case_id`` of many rows: HMAC as RFC 2104 defines it, with the hash states of the
    key's inner and outer pads computed once and copied per row (about twice as fast as
    copying an ``hmac`` object; equal results, see the tests)."""
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy
    out = []
    for center, ref in zip(_values(center_ids), _values(case_refs), strict=True):
        h = inner()
        h.update(f"{center}{_SEPARATOR}{ref}".encode())
        digest = h.digest()
        h = outer()
        h.update(digest)
        out.append(h.hexdigest())
    return out


def _values(column) -> list:
    """A column as a list of Python values (iterating a pandas string array is slow)."""
    return column.tolist() if hasattr(column, "tolist") else list(column)
