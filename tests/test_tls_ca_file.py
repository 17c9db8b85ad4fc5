"""``ca_file`` on every TLS connection: CalDAV (Radicale) and SMTP (aiosmtpd) over TLS with
certificates from a certificate authority made for this module, as a practice's own servers
have them, and the key checked once, as configuration, by ``chief doctor``.

The environment of this machine points ``REQUESTS_CA_BUNDLE`` and ``SSL_CERT_FILE`` at the
system's store, which does not hold the test CA: each test below sets them so explicitly, so a
pass proves ``ca_file`` itself was used, and a refusal proves nothing else trusted the CA.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.errors import ConnectorError, UserError
from connectors.base import CalendarEntry
from connectors.ical.caldav import CaldavCalendar
from connectors.smtp import SmtpSender
from tests.fixtures_radicale import Radicale, need_module, serve_radicale
from tests.fixtures_smtp import SmtpServer, serve_smtp

pytestmark = pytest.mark.servers

PRACTITIONER = "dr@practice.example"
SYSTEM_STORE = "/etc/ssl/certs/ca-certificates.crt"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    need_module("cryptography", "cryptography")
    from tests.servers.pki import make_pki

    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def radicale_tls(
    pki: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Radicale]:
    with serve_radicale(tmp_path_factory.mktemp("dav") / "radicale", pki[1:]) as server:
        yield server


@pytest.fixture(scope="module")
def smtp_starttls(
    pki: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SmtpServer]:
    yield from serve_smtp(tmp_path_factory.mktemp("smtp-starttls"), "starttls", pki[1:])


@pytest.fixture(scope="module")
def smtp_ssl(
    pki: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SmtpServer]:
    yield from serve_smtp(tmp_path_factory.mktemp("smtp-ssl"), "ssl", pki[1:])


@pytest.fixture(autouse=True)
def system_store_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """What this machine sets, made explicit: the system's store, without the test CA."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", SYSTEM_STORE)
    monkeypatch.setenv("SSL_CERT_FILE", SYSTEM_STORE)


def calendar(server: Radicale, **options: object) -> CaldavCalendar:
    return CaldavCalendar(
        server.url,
        server.username,
        server.password_file,
        calendar="Practice",
        tz="Europe/London",
        timeout=5.0,
        **options,  # type: ignore[arg-type]
    )


def summary(key: str) -> bytes:
    return (
        f"From: Practice Chief <{PRACTITIONER}>\r\nTo: <{PRACTITIONER}>\r\n"
        f"Subject: Summary\r\nX-Chief-Key: {key}\r\n\r\nHello\r\n"
    ).encode()


def sender(server: SmtpServer, tls: str, **options: object) -> SmtpSender:
    return SmtpSender(
        server.host,
        server.port,
        server.username,
        server.password_file,
        tls=tls,  # type: ignore[arg-type]
        practitioner_address=PRACTITIONER,
        timeout=5.0,
        **options,  # type: ignore[arg-type]
    )


# --- CalDAV ---------------------------------------------------------------------------------


def test_caldav_trusts_the_ca_named_in_ca_file(
    radicale_tls: Radicale, pki: tuple[Path, Path, Path]
) -> None:
    assert radicale_tls.url.startswith("https://127.0.0.1:")
    connector = calendar(radicale_tls, ca_file=pki[0])
    entry = CalendarEntry("k-tls-1", "Due: prior auth", date(2026, 12, 1), date(2026, 12, 2))
    remote = connector.upsert_event(entry)
    assert connector.find_event("k-tls-1") == remote
    connector.close()


def test_caldav_without_ca_file_refuses_the_certificate(radicale_tls: Radicale) -> None:
    connector = calendar(radicale_tls)
    with pytest.raises(ConnectorError, match="`ca_file`"):
        connector.find_event("k-tls-2")
    connector.close()


# --- SMTP -----------------------------------------------------------------------------------


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_smtp_trusts_the_ca_named_in_ca_file(
    tls: str,
    request: pytest.FixtureRequest,
    pki: tuple[Path, Path, Path],
) -> None:
    server: SmtpServer = request.getfixturevalue(
        {"starttls": "smtp_starttls", "ssl": "smtp_ssl"}[tls]
    )
    before = len(server.messages)
    with pytest.raises(ConnectorError, match="`ca_file` of \\[smtp\\]"):
        sender(server, tls).send_to_practitioner(summary(f"k-{tls}-refused"), f"k-{tls}-refused")
    assert len(server.messages) == before  # nothing sent to an untrusted server
    trusted = sender(server, tls, ca_file=pki[0])
    assert "reachable" in trusted.check()
    trusted.send_to_practitioner(summary(f"k-{tls}"), f"k-{tls}")
    assert [m.rcpt_tos for m in server.messages[before:]] == [[PRACTITIONER]]


