"""IMAP over TLS and with OAuth 2.0 access tokens, against a real Dovecot on 127.0.0.1.

The server has its own certificate authority (made here with ``cryptography``), an
implicit-TLS listener and STARTTLS on the plain one, and accepts AUTHENTICATE XOAUTH2 with
tokens it checks against a local RFC 7662 introspection endpoint, as a provider's would be.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from bot.config import load_config
from bot.errors import AuthError, ConnectorError, UserError
from bot.sync.runtime import Runtime
from connectors.imap.connector import ImapConnector
from tests.connector_contract import drain, sample
from tests.fixtures_dovecot import need_dovecot
from tests.servers.dovecot import Dovecot, DovecotUser, seed
from tests.servers.pki import make_pki

pytestmark = pytest.mark.servers


# --- a token introspection endpoint (RFC 7662) -----------------------------------------------


class Introspection:
    """Answers ``POST /introspect`` (``token=...``) with ``{"active": ..., "username": ...}``."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.asked: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                token = (form.get("token") or [""])[0]
                if not token:  # Dovecot may send it as a bearer header instead
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                outer.asked.append(token)
                user = outer.tokens.get(token)
                body = json.dumps(
                    {"active": True, "username": user} if user else {"active": False}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/introspect"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def introspection() -> Iterator[Introspection]:
    endpoint = Introspection()
    yield endpoint
    endpoint.close()


@pytest.fixture(scope="module")
def secure_server(pki: tuple[Path, Path, Path], introspection: Introspection) -> Iterator[Dovecot]:
    need_dovecot()
    server = Dovecot(tls=(pki[1], pki[2]), oauth2_introspection_url=introspection.url)
    server.start()
    try:
        yield server
    finally:
        server.close()


_accounts = iter(range(1, 10_000))


@pytest.fixture
def account(secure_server: Dovecot, tmp_path: Path) -> tuple[DovecotUser, Path]:
    user = secure_server.add_user(f"secure{next(_accounts)}", f"pw-{next(_accounts)}-x")
    secret = tmp_path / "imap-password"
    secret.write_text(user.password)
    secret.chmod(0o600)
    seed(user, [sample(1), sample(2)])
    return user, secret


def _connector(user: DovecotUser, **options: Any) -> ImapConnector:
    settings: dict[str, Any] = {
        "host": user.host,
        "username": user.username,
        "timeout": 10.0,
    }
    settings.update(options)
    return ImapConnector(**settings)


# --- TLS -----------------------------------------------------------------------------------


def test_implicit_tls_with_the_practices_ca(
    secure_server: Dovecot, account: tuple[DovecotUser, Path], pki: tuple[Path, Path, Path]
) -> None:
    user, secret = account
    conn = _connector(
        user, port=secure_server.tls_port, tls="ssl", password_file=secret, ca_file=pki[0]
    )
    messages, failed, _ = drain(conn.changes(None))
    assert failed == [] and len(messages) == 2
    assert "(ssl)" in conn.check()
    conn.close()
    assert f"user=<{user.username}>, method=PLAIN" in secure_server.log_text()
    assert "TLS" in secure_server.log_text()


def test_starttls_on_the_plain_port(
    account: tuple[DovecotUser, Path], pki: tuple[Path, Path, Path]
) -> None:
    user, secret = account
    conn = _connector(user, port=user.port, tls="starttls", password_file=secret, ca_file=pki[0])
    messages, _, _ = drain(conn.changes(None))
    conn.close()
    assert len(messages) == 2


def test_an_unknown_certificate_authority_is_refused_with_the_fix(
    secure_server: Dovecot, account: tuple[DovecotUser, Path]
) -> None:
    user, secret = account
    conn = _connector(user, port=secure_server.tls_port, tls="ssl", password_file=secret)
    with pytest.raises(ConnectorError, match="could not be verified") as refused:
        drain(conn.changes(None))
    assert "ca_file" in str(refused.value)


def test_tls_against_a_plain_listener_says_which_setting_to_use(
    account: tuple[DovecotUser, Path], pki: tuple[Path, Path, Path]
) -> None:
    user, secret = account
    conn = _connector(user, port=user.port, tls="ssl", password_file=secret, ca_file=pki[0])
    with pytest.raises(ConnectorError, match='tls = "starttls"'):
        drain(conn.changes(None))


def test_a_missing_ca_file_is_a_configuration_error(account: tuple[DovecotUser, Path]) -> None:
    user, secret = account
    with pytest.raises(UserError) as bad:
        _connector(user, password_file=secret, ca_file=Path("/nonexistent/ca.pem"))
    assert "ca_file" in str(bad.value.problems)


# --- XOAUTH2 -------------------------------------------------------------------------------


def _token_helper(folder: Path, token: str) -> tuple[list[str], Path]:
    """A token command (as a provider's helper would be) printing ``token`` and counting
    its runs in a file beside it."""
    runs = folder / "token-runs"
    script = folder / "token-helper.py"
    script.write_text(
        "import pathlib, sys\n"
        f"runs = pathlib.Path({str(runs)!r})\n"
        "runs.write_text(str(int(runs.read_text() or 0) + 1) if runs.exists() else '1')\n"
        f"print({token!r})\n"
    )
    return [sys.executable, str(script)], runs


def test_xoauth2_with_a_token_command(
    secure_server: Dovecot,
    account: tuple[DovecotUser, Path],
    introspection: Introspection,
    pki: tuple[Path, Path, Path],
    tmp_path: Path,
) -> None:
    user, _ = account
    introspection.tokens["tok-" + user.username] = user.username
    command, runs = _token_helper(tmp_path, "tok-" + user.username)
    conn = _connector(
        user,
        port=secure_server.tls_port,
        tls="ssl",
        ca_file=pki[0],
        auth="xoauth2",
        token_command=command,
    )
    messages, _, _ = drain(conn.changes(None))
    assert len(messages) == 2
    conn.close()
    drain(conn.changes(None))  # a new connection asks the helper for a fresh token
    conn.close()
    assert runs.read_text() == "2"
    assert introspection.asked.count("tok-" + user.username) >= 2
    assert f"user=<{user.username}>, method=XOAUTH2" in secure_server.log_text()


def test_a_refused_token_is_a_clear_error_and_not_retried(
    secure_server: Dovecot,
    account: tuple[DovecotUser, Path],
    introspection: Introspection,
    pki: tuple[Path, Path, Path],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user, _ = account
    command, runs = _token_helper(tmp_path, "expired-token-value")
    conn = _connector(
        user,
        port=secure_server.tls_port,
        tls="ssl",
        ca_file=pki[0],
        auth="xoauth2",
        token_command=command,
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthError) as refused:
        drain(conn.changes(None))
    assert "token_command" in str(refused.value)
    asked = introspection.asked.count("expired-token-value")
    with pytest.raises(AuthError):  # the same token again: refused without asking the server
        drain(conn.changes(None))
    assert introspection.asked.count("expired-token-value") == asked
    assert runs.read_text() == "2"  # the helper was asked (it might have had a new token)
    assert "expired-token-value" not in caplog.text


def test_xoauth2_from_chief_toml_with_a_token_file(
    secure_server: Dovecot,
    account: tuple[DovecotUser, Path],
    introspection: Introspection,
    pki: tuple[Path, Path, Path],
    tmp_path: Path,
) -> None:
    user, _ = account
    introspection.tokens["file-tok-" + user.username] = user.username
    (tmp_path / "secrets").mkdir()
    token_file = tmp_path / "secrets" / "imap-token"
    token_file.write_text("file-tok-" + user.username + "\n")
    token_file.chmod(0o600)
    (tmp_path / "ca.pem").write_bytes(pki[0].read_bytes())
    config = tmp_path / "chief.toml"
    config.write_text(
        "[practice]\n"
        'name = "Secure Practice"\n'
        'practitioner = "Dr Test"\n'
        'email = "dr@practice.example"\n'
        'timezone = "Europe/London"\n'
        "[mail]\n"
        'connector = "imap"\n'
        f'host = "{user.host}"\n'
        f"port = {secure_server.tls_port}\n"
        f'username = "{user.username}"\n'
        'auth = "xoauth2"\n'
        'token_file = "secrets/imap-token"\n'
        'ca_file = "ca.pem"\n'
    )
    rt = Runtime.from_config(load_config(config))
    try:
        messages, _, _ = drain(rt.mail().changes(None))
    finally:
        rt.close()
    assert len(messages) == 2
    token_file.chmod(0o644)
    with pytest.raises(UserError, match="chmod"):
        Runtime.from_config(load_config(config)).mail()


def test_xoauth2_needs_exactly_one_token_source(account: tuple[DovecotUser, Path]) -> None:
    user, secret = account
    with pytest.raises(UserError, match="token_command"):
        _connector(user, auth="xoauth2")
    with pytest.raises(UserError, match="one of"):
        _connector(user, auth="xoauth2", token_command=["x"], token_file=secret)
    with pytest.raises(UserError, match="list of words"):
        _connector(user, auth="xoauth2", token_command="helper --token")
