"""Helpers for the IMAP tests and benchmark: sized messages, snapshots, fault injection.

Plain code, no pytest: ``tests/test_imap*.py`` and ``bench/imap_sync.py`` import it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

__all__ = ["CuttingProxy", "big", "message", "unrecent"]


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


class CuttingProxy:
    """A TCP relay on 127.0.0.1 in front of a server that drops connections on demand, the
    way a network does: :meth:`cut_after` arms it to close the client's connection mid-answer
    (and the server's, which the server sees as a client gone away) once that many more
    bytes have flowed from the server to the client, so the cut lands mid-answer. The
    server itself is never harmed: no process is killed, no lock is left behind."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._cuts: list[int] = []  # byte budgets, one per cut still to make
        self.cuts_made = 0
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_after(self, nbytes: int, times: int = 1) -> None:
        with self._lock:
            self._cuts.extend([nbytes] * times)

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, downstream: bool) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if downstream and self._spend(len(data)):
                    self._reset(sink, source)
                    return
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _spend(self, nbytes: int) -> bool:
        """Count ``nbytes`` against the armed cut; True when it is time to cut."""
        with self._lock:
            if not self._cuts:
                return False
            self._cuts[0] -= nbytes
            if self._cuts[0] > 0:
                return False
            self._cuts.pop(0)
            self.cuts_made += 1
            return True

    @staticmethod
    def _reset(client: socket.socket, server: socket.socket) -> None:
        # shutdown() acts at once, even while the other pump thread sits in recv() on the
        # same socket (a bare close() would wait for that call to return).
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
