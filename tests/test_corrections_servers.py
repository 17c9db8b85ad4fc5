"""Corrections from the mailbox on every server connector, each against its real or faithful
local server: Dovecot (IMAP folders ``Chief/<Category>`` under the personal namespace), the
local Gmail API server (user labels ``Chief/<Category>``, chief's own category labels never
taken for a correction) and the local Graph server (child folders of ``Chief``; delta reporting
a message again refiles nothing twice). The Maildir case: tests/test_corrections.py.

Each: a referral is filed and its two drafts written; chief has made the correction folders;
the practitioner moves the message to ``Chief/Team`` by the server's own means; the next sync
refiles it once and removes chief's untouched drafts from the Drafts folder; a later sync
changes nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.store.models import Correction, Draft, MessageRow
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from connectors.google.auth import GMAIL_LABEL_SCOPE
from tests.samples import sample
from tests.servers.google_testing import ALL_SCOPES
from tests.servers.google_testing import signed_in as google_signed_in
from tests.test_corrections import REFERRAL
from tests.test_imap_pipeline import imap_practice
from tests.test_sent_replies import REFERRAL_ID
from tests.test_sent_replies_servers import crlf, google, graph  # noqa: F401 - fixtures

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount
    from tests.servers.google_api import GoogleApiServer
    from tests.servers.graph_api import GraphServer

pytest_plugins = ["tests.fixtures_dovecot"]
pytestmark = pytest.mark.servers

NAMES = (
    "Payer", "Solicitor", "Local authority", "Referral", "Team", "Lab", "CME", "Credentialing",
    "Supplier", "Research", "Not practice mail",
)  # fmt: skip


def synced(config: Path) -> tuple[SyncReport, dict[str, object]]:
    rt = Runtime.from_config(load_config(config))
    try:
        report = sync(rt)
        with rt.sessions() as session:
            row = session.scalars(
                select(MessageRow).where(MessageRow.message_id == REFERRAL_ID)
            ).one()
            state = {
                "category": row.category,
                "source": row.source,
                "drafts": sorted(
                    d.state
                    for d in session.scalars(select(Draft).where(Draft.message_id == row.id))
                ),
                "corrections": len(session.scalars(select(Correction)).all()),
            }
        return report, state
    finally:
        rt.close()
        rt.engine.dispose()


def refiled_once(config: Path, move: Callable[[], None], drafts_left: Callable[[], int]) -> None:
    report, state = synced(config)
    assert (state["category"], state["drafts"]) == ("referral", ["written", "written"])
    before = drafts_left()
    assert before >= 2
    move()
    report, state = synced(config)
    assert report.corrections == 1 and report.drafts_withdrawn == 2
    assert state == {
        "category": "team",
        "source": "correction",
        "drafts": ["withdrawn", "withdrawn"],
        "corrections": 1,
    }
    assert drafts_left() == before - 2
    report, state = synced(config)
    assert report.corrections == 0 and state["corrections"] == 1


def test_imap_correction_folder(dovecot: DovecotAccount, tmp_path: Path) -> None:
    config = imap_practice(tmp_path, dovecot)
    shutil.rmtree(config.parent / "Maildir", ignore_errors=True)
    dovecot.seed([crlf(sample(REFERRAL).read_bytes())])
    inbox_before: dict[int, object] = {}

    def move() -> None:
        with dovecot.client() as client:
            folders = {name for _, _, name in client.list_folders()}
            assert {f"Chief/{name}" for name in NAMES} <= folders  # made on the first run
            client.select_folder("INBOX")
            client.move(client.search(["ALL"]), "Chief/Team")
        inbox_before.update(dovecot.snapshot("Chief/Team"))

    def drafts_left() -> int:
        return len(dovecot.messages("Drafts"))

    refiled_once(config, move, drafts_left)
    assert dovecot.snapshot("Chief/Team") == inbox_before  # read, never altered


@pytest.fixture
def labelling_google(google: tuple[GoogleApiServer, Path]) -> tuple[GoogleApiServer, Path]:  # noqa: F811
    """The Gmail practice with ``category_labels`` on, signed in with ``gmail.modify``."""
    api, config = google
    home = config.parent
    google_signed_in(api, home / "secrets" / "google-token.json", (*ALL_SCOPES, GMAIL_LABEL_SCOPE))
    text = config.read_text().replace(
        'connector = "gmail"\n', 'connector = "gmail"\ncategory_labels = true\n', 1
    )
    config.write_text(text)
    return api, config


def test_gmail_correction_label_and_chiefs_own_labels(
    labelling_google: tuple[GoogleApiServer, Path],
) -> None:
    api, config = labelling_google
    api.gmail.deliver(crlf(sample(REFERRAL).read_bytes()))

    def move() -> None:
        labels = {label["name"]: label["id"] for label in api.gmail.labels.values()}
        assert {f"Chief/{name}" for name in NAMES} <= set(labels)
        (message,) = [m for m in api.gmail.messages.values() if "INBOX" in m.labels]
        assert labels["Chief/Referral"] in message.labels  # chief's own category label
        # A sync in between reads chief's own label back: not a correction.
        report, state = synced(config)
        assert report.corrections == 0 and state["category"] == "referral"
        api.gmail.move(message.id, labels["Chief/Team"])

    def drafts_left() -> int:
        return len(api.gmail.drafts)

    refiled_once(config, move, drafts_left)


def test_outlook_correction_folder_and_a_repeated_delta(
    graph: tuple[GraphServer, Path],  # noqa: F811
) -> None:
    api, config = graph
    api.mail.deliver(crlf(sample(REFERRAL).read_bytes()))
    moved: list[str] = []

    def move() -> None:
        chief = api.mail.folder_named("Chief")
        children = {api.mail.display[f] for f, up in api.mail.parents.items() if up == chief}
        assert set(NAMES) <= children
        (message,) = api.mail.in_folder("inbox")
        moved.append(api.mail.move(message.id, api.mail.folder_named("Team", chief)))

    def drafts_left() -> int:
        return len(api.mail.in_folder("drafts"))

    refiled_once(config, move, drafts_left)
    api.mail.touch(moved[0])  # changed again: the delta reports it once more
    report, state = synced(config)
    assert report.corrections == 0 and state["corrections"] == 1


def edited_draft_is_kept(config: Path, edit: Callable[[], None], move: Callable[[], None]) -> None:
    """Sync, the practitioner edits one of the two drafts, moves the message; sync again."""
    synced(config)
    edit()
    move()
    report, state = synced(config)
    assert report.corrections == 1 and report.drafts_withdrawn == 1
    assert state["drafts"] == ["kept", "withdrawn"]


def test_outlook_a_draft_edited_in_outlook_is_kept(
    graph: tuple[GraphServer, Path],  # noqa: F811
) -> None:
    api, config = graph
    api.mail.deliver(crlf(sample(REFERRAL).read_bytes()))

    def edit() -> None:
        draft = next(m for m in api.mail.in_folder("drafts") if m.parent is not None)  # a reply
        api.mail.update(draft.id, {"body": {"contentType": "text", "content": "Seen him. Call."}})

    def move() -> None:
        (message,) = api.mail.in_folder("inbox")
        chief = api.mail.folder_named("Chief")
        api.mail.move(message.id, api.mail.folder_named("Not practice mail", chief))

    edited_draft_is_kept(config, edit, move)
    bodies = [m.props.get("body", {}).get("content") for m in api.mail.in_folder("drafts")]
    assert bodies.count("Seen him. Call.") == 1


def test_gmail_a_draft_edited_in_gmail_is_kept(
    labelling_google: tuple[GoogleApiServer, Path],
) -> None:
    api, config = labelling_google
    api.gmail.deliver(crlf(sample(REFERRAL).read_bytes()))

    def edit() -> None:
        draft_id, message_id = next(
            (d, m)
            for d, m in api.gmail.drafts.items()
            if b"In-Reply-To:" in api.gmail.messages[m].raw
        )
        raw = api.gmail.messages[message_id].raw
        api.gmail.edit_draft(draft_id, raw.replace(b"\r\n\r\n", b"\r\n\r\nSeen him. Call.\r\n", 1))

    def move() -> None:
        labels = {label["name"]: label["id"] for label in api.gmail.labels.values()}
        (message,) = [m for m in api.gmail.messages.values() if "INBOX" in m.labels]
        api.gmail.move(message.id, labels["Chief/Not practice mail"])

    edited_draft_is_kept(config, edit, move)
    left = [api.gmail.messages[m].raw for m in api.gmail.drafts.values()]
    assert sum(b"Seen him. Call." in raw for raw in left) == 1
