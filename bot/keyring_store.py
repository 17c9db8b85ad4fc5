"""The OS keyring (macOS Keychain, Windows Credential Locker, Secret Service, KWallet) as the
first place a connector's password is looked up, through the ``keyring`` package.

An entry is stored under the service :data:`KEYRING_SERVICE` with the user name
``"<section>:<username>"`` (``imap:jordan@riverside.example``), so the practitioner can put
it there with the ``keyring`` command line: ``keyring set practice-chief imap:jordan@...``.
A machine without a usable backend (a headless server) falls back to a 0600 password file.
"""

from __future__ import annotations

from typing import Any

__all__ = ["KEYRING_SERVICE", "keyring_password", "usable_keyring"]

KEYRING_SERVICE = "practice-chief"


def usable_keyring() -> Any | None:
    """The keyring module when a real backend is configured, else None (keyring's ``fail``
    backend, which raises on every call, and the null backend count as none)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken backend configuration is "no keyring", not a crash
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


def keyring_password(section: str, username: str) -> str | None:
    """The password stored for ``[section]``'s ``username``, or None (no keyring, no entry,
    or the keyring refused: locked, or access denied)."""
    ring = usable_keyring()
    if ring is None or not username:
        return None
    try:
        value = ring.get_password(KEYRING_SERVICE, f"{section}:{username}")
    except Exception:  # keyring.errors.KeyringError and backend-specific failures
        return None
    return value or None
