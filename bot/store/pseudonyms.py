"""Patient pseudonyms: a keyed hash of a normalised name and date of birth.

Cases are matched on "same party, same patient" without storing who the patient is: the case
log keeps ``HMAC-SHA256(practice key, name | dob)``. The key is random, generated on first use
and kept in a 0600 file in the practice's data folder, so a leaked database alone does not let
anyone test guesses of names.

The same key, through a derived key, seals (:meth:`Pseudonymiser.seal`) what the case log must
keep for a while but never in the clear: a leaked database alone does not read it either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import unicodedata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.file_safety import private_dir

__all__ = ["Pseudonymiser", "load_or_create_key"]

# The message whose keyed hash tells one key from another (the case log keeps it, per practice).
_CHECK_MESSAGE = b"chief pseudonym key check"
# What derives the sealing key from the practice key, and binds each sealed value to it.
_SEAL_LABEL = b"chief sealed journal v1"


def load_or_create_key(path: Path) -> bytes:
    """Read the practice's pseudonym key, creating it (0600, atomically) if missing."""
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    private_dir(path.parent)
    key = secrets.token_bytes(32)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key.hex())
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(tmp, path)  # never replaces a key another process just created
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return bytes.fromhex(path.read_text().strip())


def _normalise(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in folded.lower()).split())


class Pseudonymiser:
    def __init__(self, key: bytes) -> None:
        self._key = key

    @property
    def key_check(self) -> str:
        """A fingerprint of the key: the keyed hash of a fixed message. Kept in the case log,
        it shows whether a process serving the practice has the key the log was written
        with; it tells nothing about the key, nor lets anyone test guesses of names."""
        return hmac.new(self._key, _CHECK_MESSAGE, hashlib.sha256).hexdigest()[:16]

    def subkey(self, purpose: str) -> bytes:
        """A secret for ``purpose`` derived from the practice key (HMAC with a label of its own),
        so one random file serves every use without one use's values telling anything about
        another's: keys only chief can compute (:func:`bot.keys.keyed_key`) use this."""
        label = b"chief subkey: " + purpose.encode("utf-8")
        return hmac.new(self._key, label, hashlib.sha256).digest()

    def seal(self, data: bytes) -> str:
        """``data`` encrypted (AES-256-GCM, RFC 5116) under a key derived from the practice
        key: for what the case log must keep a while but never in the clear (what a failed
        draft is rendered from again, bot/sync/redrafting.py)."""
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self._sealing_key()).encrypt(nonce, data, _SEAL_LABEL)
        return base64.b64encode(nonce + sealed).decode("ascii")

    def unseal(self, token: str) -> bytes | None:
        """What :meth:`seal` sealed, or None when it was sealed under another key (a new
        pseudonym key) or is not a sealed value."""
        try:
            raw = base64.b64decode(token.encode("ascii"), validate=True)
            return AESGCM(self._sealing_key()).decrypt(raw[:12], raw[12:], _SEAL_LABEL)
        except (InvalidTag, ValueError):
            return None

    def _sealing_key(self) -> bytes:
        return hmac.new(self._key, _SEAL_LABEL, hashlib.sha256).digest()

    def pseudonym(self, name: str | None, dob: str | None = None) -> str | None:
        """The pseudonym for a patient, or None when no name was found."""
        if not name or not _normalise(name):
            return None
        basis = f"{_normalise(name)}|{_normalise(dob or '')}"
        return hmac.new(self._key, basis.encode(), hashlib.sha256).hexdigest()[:32]
