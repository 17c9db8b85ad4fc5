"""The OS keyring (macOS Keychain, Windows Credential Locker, Secret Service, KWallet) as the
first place a connector's password is looked up, through the ``keyring`` package.

An entry is stored under the service :data:`KEYRING_SERVICE` with the user name
``"<section>:<username>"`` (``imap:jordan@riverside.example``), so the practitioner can put
it there with the ``keyring`` command line: ``keyring set practice-chief imap:jordan@...``.
A machine without a usable backend (a headless server) falls back to a 0600 password file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from bot.errors import UserError
from bot.file_safety import require_private, write_private

__all__ = ["KEYRING_SERVICE", "SecretStore", "StoreKind", "keyring_password", "usable_keyring"]

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


StoreKind = Literal["auto", "keyring", "file"]


class SecretStore:
    """Where one account's sign-in lives (a refresh token, an msal cache): the OS keyring
    entry ``practice-chief`` / ``entry``, or a 0600 file refused when others can read it.

    ``kind`` is the connector's ``token_store``: ``"keyring"``, ``"file"``, or ``"auto"`` (the
    keyring when a backend is usable, else the file). ``what`` names the secret in messages
    ("the Google sign-in"), ``file_key`` the chief.toml key naming the file ("token_file").
    A locked keyring, or one whose service is gone, is a UserError saying what to do."""

    def __init__(
        self,
        entry: str,
        path: Path | None,
        kind: StoreKind,
        section: str,
        what: str,
        file_key: str,
    ) -> None:
        if kind not in ("auto", "keyring", "file"):
            raise UserError(f'`token_store` in [{section}] must be "auto", "keyring" or "file"')
        self.entry, self.path, self.section, self.what = entry, path, section, what
        self.file_key = file_key
        ring = usable_keyring() if kind != "file" else None
        if kind == "keyring" and ring is None:
            raise UserError(
                f'token_store = "keyring" in [{section}], but no OS keyring is usable here',
                [f'use token_store = "file" with `{file_key}` (a 0600 file)'],
            )
        if ring is None and path is None:
            example = f"data/{entry.split(':', 1)[0]}-token.json"
            raise UserError(
                f"no place to keep {what}: set `{file_key}` in [{section}] "
                f'(e.g. "{example}"; written 0600)'
            )
        self._ring = ring

    def describe(self) -> str:
        return "the OS keyring" if self._ring is not None else str(self.path)

    @contextlib.contextmanager
    def _keyring_errors(self, verb: str) -> Iterator[None]:
        """The backend's own message never carries the secret; its type is enough."""
        try:
            yield
        except Exception as exc:
            raise UserError(
                f"the OS keyring could not {verb} {self.what} ({type(exc).__name__})",
                [
                    "unlock the keyring (log in to the desktop session) and try again",
                    f'or keep it in a 0600 file: token_store = "file" and `{self.file_key}` '
                    f"in [{self.section}]",
                ],
            ) from None

    def load(self) -> str | None:
        """The stored text, or None when nothing is stored yet."""
        if self._ring is not None:
            with self._keyring_errors("read"):
                text = self._ring.get_password(KEYRING_SERVICE, self.entry)
            return str(text) if text else None
        assert self.path is not None
        if not self.path.exists():
            return None
        require_private(self.path, "token file")
        return self.path.read_text(encoding="utf-8") or None

    def save(self, text: str) -> None:
        if self._ring is not None:
            with self._keyring_errors("keep"):
                self._ring.set_password(KEYRING_SERVICE, self.entry, text)
            return
        assert self.path is not None
        write_private(self.path, text.encode("utf-8"))
