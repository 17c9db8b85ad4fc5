"""Helpers for the IMAP tests and benchmark: sized messages, snapshots, fault injection.

Plain code, no pytest: ``tests/test_imap*.py`` and ``bench/imap_sync.py`` import it.
"""

from __future__ import annotations

import socket
from typing import Any

from imapclient import IMAPClient, imap4

from tests.servers.dovecot import Dovecot

__all__ = ["big", "killing_client", "message", "unrecent"]


def message(n: int, body: str = "", extra_headers: str = "") -> bytes:
    """A plain letter numbered ``n`` (CRLF line ends), Message-ID ``<contract-n@payer.example>``
    like the contract suite's ``sample``."""
    return (
        f"From: Sender {n} <sender{n}@payer.example>\r\n"
        "To: dr@practice.example\r\n"
        f"Subject: Contract message {n}\r\n"
        f"Message-ID: <contract-{n}@payer.example>\r\n"
        "Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n"
        f"{extra_headers}"
        "\r\n"
        f"{body or f'Body of message {n}.'}\r\n"
    ).encode()


def big(n: int, kib: int = 100) -> bytes:
    """A letter of about ``kib`` KiB (a long report in its body)."""
    line = f"Line of the report for message {n}, nothing of note here. " * 2 + "\r\n"
    return message(n, body=line * max(1, kib * 1024 // len(line)))


def unrecent(snapshot: dict[int, tuple[str, frozenset[bytes]]]) -> dict[int, Any]:
    r"""A snapshot without \Recent: that flag belongs to whichever session saw a message first
    (RFC 3501 2.3.2), nobody sets it, so before/after comparisons leave it out."""
    return {uid: (digest, flags - {b"\\Recent"}) for uid, (digest, flags) in snapshot.items()}


class _SmallWindow(imap4.IMAP4WithTimeout):  # type: ignore[misc]
    """Plain IMAP whose socket gets a 16 KiB receive buffer *before* connecting (no
    autotuning): a large FETCH answer then waits on the server's side, not ours."""

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        sock.settimeout(timeout if timeout is not None else self._timeout)
        sock.connect((self.host, self.port))
        return sock


def killing_client(server: Dovecot, username: str, kills: int) -> type[IMAPClient]:
    """An IMAPClient (to patch into ``connectors.imap_session``) whose next ``kills`` message
    FETCHes lose their connection half-way: once the first literal has arrived, the server's
    ``imap`` process for ``username`` is SIGKILLed while our few unread bytes sit in its
    socket, so the socket closes with a reset and the rest of the answer, still on the
    server's side (see :class:`_SmallWindow`), is lost. Needs answers larger than the
    server's socket buffer (4 MiB at most on Linux)."""
    left = [kills]

    class KillingClient(IMAPClient):  # type: ignore[misc]
        def _create_IMAP4(self) -> Any:
            return _SmallWindow(self.host, self.port, self._timeout.connect)

        def fetch(self, messages: Any, data: Any, modifiers: Any = None) -> Any:
            if left[0] > 0 and any(item.startswith(b"BODY.PEEK[]<") for item in data):
                left[0] -= 1
                read = self._imap.read

                def read_then_kill(size: int) -> bytes:
                    chunk: bytes = read(size)
                    self._imap.read = read
                    self._imap.sock.sendall(b"Z1 NOOP\r\n")  # left unread: RST, not FIN
                    if not server.kill_sessions(username):
                        raise RuntimeError(f"no imap process found for {username}")
                    return chunk

                self._imap.read = read_then_kill
            return super().fetch(messages, data, modifiers)

    return KillingClient
