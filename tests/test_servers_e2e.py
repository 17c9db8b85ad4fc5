"""The whole pipeline from a chief.toml over real servers: mail from Dovecot (IMAP), the
calendar on Radicale (CalDAV), the summary by SMTP (aiosmtpd). A second client checks the
result on each server, and the user's mail is left exactly as it was."""

from __future__ import annotations

import email
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import icalendar
import pytest
from caldav.davclient import DAVClient

from bot.resources import shipped_examples
from tests.fixtures_radicale import Radicale, radicale_fixture  # noqa: F401 - the fixture
from tests.fixtures_smtp import SmtpServer, smtp_server_fixture  # noqa: F401 - the fixture
from tests.samples import sample_files

pytest_plugins = ["tests.fixtures_dovecot"]
pytestmark = pytest.mark.servers

PRACTITIONER = "nbrandt@riverside-sportsmed.example"


def _config(home: Path, dovecot: Any, radicale: Radicale, smtp: SmtpServer) -> Path:
    examples = shipped_examples() / "practices" / "sports-medicine-us"
    shutil.copy(examples / "register.yaml", home / "register.yaml")
    shutil.copytree(shipped_examples() / "practice-rules", home / "rules")  # its [rules] dirs
    text = (examples / "chief.toml").read_text()
    text = text[: text.index("[mail]")]  # keep [practice]; replace the connectors
    text += f"""
[mail]
connector = "imap"
host = "{dovecot.host}"
port = {dovecot.port}
username = "{dovecot.username}"
password_file = "{dovecot.password_file}"
tls = "none"

[calendar]
connector = "caldav"
url = "{radicale.url}"
username = "{radicale.username}"
password_file = "{radicale.password_file}"
calendar = "Practice"

[summary]
via = "smtp"

[smtp]
host = "{smtp.host}"
port = {smtp.port}
username = "{smtp.username}"
password_file = "{smtp.password_file}"
tls = "none"
"""
    path = home / "chief.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def _chief(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    return subprocess.run(["chief", *args], env=env, capture_output=True, text=True, timeout=600)


def _server_events(radicale: Radicale) -> list[Any]:
    client = DAVClient(radicale.url, username=radicale.username, password=radicale.password)
    events = []
    for calendar in client.principal().calendars():
        for item in calendar.events():
            events.extend(icalendar.Calendar.from_ical(item.data).walk("VEVENT"))
    return events


def test_sync_over_imap_caldav_and_smtp(
    dovecot: Any, radicale: Radicale, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    samples = sample_files("sports-medicine-us")
    dovecot.seed(p.read_bytes() for p in samples)
    inbox_before = dovecot.snapshot("INBOX")
    config = _config(tmp_path, dovecot, radicale, smtp_server)

    first = _chief(config, "sync", "--json")
    assert first.returncode == 0, first.stderr[-3000:]
    report = json.loads(first.stdout)
    assert report["messages"] == len(samples)
    assert report["drafts_written"] >= 10
    assert report["calendar_written"] >= 10

    second = _chief(config, "sync", "--json")
    assert second.returncode == 0, second.stderr[-3000:]
    again = json.loads(second.stdout)
    assert (again["messages"], again["drafts_written"], again["calendar_written"]) == (0, 0, 0)

    # A second IMAP client: drafts flagged \Draft, threaded to messages in the inbox.
    originals = {email.message_from_bytes(p.read_bytes())["Message-ID"] for p in samples}
    drafts = dovecot.messages("Drafts")
    assert len(drafts) == report["drafts_written"]
    for raw, flags in drafts:
        assert b"\\Draft" in flags
        parsed = email.message_from_bytes(raw)
        if parsed["In-Reply-To"] is None:  # a renewal checklist answers no message
            assert parsed["Subject"].startswith("Renewal checklist:")
            assert parsed["To"] == parsed["From"]
        else:
            assert parsed["In-Reply-To"] in originals
    # The user's mail is untouched: same messages, same flags (nothing marked read).
    assert dovecot.snapshot("INBOX") == inbox_before

    # A second CalDAV client: our entries, once each, with their alarms.
    events = _server_events(radicale)
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)) == report["calendar_written"]
    # A deadline its case's decision closed stays, marked "Closed:", without alarms.
    assert all(e.walk("VALARM") for e in events if not str(e["SUMMARY"]).startswith("Closed: "))

    # The summary, by SMTP, to the practitioner alone, once.
    for _ in range(2):
        sent = _chief(config, "summary", "--send")
        assert sent.returncode == 0, sent.stderr[-3000:]
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].rcpt_tos == [PRACTITIONER]

    doctor = _chief(config, "doctor", "--json")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr[-2000:]
    assert json.loads(doctor.stdout)["ok"] is True

    # The calendar emptied by another client: doctor says so, the next sync writes it again.
    client = DAVClient(radicale.url, username=radicale.username, password=radicale.password)
    for calendar in client.principal().calendars():
        for item in calendar.events():
            item.delete()
    assert _server_events(radicale) == []
    doctor = _chief(config, "doctor", "--json")
    calendar_check = [c for c in json.loads(doctor.stdout)["checks"] if "calendar" in c["name"]]
    assert not calendar_check[0]["ok"] and "none of the" in calendar_check[0]["detail"]
    rebuilt = _chief(config, "sync", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    assert sorted(str(e["UID"]) for e in _server_events(radicale)) == sorted(uids)

    # The case log lost: refused, and nothing drafted again on the server.
    for path in (tmp_path / "data").glob("chief.db*"):
        path.unlink()
    refused = _chief(config, "sync")
    assert refused.returncode == 1 and "--new-case-log" in refused.stderr
    assert len(dovecot.messages("Drafts")) == len(drafts)
