"""The bot never sends to a third party: the only message it ever sends is the daily summary,
to the practitioner's own address, and that is enforced in one place
(:func:`connectors.recipients.require_practitioner_only`).

For every summary sender (each mail connector delivers the summary into the practitioner's own
inbox; ``[summary] via = "smtp"`` sends it by SMTP) against its real local server: a summary
addressed to the practitioner is delivered once; one naming anyone else, however disguised, is
refused with a clear error and nothing reaches the server (its state is unchanged and it saw
no connection or call at all). A static inspection then shows there is no other way out: no
send, sendMail, reply or forward call in any connector, SMTP in ``connectors/smtp.py`` only, and
every ``send_to_practitioner`` checking its recipients before anything else.
"""

from __future__ import annotations

import ast
import contextlib
import email
import email.policy
import hashlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.errors import UserError
from connectors import MAIL_CONNECTORS, SENDERS
from connectors.maildir import MaildirConnector
from connectors.smtp import SmtpSender
from tests.connector_contract import PRACTITIONER
from tests.fixtures_smtp import SmtpServer, smtp_server_fixture  # noqa: F401 - the fixture
from tests.servers.google_api import GoogleApiServer
from tests.servers.google_testing import gmail_for
from tests.servers.graph_api import GraphServer
from tests.servers.graph_testing import outlook_for

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount

pytest_plugins = ["tests.fixtures_dovecot", "tests.fixtures_google", "tests.fixtures_graph"]
pytestmark = pytest.mark.servers

ROOT = Path(__file__).resolve().parent.parent
THIRD = "solicitor@firm.example"
KEY = "summary-2026-11-24"


def summary(recipients: str = f"To: Dr Test <{PRACTITIONER}>") -> bytes:
    """A summary the way ``bot.summary.render`` builds one, with ``recipients`` as its address
    lines."""
    lines = [line for line in recipients.split("\n") if line]
    return (
        "\r\n".join(
            [
                f"From: Dr Test <{PRACTITIONER}>",
                *lines,
                "Subject: Practice summary for Tuesday",
                "Date: Tue, 24 Nov 2026 07:00:00 +0000",
                "Message-ID: <summary-2026-11-24@practice.example>",
                "Auto-Submitted: auto-generated",
                f"X-Chief-Key: {KEY}",
                "X-Chief-Generated: summary",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8",
                "",
                "3 deadlines this week.",
                "",
            ]
        )
    ).encode()


# Each a set of address lines that must be refused: a third party in plain sight, or disguised.
TRICKS: dict[str, str] = {
    "to": f"To: {THIRD}",
    "to and practitioner": f"To: {PRACTITIONER}, {THIRD}",
    "cc": f"To: {PRACTITIONER}\nCc: {THIRD}",
    "bcc": f"To: {PRACTITIONER}\nBcc: {THIRD}",
    "resent-to": f"To: {PRACTITIONER}\nResent-To: {THIRD}",
    "resent-cc": f"To: {PRACTITIONER}\nResent-Cc: {THIRD}",
    "resent-bcc": f"To: {PRACTITIONER}\nResent-Bcc: {THIRD}",
    "lower-case field": f"To: {PRACTITIONER}\ncc: {THIRD}",
    "space before colon": f"To: {PRACTITIONER}\nCc : {THIRD}",  # RFC 5322 4.5 obsolete form
    "folded": f"To: {PRACTITIONER},\n {THIRD}",
    "two To fields": f"To: {PRACTITIONER}\nTo: {THIRD}",
    "encoded word as address": "To: =?utf-8?q?solicitor=40firm=2Eexample?=",
    "encoded-word name (Q)": f"To: =?utf-8?q?solicitor=40firm=2Eexample?= <{PRACTITIONER}>",
    "encoded-word name (B)": f"To: =?utf-8?b?c29saWNpdG9yQGZpcm0uZXhhbXBsZQ==?= <{PRACTITIONER}>",
    "encoded word, unknown charset": f"To: =?x-unknown?q?Dr?= <{PRACTITIONER}>",
    "group with a third party": f"To: practice: {PRACTITIONER}, {THIRD};",
    "group named as the practitioner": f"To: {PRACTITIONER}: {THIRD};",
    "empty group": "To: undisclosed-recipients:;",
    "display name is the practitioner": f'To: "{PRACTITIONER}" <{THIRD}>',
    "display name hides a third party": f'To: "{THIRD}" <{PRACTITIONER}>',
    "bare address as display name": f"To: {PRACTITIONER} <{THIRD}>",
    "comment hides a third party": f"To: {PRACTITIONER} ({THIRD})",
    "source route": f"To: <@firm.example:{PRACTITIONER}>",
    "percent hack": "To: solicitor%firm.example@practice.example",
    "look-alike domain": "To: dr@practice.example.firm.example",
    "reply-to": f"To: {PRACTITIONER}\nReply-To: {THIRD}",
    "read receipt": f"To: {PRACTITIONER}\nDisposition-Notification-To: {THIRD}",
    "bare CR hides a field": f"To: {PRACTITIONER}\rCc: {THIRD}",
    "malformed header line": f"To: {PRACTITIONER}\nnot a field\nCc: {THIRD}",
    "no recipient": "",
}

