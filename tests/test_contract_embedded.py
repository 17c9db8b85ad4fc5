"""The embedded connectors (Maildir + .ics file) keep the shared connector contract."""

from __future__ import annotations

import hashlib
import mailbox
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from connectors.ical.ics import IcsCalendar
from connectors.maildir import MaildirConnector
from tests.connector_contract import (
    PRACTITIONER,
    CalendarContract,
    CorrectionsContract,
    MailContract,
    SentMailContract,
    WithdrawsDraftsContract,
)


class TestMaildirContract(
    MailContract, SentMailContract, CorrectionsContract, WithdrawsDraftsContract
):
    @pytest.fixture
    def root(self, tmp_path: Path) -> Path:
        return tmp_path / "Maildir"

    @pytest.fixture
    def mail(self, root: Path) -> MaildirConnector:
        mailbox.Maildir(root, create=True)
        return MaildirConnector(root, practitioner_address=PRACTITIONER)

    @pytest.fixture
    def put(self, root: Path) -> Callable[[bytes], None]:
        inbox = mailbox.Maildir(root, create=True)

        def deliver(raw: bytes) -> None:
            inbox.add(raw)

        return deliver

    @pytest.fixture
    def user_mail(self, root: Path) -> Callable[[], dict[str, tuple[str, frozenset[str]]]]:
        def snapshot() -> dict[str, tuple[str, frozenset[str]]]:
            out = {}
            for sub in ("new", "cur"):
                for path in (root / sub).iterdir():
                    name, _, info = path.name.partition(":2,")
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                    out[f"{sub}/{name}"] = (digest, frozenset(info))
            return out

        return snapshot

    @pytest.fixture
    def drafts_on_server(self, root: Path) -> Callable[[], list[tuple[bytes, frozenset[str]]]]:
        def drafts() -> list[tuple[bytes, frozenset[str]]]:
            folder = mailbox.Maildir(root, create=False).get_folder("Drafts")
            found = []
            for key in folder.iterkeys():
                message = folder.get_message(key)
                flags = {"draft"} if "D" in message.get_flags() else set()
                found.append((message.as_bytes(), frozenset(flags)))
            return found

        return drafts

    @pytest.fixture
    def sent_mail(self, mail: MaildirConnector) -> MaildirConnector:
        return mail

    @pytest.fixture
    def folder_maker(self, mail: MaildirConnector) -> MaildirConnector:
        return mail

    @pytest.fixture
    def corrections_mail(self, mail: MaildirConnector) -> MaildirConnector:
        return mail

    @pytest.fixture
    def put_sent(self, root: Path) -> Callable[[bytes], None]:
        return lambda raw: _into_folder(root, "Sent", raw)  # Maildir++: .Sent

    @pytest.fixture
    def put_correction(self, root: Path) -> Callable[[str, bytes], None]:
        return lambda category, raw: _into_folder(root, f"Chief.{category}", raw)


def _into_folder(root: Path, folder: str, raw: bytes) -> None:
    """Deliver ``raw`` into a Maildir++ folder as a mail client would (created when missing)."""
    tree = mailbox.Maildir(root, create=True)
    if folder not in tree.list_folders():
        tree.add_folder(folder)
    tree.get_folder(folder).add(raw)


class TestIcsContract(CalendarContract):
    @pytest.fixture
    def path(self, tmp_path: Path) -> Path:
        return tmp_path / "calendar.ics"

    @pytest.fixture
    def calendar(self, path: Path) -> IcsCalendar:
        return IcsCalendar(path, tz="Europe/London")

    @pytest.fixture
    def server_events(self, path: Path) -> Callable[[], list[Any]]:
        return lambda: list(Calendar.from_ical(path.read_bytes()).walk("VEVENT"))
