"""A case log rebuilt by syncing again adopts what is already on the calendar and in Drafts.

The README promises that a lost case log (a lost SQLCipher key, a new pseudonym key) is
rebuilt by syncing again. That holds only if every remote object's key comes from what the
mail says (message keys, thread roots, references, the practice's slug, the day), never
from a number the case log hands out in the order mail happens to be read. Each test syncs a
small practice, deletes its case log, syncs again (with the summary delivered each time) and
checks, with a second client on the server, that no draft, event or summary was added: on
every draft connector (Maildir, IMAP on Dovecot, Gmail and Outlook on the local API
servers) and every calendar connector (.ics, CalDAV on Radicale, Google Calendar, Outlook).
The Maildir run also changes the read order between the two syncs (a ``chmod`` renews every
file's change time, which is the order a Maildir is read in; one message a batch, since each
batch is filed in sent order) and checks that the case numbers did change, so the test holds
the keys to account and not luck.
"""

from __future__ import annotations

import email
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import pytest
from sqlalchemy import select

from bot.cli.demo import prepare_home
from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.keys import marker_of
from bot.store.models import Case, CaseRef
from bot.summary.delivery import deliver_summary
from bot.sync.runtime import Runtime
from connectors.microsoft.calendar import KEY_PROPERTY as GRAPH_EVENT_KEY
from connectors.microsoft.outlook import KEY_PROPERTY as GRAPH_DRAFT_KEY
from tests.fixtures_google import google  # noqa: F401 - the fixture
from tests.fixtures_graph import graph  # noqa: F401 - the fixture
from tests.fixtures_radicale import Radicale, radicale_fixture  # noqa: F401 - the fixture
from tests.samples import sample_files
from tests.servers.google_testing import signed_in as google_signed_in
from tests.servers.graph_api import CLIENT_ID, TENANT
from tests.servers.graph_testing import signed_in as graph_signed_in

pytest_plugins = ["tests.fixtures_dovecot"]
pytestmark = pytest.mark.servers

PRACTICE = "sports-medicine-us"
TODAY = date(2026, 11, 24)  # the sample practice's day
# Payer threads with deadlines and chases, a solicitor's instruction, team invitations: a
# few cases of every shape, small enough for every connector.
DOMAINS = (
    "aetna.com",
    "cigna.com",
    "evicore.com",
    "harcourtlyle.example",
    "riversiderovers.example",
    "rchs.riverside-usd.example",
)

Snapshot = dict[str, Counter[str]]