# Accepted: the practitioner alone, however written.
FINE: dict[str, str] = {
    "display name": f"To: Dr Test <{PRACTITIONER}>",
    "upper case": f"To: {PRACTITIONER.upper()}",
    "encoded-word name": f"To: =?utf-8?q?Dr_Zo=C3=AB_Test?= <{PRACTITIONER}>",
    "group of one": f"To: me: {PRACTITIONER};",
    "cc and reply-to self": f"To: {PRACTITIONER}\nCc: {PRACTITIONER}\nReply-To: {PRACTITIONER}",
}


@dataclass
class Harness:
    """One summary sender and a second look at its server.

    ``held()``: every message the server holds for the practitioner (raw bytes), as a second
    client sees it. ``contacts()``: how many connections, sign-ins or API calls the server has
    seen. ``idempotent``: a second send with the same key delivers nothing more (mailbox
    senders; SMTP cannot take a message back, so ``deliver_summary`` keys it in the audit trail
    instead).
    """

    sender: Any
    held: Callable[[], list[bytes]]
    contacts: Callable[[], int]
    idempotent: bool = True
    send_calls: Callable[[], list[str]] = list


def _maildir(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    root = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)

    def tree() -> list[Path]:
        return sorted(p for p in root.rglob("*") if p.is_file())

    return Harness(
        MaildirConnector(root, practitioner_address=PRACTITIONER),
        held=lambda: [p.read_bytes() for p in tree()],
        contacts=lambda: len(list(root.rglob("*"))),  # any file or folder made, tmp/ included
    )


