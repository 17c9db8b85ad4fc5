"""The SMTP sender against a real (aiosmtpd) server: the summary reaches the practitioner and no
one else, refusals happen in code before any connection, Bcc is never transmitted, the envelope
never comes from the headers, and sign-in and transport failures are reported in plain words."""

from __future__ import annotations

import email
import email.policy
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.errors import AuthError, ConnectorError, UserError
from connectors.base import Sender
from connectors.smtp import SmtpSender, strip_bcc
from tests.fixtures_radicale import Radicale, free_port, radicale_fixture  # noqa: F401
from tests.fixtures_smtp import (  # noqa: F401 - the fixtures
    SmtpServer,
    smtp_server_fixture,
    smtp_ssl_server_fixture,
    smtp_tls_server_fixture,
)

pytestmark = pytest.mark.servers

PRACTITIONER = "dr@practice.example"
FROM = "chief@practice.example"


def summary(headers: str = f"To: Dr Test <{PRACTITIONER}>\r\n", body: str = "Hello") -> bytes:
    return (
        f"From: Practice Chief <{FROM}>\r\n"
        f"{headers}"
        "Subject: Practice summary for Tuesday\r\n"
        "Message-ID: <summary-2026-11-24@practice.example>\r\n"
        "Date: Tue, 24 Nov 2026 07:00:00 +0000\r\n"
        "X-Chief-Key: summary-2026-11-24\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"{body}\r\n"
    ).encode()


def sender(server: SmtpServer, **changes: Any) -> SmtpSender:
    args: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "password_file": server.password_file,
        "tls": "none",
        "from_address": FROM,
        "practitioner_address": PRACTITIONER,
        "timeout": 5.0,
    }
    args.update(changes)
    return SmtpSender(**args)


def test_is_a_sender(smtp_server: SmtpServer) -> None:
    assert isinstance(sender(smtp_server), Sender)


def test_summary_reaches_the_practitioner_only(smtp_server: SmtpServer) -> None:
    message_id = sender(smtp_server).send_to_practitioner(summary(), "summary-2026-11-24")
    assert message_id == "<summary-2026-11-24@practice.example>"
    (delivered,) = smtp_server.messages
    assert delivered.rcpt_tos == [PRACTITIONER]
    assert delivered.mail_from == FROM
    parsed = email.message_from_bytes(delivered.content, policy=email.policy.default)
    assert parsed["Message-ID"] == message_id
    assert parsed.get_content().strip() == "Hello"


def test_envelope_is_never_taken_from_the_headers(smtp_server: SmtpServer) -> None:
    """Upper case and a display name in the header; the envelope is the configured address."""
    raw = summary(f'To: "Dr Test" <{PRACTITIONER.upper()}>\r\nCc: {PRACTITIONER}\r\n')
    sender(smtp_server).send_to_practitioner(raw, "k")
    (delivered,) = smtp_server.messages
    assert delivered.rcpt_tos == [PRACTITIONER]


@pytest.mark.parametrize(
    "headers",
    [
        "To: someone@elsewhere.example\r\n",
        f"To: {PRACTITIONER}\r\nCc: solicitor@firm.example\r\n",
        f"To: {PRACTITIONER}\r\nBcc: payer@plan.example\r\n",
        f"To: {PRACTITIONER}, other@elsewhere.example\r\n",
        f"To: {PRACTITIONER}\r\n\tother@elsewhere.example\r\n",  # folded onto a second line
        f"To: {PRACTITIONER}\r\nResent-To: other@elsewhere.example\r\n",
        f'To: "{PRACTITIONER}" <other@elsewhere.example>\r\n',  # the name is not the address
        "",  # nobody at all
        "To: undisclosed-recipients:;\r\n",
    ],
)
def test_anyone_else_is_refused_before_connecting(smtp_server: SmtpServer, headers: str) -> None:
    with pytest.raises(UserError, match="practitioner only"):
        sender(smtp_server).send_to_practitioner(summary(headers), "k")
    assert smtp_server.greetings == 0  # no session was even opened
    assert smtp_server.messages == []


def test_no_practitioner_address_is_refused(smtp_server: SmtpServer) -> None:
    with pytest.raises(UserError, match="no practitioner address"):
        sender(smtp_server, practitioner_address=None).send_to_practitioner(summary(), "k")
    assert smtp_server.greetings == 0


def test_bcc_is_never_transmitted(smtp_server: SmtpServer) -> None:
    raw = summary(f"To: {PRACTITIONER}\r\nBcc: Dr Test\r\n <{PRACTITIONER}>\r\n")
    sender(smtp_server).send_to_practitioner(raw, "k")
    (delivered,) = smtp_server.messages
    assert b"bcc" not in delivered.content.lower()
    assert delivered.content.count(PRACTITIONER.encode()) == 1  # the To header only
    assert delivered.rcpt_tos == [PRACTITIONER]
    assert delivered.content.rstrip().endswith(b"Hello")


def test_strip_bcc_keeps_everything_else() -> None:
    raw = (
        b"To: a@b.example\r\nBCC: a@b.example,\r\n  a@b.example\r\nSubject: x\r\n\r\nBcc: body\r\n"
    )
    assert strip_bcc(raw) == b"To: a@b.example\r\nSubject: x\r\n\r\nBcc: body\r\n"


def test_missing_message_id_and_date_are_added_from_the_key(smtp_server: SmtpServer) -> None:
    raw = (f"From: {FROM}\r\nTo: {PRACTITIONER}\r\nSubject: s\r\n\r\nHi\r\n").encode()
    first = sender(smtp_server).send_to_practitioner(raw, "summary-key")
    again = sender(smtp_server).send_to_practitioner(raw, "summary-key")
    assert first == again and first.endswith("@practice.example>")
    parsed = email.message_from_bytes(smtp_server.messages[0].content)
    assert parsed["Message-ID"] == first and parsed["Date"]


