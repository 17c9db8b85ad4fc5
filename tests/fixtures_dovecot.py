"""pytest fixtures for a real Dovecot IMAP server on 127.0.0.1.

Use from a test module with ``pytest_plugins = ["tests.fixtures_dovecot"]`` (importing the
fixture would be shadowed by the parameter of the same name); import ``DovecotAccount`` for
annotations under ``TYPE_CHECKING`` only, so pytest can still rewrite this module's asserts.

``dovecot_server`` (session scope) starts one Dovecot (``tests/servers/dovecot.py``, the
recipe of ``../shared/servers/README.md``); ``dovecot`` gives each test a fresh account on it,
so tests share the ~0.05 s start and never see each other's mail. ``account_on`` does the same
on a server a test module configures itself (another namespace, other capabilities). A test
that stops the server gets it started again afterwards. Without Dovecot installed the tests
skip with "install dovecot-imapd", or fail under CI (``CI=true``): never a silent pass.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import imapclient
import pytest

from tests.servers.dovecot import Dovecot, DovecotUser, dovecot_binary, seed
from tests.servers.imap_testing import CuttingProxy

__all__ = ["DovecotAccount", "account_on", "dovecot", "dovecot_server", "need_dovecot"]

_numbers = itertools.count(1)


def need_dovecot() -> None:
    if dovecot_binary() is None:
        reason = "dovecot not found: install dovecot-imapd (Debian) to run the IMAP tests"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    need_dovecot()
    server = Dovecot()
    server.start()
    try:
        yield server
    finally:
        server.close()


@dataclass
class DovecotAccount:
    """One fresh account on the test server, and what a test needs around it."""

    server: Dovecot
    user: DovecotUser
    password_file: Path  # mode 0600, owned by the test runner
    proxies: list[CuttingProxy] = field(default_factory=list)

    def proxy(self) -> CuttingProxy:
        """A relay in front of the server that can drop connections mid-answer; a connector
        reaches the server through it with ``port=proxy.port``. Closed after the test."""
        relay = CuttingProxy((self.host, self.port))
        self.proxies.append(relay)
        return relay

    @property
    def host(self) -> str:
        return self.user.host

    @property
    def port(self) -> int:
        return self.user.port

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def password(self) -> str:
        return self.user.password

    @property
    def mail_dir(self) -> Path:
        return self.user.mail_dir

    def seed(
        self, raw_messages: Iterable[bytes], folder: str = "INBOX", flags: Sequence[bytes] = ()
    ) -> int:
        """Deliver messages through a separate session (MULTIAPPEND, RFC 3502)."""
        return seed(self.user, raw_messages, folder, flags=flags)

    def client(self) -> imapclient.IMAPClient:
        """A second, independent session: the practitioner's own mail client."""
        return self.user.client()

    def snapshot(self, folder: str = "INBOX") -> dict[int, tuple[str, frozenset[bytes]]]:
        """UID → (sha256 of the message, flags) as a second session sees it (read-only)."""
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            data = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"]) if uids else {}
        return {
            uid: (hashlib.sha256(item[b"BODY[]"]).hexdigest(), frozenset(item[b"FLAGS"]))
            for uid, item in data.items()
        }

    def messages(self, folder: str) -> list[tuple[bytes, frozenset[bytes]]]:
        """(raw bytes, flags) of every message in ``folder``, read-only."""
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            data = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"]) if uids else {}
        return [(data[u][b"BODY[]"], frozenset(data[u][b"FLAGS"])) for u in sorted(data)]

    def connector(self, **options: Any) -> Any:
        """An :class:`~connectors.imap.connector.ImapConnector` for this account (plain IMAP on
        loopback)."""
        from connectors.imap.connector import ImapConnector

        settings: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "password_file": self.password_file,
            "tls": "none",
            "timeout": 10.0,
        }
        settings.update(options)
        return ImapConnector(**settings)

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()


@contextlib.contextmanager
def account_on(server: Dovecot, tmp_path: Path) -> Iterator[DovecotAccount]:
    """A fresh account (own user, own password, own Maildir) on ``server``; the server is
    started again afterwards if a test stopped it."""
    if not server.running:
        server.start()
    name = f"user{next(_numbers)}-{secrets.token_hex(3)}"
    user = server.add_user(name, secrets.token_urlsafe(12))
    password_file = tmp_path / f"imap-password-{name}"
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(user.password + "\n")
    account = DovecotAccount(server, user, password_file)
    try:
        yield account
    finally:
        for relay in account.proxies:
            relay.close()
        if not server.running:
            server.start()


@pytest.fixture
def dovecot(dovecot_server: Dovecot, tmp_path: Path) -> Iterator[DovecotAccount]:
    """A fresh account (own user, own password, own Maildir) on the shared server."""
    with account_on(dovecot_server, tmp_path) as account:
        yield account