# --- configuration --------------------------------------------------------------------------


def test_a_bad_ca_file_is_named_with_key_and_file(tmp_path: Path) -> None:
    not_pem = tmp_path / "ca.txt"
    not_pem.write_text("not a certificate\n")
    with pytest.raises(UserError) as missing:
        SmtpSender("smtp.example.com", ca_file=tmp_path / "none.pem")
    assert f"`ca_file` in [smtp]: no file at {tmp_path / 'none.pem'}" in str(missing.value)
    secret = tmp_path / "pw"
    secret.write_text("x\n")
    secret.chmod(0o600)
    with pytest.raises(UserError) as garbage:
        CaldavCalendar("https://dav.example.com/", "u", secret, ca_file=not_pem)
    assert f"`ca_file` in [calendar]: {not_pem} holds no certificate" in str(garbage.value)


def _doctor(home: Path) -> tuple[int, list[dict[str, object]]]:
    chief = shutil.which("chief")
    assert chief, "the `chief` console script is not installed (pip install -e '.[test]')"
    done = subprocess.run(
        [chief, "--config", str(home / "chief.toml"), "doctor", "--json"],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, json.loads(done.stdout)["checks"]


def _practice(home: Path, calendar_toml: str, smtp_toml: str) -> Path:
    for sub in ("cur", "new", "tmp"):
        (home / "Maildir" / sub).mkdir(parents=True, exist_ok=True)
    (home / "chief.toml").write_text(
        textwrap.dedent(
            f"""\
            [practice]
            name = "Test Practice"
            practitioner = "Dr Test"
            email = "{PRACTITIONER}"
            timezone = "Europe/London"

            [mail]
            connector = "maildir"
            path = "Maildir"

            [summary]
            via = "smtp"
            """
        )
        + calendar_toml
        + smtp_toml
    )
    (home / "chief.toml").chmod(0o600)
    return home


def test_doctor_reports_bad_ca_files_once_as_configuration(tmp_path: Path) -> None:
    (tmp_path / "garbage.pem").write_text("-----BEGIN NOTHING-----\n")
    home = _practice(
        tmp_path,
        '[calendar]\nconnector = "caldav"\nurl = "https://dav.example.com/"\n'
        'username = "u"\npassword_env = "HOME"\nca_file = "missing-ca.pem"\n',
        '[smtp]\nhost = "smtp.example.com"\nca_file = "garbage.pem"\n',
    )
    code, checks = _doctor(home)
    assert code == 1
    assert [c["name"] for c in checks] == ["configuration"]  # said once, and nothing after
    detail = str(checks[0]["detail"])
    assert f"`ca_file` in [calendar]: no file at {tmp_path / 'missing-ca.pem'}" in detail
    assert f"`ca_file` in [smtp]: {tmp_path / 'garbage.pem'} holds no certificate" in detail
    assert detail.count("ca_file") == 2


def test_doctor_checks_caldav_and_smtp_through_the_practice_ca(
    tmp_path: Path,
    radicale_tls: Radicale,
    smtp_starttls: SmtpServer,
    pki: tuple[Path, Path, Path],
) -> None:
    shutil.copyfile(pki[0], tmp_path / "practice-ca.pem")
    home = _practice(
        tmp_path,
        f'[calendar]\nconnector = "caldav"\nurl = "{radicale_tls.url}"\n'
        f'username = "{radicale_tls.username}"\npassword_file = "{radicale_tls.password_file}"\n'
        'ca_file = "practice-ca.pem"\n',
        f'[smtp]\nhost = "{smtp_starttls.host}"\nport = {smtp_starttls.port}\n'
        f'username = "{smtp_starttls.username}"\n'
        f'password_file = "{smtp_starttls.password_file}"\n'
        'tls = "starttls"\nca_file = "practice-ca.pem"\n',
    )
    code, checks = _doctor(home)
    failed = {c["name"]: c["detail"] for c in checks if not c["ok"]}
    assert code == 0, failed
    names = [c["name"] for c in checks]
    assert "calendar (caldav)" in names and "summary sender (smtp)" in names