def test_wrong_password_is_auth_error(smtp_server: SmtpServer, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-password\n")
    wrong.chmod(0o600)
    with pytest.raises(AuthError, match="refused the sign-in"):
        sender(smtp_server, password_file=wrong).send_to_practitioner(summary(), "k")
    with pytest.raises(AuthError):
        sender(smtp_server, password_file=wrong).check()
    assert smtp_server.messages == []


def test_server_down_is_connector_error() -> None:
    down = SmtpSender(
        "127.0.0.1", free_port(), tls="none", practitioner_address=PRACTITIONER, timeout=2.0
    )
    with pytest.raises(ConnectorError, match="connection refused") as caught:
        down.send_to_practitioner(summary(), "k")
    assert not isinstance(caught.value, AuthError)


def test_check_reports_and_sends_nothing(smtp_server: SmtpServer) -> None:
    report = sender(smtp_server).check()
    assert "reachable" in report and "AUTH offered" in report and "signed in" in report
    assert smtp_server.greetings == 1 and smtp_server.messages == []


def test_starttls_required_and_used(
    smtp_tls_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert smtp_tls_server.cafile is not None
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_tls_server.cafile))  # trust the test CA
    tls = sender(smtp_tls_server, tls="starttls")
    assert "STARTTLS used" in tls.check()
    tls.send_to_practitioner(summary(), "k")
    assert [m.rcpt_tos for m in smtp_tls_server.messages] == [[PRACTITIONER]]


def test_implicit_tls(smtp_ssl_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    assert smtp_ssl_server.cafile is not None
    monkeypatch.setenv("SSL_CERT_FILE", str(smtp_ssl_server.cafile))
    tls = sender(smtp_ssl_server, tls="ssl")
    assert "; TLS;" in tls.check()
    tls.send_to_practitioner(summary(), "k")
    assert [m.rcpt_tos for m in smtp_ssl_server.messages] == [[PRACTITIONER]]


def test_untrusted_certificate_is_refused(smtp_tls_server: SmtpServer) -> None:
    with pytest.raises(ConnectorError, match="not trusted"):
        sender(smtp_tls_server, tls="starttls").send_to_practitioner(summary(), "k")
    assert smtp_tls_server.messages == []


def test_starttls_missing_is_refused(smtp_server: SmtpServer) -> None:
    with pytest.raises(ConnectorError, match="does not offer STARTTLS"):
        sender(smtp_server, tls="starttls").send_to_practitioner(summary(), "k")
    assert smtp_server.messages == []


def test_configuration_refused_in_plain_words(smtp_server: SmtpServer) -> None:
    with pytest.raises(UserError, match="in clear"):
        SmtpSender("smtp.example.com", tls="none", practitioner_address=PRACTITIONER)
    with pytest.raises(UserError, match="tls"):
        SmtpSender("smtp.example.com", tls="tls", practitioner_address=PRACTITIONER)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="no password"):
        SmtpSender("smtp.example.com", username="u", practitioner_address=PRACTITIONER)


def test_password_never_logged(smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    smtp = sender(smtp_server)
    smtp.send_to_practitioner(summary(body="Jane Patientname"), "k")
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail."))
    assert smtp_server.password not in ours  # (aiosmtpd's own "mail.log" is the server's)
    assert "Patientname" not in ours and "summary for Tuesday" not in ours
    assert smtp_server.password not in repr(smtp)


def test_doctor_and_runtime_with_caldav_and_smtp(
    tmp_path: Path, smtp_server: SmtpServer, radicale: Radicale
) -> None:
    """chief.toml keys reach the constructors (password files relative to chief.toml), the
    runtime addresses the summary to the practice's own address, and doctor checks both."""
    from bot.cli.doctor import run_checks
    from bot.config import load_config
    from bot.sync.runtime import Runtime

    home = tmp_path / "practice"
    for sub in ("cur", "new", "tmp"):
        (home / "Maildir" / sub).mkdir(parents=True)
    (home / "secrets").mkdir()
    for name, source in (("caldav", radicale.password_file), ("smtp", smtp_server.password_file)):
        (home / "secrets" / name).write_bytes(source.read_bytes())
        (home / "secrets" / name).chmod(0o600)
    (home / "chief.toml").write_text(
        f"""[practice]
name = "Test Practice"
practitioner = "Dr Test"
email = "{PRACTITIONER}"
timezone = "Europe/London"

[mail]
connector = "maildir"
path = "Maildir"

[calendar]
connector = "caldav"
url = "{radicale.url}"
username = "{radicale.username}"
password_file = "secrets/caldav"
calendar = "Practice"
timeout = 5.0

[summary]
via = "smtp"

[smtp]
host = "127.0.0.1"
port = {smtp_server.port}
username = "{smtp_server.username}"
password_file = "secrets/smtp"
tls = "none"
"""
    )
    checks = {c["name"]: c for c in run_checks(home / "chief.toml")}
    assert checks["calendar (caldav)"]["ok"], checks["calendar (caldav)"]
    assert "will be created" in str(checks["calendar (caldav)"]["detail"])
    assert checks["summary sender (smtp)"]["ok"], checks["summary sender (smtp)"]
    assert smtp_server.messages == []
    runtime = Runtime.from_config(load_config(home / "chief.toml"))
    try:
        runtime.sender().send_to_practitioner(summary(), "k")
    finally:
        runtime.close()
    (delivered,) = smtp_server.messages
    assert delivered.rcpt_tos == [PRACTITIONER] and delivered.mail_from == PRACTITIONER
