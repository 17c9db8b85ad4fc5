"""An in-process SMTP server (aiosmtpd) on 127.0.0.1 that records what reaches it.

Fixture ``smtp_server`` (import ``smtp_server_fixture`` into the test module) runs an aiosmtpd
``Controller`` on a free port with AUTH (PLAIN, LOGIN) for one test user, allowed without TLS
because it listens on the loopback only. It yields an :class:`SmtpServer`: every envelope
delivered (``mail_from``, ``rcpt_tos``, ``content``), how many sessions said EHLO/HELO
(``greetings``), the credentials and a 0600 password file. ``smtp_tls_server`` (import
``smtp_tls_server_fixture``) is the same with STARTTLS required, using a throwaway self-signed
certificate for 127.0.0.1 / localhost (``cafile`` is the certificate to trust);
``smtp_ssl_server`` (``smtp_ssl_server_fixture``) speaks implicit TLS (RFC 8314). Without
``aiosmtpd`` (or ``cryptography`` for TLS) the test fails under CI and skips elsewhere.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures_radicale import free_port, need_module

__all__ = [
    "Delivered",
    "SmtpServer",
    "serve_smtp",
    "smtp_server_fixture",
    "smtp_ssl_server_fixture",
    "smtp_tls_server_fixture",
]

USERNAME = "practice"


@dataclass(frozen=True)
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class SmtpServer:
    host: str
    port: int
    username: str
    password: str
    password_file: Path
    cafile: Path | None = None
    messages: list[Delivered] = field(default_factory=list)
    greetings: int = 0
    auth_attempts: int = 0


class _Recorder:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.server.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_HELO(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, hostname: str
    ) -> str:
        self.server.greetings += 1
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content
        self.server.messages.append(
            Delivered(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], bytes(content))
        )
        return "250 OK"


def _authenticator(record: SmtpServer) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        record.auth_attempts += 1
        ok = (
            isinstance(data, LoginPassword)
            and data.login == record.username.encode()
            and data.password == record.password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


def _self_signed(folder: Path) -> tuple[Path, Path]:
    need_module("cryptography", "cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def serve_smtp(
    tmp_path: Path, tls: str, certificate: tuple[Path, Path] | None = None
) -> Iterator[SmtpServer]:
    """``tls``: "none" (plain), "starttls" (required before AUTH) or "ssl" (implicit TLS);
    ``certificate`` (server certificate, key) instead of a throwaway self-signed one, whose
    authority the test then names itself."""
    need_module("aiosmtpd", "aiosmtpd")
    from aiosmtpd.controller import Controller

    folder = tmp_path / "smtp"
    folder.mkdir()
    password = secrets.token_urlsafe(12)
    password_file = folder / "password"
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    record = SmtpServer("127.0.0.1", free_port(), USERNAME, password, password_file)
    kwargs: dict[str, Any] = {
        "authenticator": _authenticator(record),
        # aiosmtpd only counts STARTTLS as TLS: over implicit TLS it would hide AUTH.
        "auth_require_tls": tls == "starttls",
    }
    if tls != "none":
        cert, key = certificate or _self_signed(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        if tls == "ssl":
            kwargs.update(ssl_context=context)
        else:
            kwargs.update(tls_context=context, require_starttls=True)
        record.cafile = None if certificate else cert
    controller = Controller(
        _Recorder(record), hostname=record.host, port=record.port, ready_timeout=10, **kwargs
    )
    controller.start()
    try:
        yield record
    finally:
        controller.stop()


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(tmp_path: Path) -> Iterator[SmtpServer]:
    yield from serve_smtp(tmp_path, "none")


@pytest.fixture(name="smtp_tls_server")
def smtp_tls_server_fixture(tmp_path: Path) -> Iterator[SmtpServer]:
    yield from serve_smtp(tmp_path, "starttls")


@pytest.fixture(name="smtp_ssl_server")
def smtp_ssl_server_fixture(tmp_path: Path) -> Iterator[SmtpServer]:
    yield from serve_smtp(tmp_path, "ssl")
