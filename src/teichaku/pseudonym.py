"""Pseudonymous case identifiers: ``case_id = HMAC-SHA256(key, center_id + case_ref)``.

The centers' own case numbers (``case_ref``) are personal: they never leave ``data/raw``.
The key comes from the environment variable ``TEICHAKU_SALT``, else from a git-ignored key
file created on first use; the synthetic survey uses a fixed public key (config) so that its
processed data is reproducible.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

ENV_VAR = "TEICHAKU_SALT"
_SEPARATOR = "\x1f"  # ASCII unit separator: never in a center id, so the message is unambiguous


def case_id(key: bytes, center_id: str, case_ref: str) -> str:
    message = f"{center_id}{_SEPARATOR}{case_ref}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def load_key(*, synthetic: bool, synthetic_key: str, key_file: str | Path) -> bytes:
    """The HMAC key: the public synthetic key, else ``$TEICHAKU_SALT``, else the key file
    (created with 0600 permissions when absent)."""
    if synthetic:
        return synthetic_key.encode()
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR].encode()
    path = Path(key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip().encode()


def case_ids(key: bytes, center_ids, case_refs) -> list[str]:
    """``case_id`` of many rows (the keyed HMAC state is computed once and copied)."""
    base = hmac.new(key, digestmod=hashlib.sha256)
    out = []
    for center, ref in zip(center_ids, case_refs, strict=True):
        h = base.copy()
        h.update(f"{center}{_SEPARATOR}{ref}".encode())
        out.append(h.hexdigest())
    return out
