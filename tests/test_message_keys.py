"""A message without a Message-ID is logged and drafted once, whatever a mail client adds to
it; genuinely different messages are never merged; a case log written by an earlier version
(whose content keys included the file's size) logs nothing twice after the upgrade.

Over a real Maildir, .ics file and SQLite case log, with the rules of ``tests/test_pipeline``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.keys import stable_key
from bot.mail.mime import parse_message
from bot.store.models import Draft, Mailbox, MessageRow
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_message
from tests.test_pipeline import PARTIES, RULES, SENDER, run

MAILBOX = "test-practice/maildir"


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    return practice_dir({"test.yaml": RULES, "parties/payer.yaml": PARTIES})


def _without_message_id(raw: bytes) -> bytes:
    return b"\n".join(line for line in raw.split(b"\n") if not line.startswith(b"Message-ID"))


def _pended(body: str = "Auth #: PA-700001 pended", to: str = "") -> bytes:
    raw = _without_message_id(make_message("x@plan", "PA pended", body, SENDER))
    if to:
        raw = raw.replace(b"To: Dr Test <dr@practice.example>", f"To: {to}".encode())
    return raw


def _logged(home: Path) -> tuple[int, int]:
    """(messages logged, drafts planned) in the case log."""
    with Runtime.from_config(load_config(home / "chief.toml")) as rt, Session(rt.engine) as s:
        messages = len(s.scalars(select(MessageRow.id)).all())
        drafts = len(s.scalars(select(Draft.id)).all())
    return messages, drafts


def _client_rewrites(path: Path, header: bytes) -> Path:
    """What mutt, Thunderbird or Evolution do on reading a Maildir message: write it again
    with a status header added, into ``cur/`` with flags in the name."""
    raw = path.read_bytes()
    target = path.parent.parent / "cur" / f"{path.name}:2,S"
    (path.parent.parent / "tmp" / path.name).write_bytes(header + b"\n" + raw)
    (path.parent.parent / "tmp" / path.name).rename(target)
    path.unlink()
    return target


@pytest.mark.parametrize(
    "header", [b"Status: RO", b"X-Keywords: $label1", b"X-Mozilla-Status: 0001"]
)
def test_a_header_added_by_a_mail_client_logs_and_drafts_nothing_twice(
    home: Path, header: bytes
) -> None:
    first = deliver(home, "noid-1", _pended())
    run(home)
    assert _logged(home) == (1, 1)
    _client_rewrites(first, header)
    run(home)
    assert _logged(home) == (1, 1)
    assert len(list((home / "Maildir" / ".Drafts" / "cur").iterdir())) == 1


def test_different_messages_with_the_same_sender_date_and_subject_stay_apart(home: Path) -> None:
    deliver(home, "a", _pended())
    deliver(home, "b", _pended(body="Auth #: PA-700002 pended"))
    deliver(home, "c", _pended(to="Billing <billing@practice.example>"))
    run(home)
    # Three messages logged; a and c are the same ask on one case, answered by one draft.
    assert _logged(home) == (3, 2)


def _key_an_earlier_version_stored(raw: bytes) -> str:
    """The content key as versions before the change wrote it (the size included)."""
    message = parse_message(raw, "noid-1")
    assert message.date is not None
    text = hashlib.sha256(message.text.encode("utf-8", "replace")).hexdigest()
    return stable_key(
        MAILBOX,
        "content",
        message.from_addr,
        message.date.isoformat(),
        message.subject,
        text,
        message.size,
    )


def test_messages_logged_under_the_old_key_are_known_after_the_upgrade(home: Path) -> None:
    raw = _pended()
    deliver(home, "noid-1", raw)
    run(home)
    old = _key_an_earlier_version_stored(raw)
    with Runtime.from_config(load_config(home / "chief.toml")) as rt, Session(rt.engine) as s:
        s.execute(update(MessageRow).values(key=old))  # as the earlier version left it
        s.execute(update(Mailbox).values(cursor=None))  # and a full resync
        s.commit()
    run(home)
    assert _logged(home) == (1, 1)
    with Runtime.from_config(load_config(home / "chief.toml")) as rt, Session(rt.engine) as s:
        assert s.scalars(select(MessageRow.key)).all() == [old]
    assert len(list((home / "Maildir" / ".Drafts" / "cur").iterdir())) == 1