def small_mailbox() -> list[tuple[str, bytes]]:
    """(file name, CRLF bytes) of the sample messages from :data:`DOMAINS`."""
    out = []
    for path in sample_files(PRACTICE):
        raw = path.read_bytes()
        sender = email.message_from_bytes(raw)["From"] or ""
        if any(sender.rstrip("> ").endswith(domain) for domain in DOMAINS):
            out.append((path.name, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")))
    return out


def practice(home: Path, mail: str, calendar: str) -> Path:
    """The demo practice with the small mailbox in its own Maildir and the given
    ``[mail]`` and ``[calendar]`` sections."""
    config = prepare_home(home, PRACTICE)
    keep = {name for name, _ in small_mailbox()}
    for path in (home / "Maildir" / "new").iterdir():
        if path.name not in keep:
            path.unlink()
    text = config.read_text()
    head, _, rest = text.partition("[mail]")
    _, _, tail = rest.partition("[database]")
    config.write_text(f"{head}{mail}\n{calendar}\n[database]{tail}")
    return config


def run(config: Path, new_case_log: bool = False) -> dict[str, int]:
    """One sync and the day's summary; the case numbers by the case's first reference.
    ``new_case_log``: the case log was lost and a new one is started on purpose (as
    ``chief doctor --new-case-log`` does)."""
    rt = Runtime.from_config(load_config(config), today=TODAY, new_case_log=new_case_log)
    try:
        report = sync(rt)
        assert not report.errors, report.errors
        deliver_summary(rt)
        with rt.sessions() as session:
            rows = session.execute(
                select(CaseRef.value, Case.id).join(Case, Case.id == CaseRef.case_id)
            ).all()
        return {value: case_id for value, case_id in rows}
    finally:
        rt.close()
        rt.engine.dispose()


def lose_case_log(home: Path) -> None:
    for path in (home / "data").glob("chief.db*"):
        path.unlink()


def header_keys(raws: list[bytes]) -> Counter[str]:
    keys = (marker_of(email.message_from_bytes(raw)["Message-ID"]) for raw in raws)
    return Counter(str(key) for key in keys if key)


def ical_uids(blobs: list[bytes]) -> Counter[str]:
    uids: Counter[str] = Counter()
    for blob in blobs:
        for event in icalendar.Calendar.from_ical(blob).walk("VEVENT"):
            uid = str(event["UID"])
            if uid.endswith("@practice-chief"):
                uids[uid] += 1
    return uids


# --- one setting-up and one second client per connector ---------------------------------------


def maildir_mail(home: Path, request: pytest.FixtureRequest) -> tuple[str, Callable[[], Any]]:
    def look() -> Counter[str]:
        box = home / "Maildir"
        files = [
            p for d in (".Drafts/cur", ".Drafts/new", "cur", "new") for p in (box / d).glob("*")
        ]
        return header_keys([p.read_bytes() for p in files])

    return '[mail]\nconnector = "maildir"\npath = "Maildir"\n', look


def imap_mail(home: Path, request: pytest.FixtureRequest) -> tuple[str, Callable[[], Any]]:
    account = request.getfixturevalue("dovecot")
    account.seed(raw for _, raw in small_mailbox())
    section = (
        f'[mail]\nconnector = "imap"\nhost = "{account.host}"\nport = {account.port}\n'
        f'username = "{account.username}"\npassword_file = "{account.password_file}"\n'
        'tls = "none"\nbatch_size = 10\n'
    )

    def look() -> Counter[str]:
        raws = [raw for folder in ("Drafts", "INBOX") for raw, _ in account.messages(folder)]
        return header_keys(raws)

    return section, look


def _google_section(name: str, server: Any, home: Path) -> str:
    google_signed_in(server, home / "secrets" / "google-token.json")
    return (
        f'[{name}]\nconnector = "{"gmail" if name == "mail" else "google_calendar"}"\n'
        f'account = "{server.account}"\ntoken_file = "secrets/google-token.json"\n'
        f'token_store = "file"\napi_root = "{server.root_url}"\nretry_base_s = 0.02\n'
    )


def gmail_mail(home: Path, request: pytest.FixtureRequest) -> tuple[str, Callable[[], Any]]:
    server = request.getfixturevalue("google")
    for _, raw in small_mailbox():
        server.gmail.deliver(raw)

    def look() -> Counter[str]:
        return header_keys([m.raw for m in list(server.gmail.messages.values())])

    return _google_section("mail", server, home), look


def _graph_section(name: str, server: Any, home: Path) -> str:
    graph_signed_in(server, home / "secrets" / "microsoft-token.json")
    return (
        f'[{name}]\nconnector = "{"outlook" if name == "mail" else "outlook_calendar"}"\n'
        f'account = "{server.account}"\nclient_id = "{CLIENT_ID}"\ntenant = "{TENANT}"\n'
        'token_cache_file = "secrets/microsoft-token.json"\ntoken_store = "file"\n'
        f'api_root = "{server.api_root}"\nlogin_root = "{server.root}"\nretry_base_s = 0.02\n'
    )


def outlook_mail(home: Path, request: pytest.FixtureRequest) -> tuple[str, Callable[[], Any]]:
    server = request.getfixturevalue("graph")
    for _, raw in small_mailbox():
        server.mail.deliver(raw)

    def look() -> Counter[str]:
        messages = list(server.mail.messages.values())
        return Counter(key for m in messages if (key := m.extended.get(GRAPH_DRAFT_KEY.lower())))

    return _graph_section("mail", server, home), look


def ics_calendar(home: Path, request: pytest.FixtureRequest) -> tuple[str, Callable[[], Any]]:
    return '[calendar]\nconnector = "ics"\npath = "calendar.ics"\n', lambda: ical_uids(
        [(home / "calendar.ics").read_bytes()]
    )


def caldav_calendar(home: Path, request: pytest.FixtureRequest) -> tuple[str, Callable[[], Any]]:
    from caldav.davclient import DAVClient

    server: Radicale = request.getfixturevalue("radicale")
    section = (
        f'[calendar]\nconnector = "caldav"\nurl = "{server.url}"\n'
        f'username = "{server.username}"\npassword_file = "{server.password_file}"\n'
        'calendar = "Practice"\n'
    )

    def look() -> Counter[str]:
        client = DAVClient(server.url, username=server.username, password=server.password)
        blobs = [
            item.data.encode() if isinstance(item.data, str) else item.data
            for calendar in client.principal().calendars()
            for item in calendar.events()
        ]
        return ical_uids(blobs)

    return section, look


def google_calendar(home: Path, request: pytest.FixtureRequest) -> tuple[str, Callable[[], Any]]:
    server = request.getfixturevalue("google")

    def look() -> Counter[str]:
        return Counter(
            e["extendedProperties"]["private"]["chiefKey"]
            for e in server.calendar.live_events()
            if "extendedProperties" in e
        )

    return _google_section("calendar", server, home), look


def outlook_calendar(home: Path, request: pytest.FixtureRequest) -> tuple[str, Callable[[], Any]]:
    server = request.getfixturevalue("graph")

    def look() -> Counter[str]:
        with server.calendar.lock:
            return Counter(
                p[GRAPH_EVENT_KEY.lower()] for p in server.calendar.extended.values() if p
            )

    return _graph_section("calendar", server, home), look


MAIL = {"maildir": maildir_mail, "imap": imap_mail, "gmail": gmail_mail, "outlook": outlook_mail}
CALENDAR = {
    "ics": ics_calendar,
    "caldav": caldav_calendar,
    "google_calendar": google_calendar,
    "outlook_calendar": outlook_calendar,
}


def reorder_maildir(home: Path) -> None:
    """Renew every message file's change time, last file first: the next full read of the
    Maildir (oldest change time first) takes them in reverse order."""
    files = sorted(p for d in ("new", "cur") for p in (home / "Maildir" / d).iterdir())
    for path in reversed(files):
        os.chmod(path, 0o600)
        time.sleep(0.002)  # distinct change times on filesystems with coarse clocks


@pytest.mark.parametrize(
    ("mail", "calendar", "reorder"),
    [
        ("maildir", "ics", False),
        ("maildir", "ics", True),
        ("imap", "caldav", False),
        ("gmail", "google_calendar", False),
        ("outlook", "outlook_calendar", False),
    ],
)
def test_a_rebuilt_case_log_adopts_every_draft_event_and_summary(
    mail: str, calendar: str, reorder: bool, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Sync, lose the case log, sync again: the same remote objects, none added."""
    home = tmp_path / "practice"
    home.mkdir()
    mail_section, look_mail = MAIL[mail](home, request)
    if reorder:  # one message a batch: no batch puts the mail back in sent order
        mail_section += "batch_size = 1\n"
    calendar_section, look_calendar = CALENDAR[calendar](home, request)
    config = practice(home, mail_section, calendar_section)
    if mail != "maildir":
        shutil.rmtree(home / "Maildir")  # the mail is on the server

    first_cases = run(config)
    drafts, events = look_mail(), look_calendar()
    assert drafts and max(drafts.values()) == 1, "no draft, or a draft twice"
    assert events and max(events.values()) == 1, "no calendar entry, or one twice"

    lose_case_log(home)
    if reorder:
        reorder_maildir(home)
    second_cases = run(config, new_case_log=True)

    assert look_mail() == drafts, "the rebuild wrote a draft or summary again"
    assert look_calendar() == events, "the rebuild wrote a calendar entry again"
    assert set(second_cases) == set(first_cases)
    if reorder:  # the case numbers did change: the keys held without them
        assert second_cases != first_cases
