"""Stable keys: the idempotency keys stored on remote objects and the unique keys of rows."""

from __future__ import annotations

import hashlib

__all__ = ["stable_key"]


def stable_key(*parts: object) -> str:
    """A 32-hex-digit key for ``parts`` (joined unambiguously); same parts, same key."""
    digest = hashlib.sha256()
    for part in parts:
        data = str(part).encode("utf-8", "surrogateescape")
        digest.update(len(data).to_bytes(4, "big"))
        digest.update(data)
    return digest.hexdigest()[:32]
