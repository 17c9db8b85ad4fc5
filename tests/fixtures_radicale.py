"""A real Radicale CalDAV server on 127.0.0.1 for the CalDAV connector's tests.

Fixture ``radicale`` (import ``radicale_fixture`` into the test module) starts
``python -m radicale`` on a free port with a throwaway config and storage folder, real sign-in
(htpasswd, plain, one test user) and no failed-login delay; it yields a :class:`Radicale` with
the URL, the credentials, a 0600 password file, and ``stop()`` / ``start()`` to take the server
away and bring it back on the same port and storage. The process is stopped after the test.
``serve_radicale`` starts one for a whole module, over TLS when given a certificate.
Without the ``radicale`` package the test fails under CI (``CI=true``) and skips elsewhere,
saying what to install.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

__all__ = ["Radicale", "radicale_fixture", "serve_radicale"]

USERNAME = "practice"


def need_module(module: str, install: str) -> None:
    """Fail under CI, else skip, when ``module`` cannot be imported."""
    if importlib.util.find_spec(module) is None:
        reason = f"`{module}` is not installed: pip install {install} (or '.[test]')"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Radicale:
    """One running Radicale; ``url`` is the server root (the principal is found from it)."""

    folder: Path
    port: int
    username: str
    password: str
    password_file: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    tls: bool = False

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/"

    @property
    def log(self) -> str:
        path = self.folder / "radicale.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, timeout: float = 15.0) -> None:
        logfile = open(self.folder / "radicale.log", "ab")  # noqa: SIM115 - owned by the process
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(self.folder / "config")],
                stdout=logfile,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        finally:
            logfile.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"radicale exited with {self.process.returncode}:\n{self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"radicale did not listen on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def _configure(
    folder: Path, port: int, password: str, certificate: tuple[Path, Path] | None = None
) -> None:
    (folder / "users").write_text(f"{USERNAME}:{password}\n")
    tls = (
        f"ssl = True\ncertificate = {certificate[0]}\nkey = {certificate[1]}\n"
        if certificate
        else ""
    )
    (folder / "config").write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        f"{tls}"
        "[auth]\n"
        "type = htpasswd\n"
        f"htpasswd_filename = {folder / 'users'}\n"
        "htpasswd_encryption = plain\n"
        "delay = 0\n"
        "[rights]\n"
        "type = owner_only\n"
        "[storage]\n"
        f"filesystem_folder = {folder / 'collections'}\n"
        "[web]\n"
        "type = none\n"
        "[logging]\n"
        "level = warning\n"
    )


@contextlib.contextmanager
def serve_radicale(
    folder: Path, certificate: tuple[Path, Path] | None = None
) -> Iterator[Radicale]:
    """A running Radicale keeping its files in ``folder``; over TLS (``https://``) with
    ``certificate`` (server certificate, key: PEM files)."""
    need_module("radicale", "radicale")
    folder.mkdir(parents=True)
    password = secrets.token_urlsafe(12)
    password_file = folder / "password"
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    port = free_port()
    _configure(folder, port, password, certificate)
    server = Radicale(folder, port, USERNAME, password, password_file, tls=bool(certificate))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(name="radicale")
def radicale_fixture(tmp_path: Path) -> Iterator[Radicale]:
    with serve_radicale(tmp_path / "radicale") as server:
        yield server