class _CountingRelay:
    """A TCP relay on 127.0.0.1 in front of the IMAP server that counts the connections made
    through it: the connector under test reaches Dovecot only this way."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            server = socket.create_connection(self.target)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def _imap(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    account: DovecotAccount = request.getfixturevalue("dovecot")
    relay = _CountingRelay((account.host, account.port))
    request.addfinalizer(relay.close)

    def held() -> list[bytes]:  # a second client, straight to the server
        return [
            raw for folder in ("INBOX", "Sent", "Drafts") for raw, _ in account.messages(folder)
        ]

    return Harness(
        account.connector(port=relay.port, practitioner_address=PRACTITIONER),
        held,
        contacts=lambda: relay.connections,
    )


def _gmail(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    google: GoogleApiServer = request.getfixturevalue("google")
    token: Path = request.getfixturevalue("token_file")

    def held() -> list[bytes]:
        with google.gmail.lock:
            return [m.raw for m in google.gmail.messages.values()]

    return Harness(
        gmail_for(google, token),
        held,
        contacts=lambda: len(google.calls) + google.token_requests,
        send_calls=lambda: [c.method_id for c in google.calls if c.method_id.endswith(".send")],
    )


def _outlook(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    graph: GraphServer = request.getfixturevalue("graph")
    cache: Path = request.getfixturevalue("token_cache")

    def held() -> list[bytes]:
        with graph.mail.lock:
            return [graph.mail.mime(m) for m in graph.mail.messages.values()]

    def send_calls() -> list[str]:
        words = ("/send", "sendmail", "/reply", "/forward")
        return [c.path for c in graph.calls if any(w in c.path.lower() for w in words)]

    return Harness(
        outlook_for(graph, cache),
        held,
        contacts=lambda: len(graph.calls) + len(graph.token_requests),
        send_calls=send_calls,
    )


def _smtp(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    server: SmtpServer = request.getfixturevalue("smtp_server")
    sender = SmtpSender(
        host=server.host,
        port=server.port,
        username=server.username,
        password_file=server.password_file,
        tls="none",
        practitioner_address=PRACTITIONER,
        timeout=5.0,
    )
    return Harness(
        sender,
        held=lambda: [m.content for m in server.messages],
        contacts=lambda: server.greetings + server.auth_attempts + len(server.messages),
        idempotent=False,
        send_calls=lambda: [r for m in server.messages for r in m.rcpt_tos if r != PRACTITIONER],
    )


HARNESSES: dict[str, Callable[[pytest.FixtureRequest, Path], Harness]] = {
    "maildir": _maildir,
    "imap": _imap,
    "gmail": _gmail,
    "outlook": _outlook,
    "smtp": _smtp,
}


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    made = HARNESSES[request.param](request, tmp_path)
    try:
        yield made
    finally:
        closer = getattr(made.sender, "close", None)
        if closer is not None:
            closer()


def test_every_summary_sender_is_covered() -> None:
    assert set(HARNESSES) == set(MAIL_CONNECTORS) | set(SENDERS)


def test_summary_to_the_practitioner_is_delivered_once(harness: Harness) -> None:
    before = harness.held()
    harness.sender.send_to_practitioner(summary(), KEY)
    if harness.idempotent:
        harness.sender.send_to_practitioner(summary(), KEY)
    new = [raw for raw in harness.held() if raw not in before]
    assert len(new) == 1
    delivered = email.message_from_bytes(new[0], policy=email.policy.default)
    assert [a.addr_spec for a in delivered["To"].addresses] == [PRACTITIONER]
    assert "3 deadlines this week." in delivered.get_body().get_content()  # type: ignore[union-attr]
    assert harness.send_calls() == []


@pytest.mark.parametrize("name", sorted(FINE))
def test_the_practitioner_however_written_is_accepted(harness: Harness, name: str) -> None:
    harness.sender.send_to_practitioner(summary(FINE[name]), f"{KEY}-{len(name)}")
    assert len(harness.held()) == 1
    assert harness.send_calls() == []


def test_a_third_party_is_refused_and_nothing_reaches_the_server(harness: Harness) -> None:
    before_held, before_contacts = _digests(harness.held()), harness.contacts()
    accepted = []
    for name, recipients in TRICKS.items():
        try:
            harness.sender.send_to_practitioner(summary(recipients), f"{KEY}-trick")
        except UserError as exc:
            assert "practitioner only" in str(exc), name  # says what was refused
            assert THIRD not in str(exc)  # and repeats no address from the message
        else:
            accepted.append(name)
    assert accepted == [], f"sent despite: {accepted}"
    assert _digests(harness.held()) == before_held
    assert harness.contacts() == before_contacts  # no connection, sign-in or call at all
    assert harness.send_calls() == []


def test_no_practitioner_address_sends_nothing(harness: Harness) -> None:
    before = harness.contacts()
    harness.sender.practitioner_address = None
    with pytest.raises(UserError, match="no practitioner address"):
        harness.sender.send_to_practitioner(summary(), KEY)
    assert harness.contacts() == before and harness.held() == []


def _digests(messages: list[bytes]) -> list[str]:
    return sorted(hashlib.sha256(raw).hexdigest() for raw in messages)


# --- no other way out ---------------------------------------------------------------------------

SOURCES = sorted((ROOT / "connectors").rglob("*.py")) + sorted((ROOT / "bot").rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string constants that are docstrings (they may name what is never done)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            found.add(id(first.value))
    return found


def test_no_send_call_anywhere() -> None:
    """No Gmail ``messages.send`` / ``drafts.send``, no Graph ``sendMail`` / ``send`` / reply /
    forward, no ``smtplib`` outside ``connectors/smtp.py`` and its one ``sendmail``."""
    found: list[str] = []
    for path in SOURCES:
        tree = _tree(path)
        where = path.relative_to(ROOT).as_posix()
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name = node.func.attr
                if name in ("send", "send_message", "sendmail", "sendMail"):
                    found.append(f"{where}: .{name}( (line {node.lineno})")
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                modules.append(getattr(node, "module", None) or "")
                if any(m.split(".")[0] in ("smtplib", "aiosmtplib") for m in modules):
                    found.append(f"{where}: imports smtplib (line {node.lineno})")
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docs
            ):
                text = node.value.lower()
                for word in ("sendmail", "/send", "/reply", "/forward", "messages.send"):
                    if word in text:
                        found.append(f"{where}: {word!r} in a string (line {node.lineno})")
    # The SMTP sender itself: one import, one sendmail (in send_to_practitioner, after the
    # recipient check and with the practitioner as the only envelope recipient).
    allowed = ["connectors/smtp.py: .sendmail(", "connectors/smtp.py: imports smtplib"]
    assert sorted(f.partition(" (line")[0] for f in found) == allowed, found


def _registered_as(path: Path) -> str:
    """The registry name of the mail connector or sender a source file belongs to: its own
    module (``connectors/maildir.py``), or its provider family's package (``connectors/imap/``)."""
    from connectors import MAIL_CONNECTORS, SENDERS

    where = path.relative_to(ROOT / "connectors").with_suffix("").parts
    for name, target in {**MAIL_CONNECTORS, **SENDERS}.items():
        module = target.partition(":")[0].split(".")[1:]
        if (len(module) == 1 and tuple(module) == where) or (
            len(module) > 1 and len(where) > 1 and module[0] == where[0]
        ):
            return name
    raise AssertionError(f"{path} belongs to no registered mail connector or sender")


def test_every_summary_sender_checks_recipients_first() -> None:
    """In every ``send_to_practitioner`` the recipient check comes before anything that could
    reach a server (only the key's own check may come first)."""
    senders = []
    for path in sorted((ROOT / "connectors").rglob("*.py")):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.FunctionDef) and node.name == "send_to_practitioner":
                body = [
                    s
                    for s in node.body
                    if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                ]
                if not body:  # the Protocol in connectors/base.py
                    continue
                senders.append(_registered_as(path))
                first = next(i for i, s in enumerate(body) if "check_key" not in ast.dump(s))
                assert "require_practitioner_only" in ast.dump(body[first]), path.name
    assert sorted(senders) == sorted(HARNESSES)


def test_the_summary_is_the_only_thing_bot_sends() -> None:
    """Above the connectors, ``send_to_practitioner`` is called from the summary delivery alone
    (which records it in the audit trail)."""
    callers = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Attribute) and node.attr == "send_to_practitioner"
    ]
    assert callers == ["bot/summary/delivery.py"]
