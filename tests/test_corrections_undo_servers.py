"""Undoing a correction puts the mailbox back, on every server connector, against its real or
faithful local server: the message leaves its correction folder for the folder it was filed
from (Dovecot: a MOVE back to INBOX; Gmail: the correction label off, INBOX back on; Graph: a
move back to the inbox), the first filing comes back once, and the next sync makes no
correction. On Gmail with ``category_labels``, chief's own wrong category label comes off when
the message is corrected and goes back on when the correction is undone, once each. The
Maildir case: tests/test_corrections.py (test_undo_takes_the_correction_back).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot import crash
from bot.cli.app import main
from bot.config import load_config
from bot.store.models import Correction, LabelWrite
from bot.sync.runtime import Runtime
from tests.samples import sample
from tests.test_corrections import REFERRAL
from tests.test_corrections_servers import labelling_google, synced  # noqa: F401 - fixture
from tests.test_imap_pipeline import imap_practice
from tests.test_sent_replies_servers import crlf, google, graph  # noqa: F401 - fixtures

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount
    from tests.servers.google_api import GoogleApiServer
    from tests.servers.graph_api import GraphServer

pytest_plugins = ["tests.fixtures_dovecot"]
pytestmark = pytest.mark.servers


def undo(config: Path) -> dict[str, object]:
    """``chief corrections undo`` of the only correction; its row afterwards."""
    rt = Runtime.from_config(load_config(config))
    try:
        with rt.sessions() as session:
            (ident,) = session.scalars(select(Correction.id)).all()
    finally:
        rt.close()
        rt.engine.dispose()
    code = main.main(
        ["--config", str(config), "corrections", "undo", str(ident)], standalone_mode=False
    )
    assert not code
    rt = Runtime.from_config(load_config(config))
    try:
        with rt.sessions() as session:
            row = session.get(Correction, ident)
            assert row is not None
            return {"state": row.state, "return_state": row.return_state}
    finally:
        rt.close()
        rt.engine.dispose()


def corrected_then_undone(
    config: Path, move: Callable[[], None], where: Callable[[], dict[str, int]]
) -> None:
    """Sync, move to Chief/Team, sync (refiled), undo; the message is back where it was
    (``where``: folder -> how many messages), filed as before; a sync after that changes
    nothing, and neither does a second one."""
    report, state = synced(config)
    assert state["category"] == "referral"
    before = where()
    move()
    assert where() != before
    report, state = synced(config)
    assert report.corrections == 1 and state["category"] == "team"
    assert undo(config) == {"state": "undone", "return_state": "returned"}
    assert where() == before  # back where it was filed from, once
    for _ in range(2):
        report, state = synced(config)
        assert (report.corrections, report.messages) == (0, 0)
        assert state["category"] == "referral" and state["source"] == "rule"
        assert state["drafts"] == ["written", "written"]
        assert where() == before


@pytest.mark.parametrize("how", ["move", "copy"])
def test_imap_undo_moves_the_message_back_to_inbox(
    dovecot: DovecotAccount, tmp_path: Path, how: str
) -> None:
    """Moved: MOVEd back. Copied: the copy removed, the original left as it is."""
    config = imap_practice(tmp_path, dovecot)
    shutil.rmtree(config.parent / "Maildir", ignore_errors=True)
    dovecot.seed([crlf(sample(REFERRAL).read_bytes())])
    inbox: dict[int, tuple[str, frozenset[bytes]]] = {}

    def move() -> None:
        inbox.update(dovecot.snapshot("INBOX"))
        with dovecot.client() as client:
            client.select_folder("INBOX")
            getattr(client, how)(client.search(["ALL"]), "Chief/Team")

    def where() -> dict[str, int]:
        return {f: len(dovecot.messages(f)) for f in ("INBOX", "Chief/Team")}

    corrected_then_undone(config, move, where)
    if how == "copy":  # the original never touched (\\Recent is the session's, not a change)
        assert dovecot.snapshot("INBOX").keys() == inbox.keys()
        assert [v[0] for v in dovecot.snapshot("INBOX").values()] == [
            v[0]
            for v in inbox.values()  # type: ignore[index]
        ]


@pytest.mark.parametrize("keep", [False, True])
def test_outlook_undo_moves_the_message_back_to_the_inbox(
    graph: tuple[GraphServer, Path],  # noqa: F811
    keep: bool,
) -> None:
    """Moved: moved back. Copied: the copy to Deleted Items, the original left in the inbox."""
    api, config = graph
    api.mail.deliver(crlf(sample(REFERRAL).read_bytes()))
    chief = ""
    original: list[str] = []

    def move() -> None:
        (message,) = api.mail.in_folder("inbox")
        original.append(message.id)
        team = api.mail.folder_named("Team", api.mail.folder_named("Chief"))
        api.mail.move(message.id, team, keep=keep)

    def where() -> dict[str, int]:
        nonlocal chief
        chief = chief or api.mail.folder_named("Chief")
        team = api.mail.folder_named("Team", chief)
        return {"inbox": len(api.mail.in_folder("inbox")), "team": len(api.mail.in_folder(team))}

    corrected_then_undone(config, move, where)
    assert len(api.mail.in_folder("deleteditems")) == keep
    assert ([m.id for m in api.mail.in_folder("inbox")] == original) == keep


def test_gmail_undo_takes_the_label_off_and_puts_inbox_and_chiefs_label_back(
    labelling_google: tuple[GoogleApiServer, Path],  # noqa: F811
) -> None:
    api, config = labelling_google
    message_id = api.gmail.deliver(crlf(sample(REFERRAL).read_bytes()))
    ids: dict[str, str] = {}

    def names() -> dict[str, str]:
        return {label["name"]: label["id"] for label in api.gmail.labels.values()}

    def move() -> None:
        ids.update(names())
        assert ids["Chief/Referral"] in api.gmail.messages[message_id].labels  # chief's own
        api.gmail.move(message_id, ids["Chief/Team"])

    def where() -> dict[str, int]:
        carried = api.gmail.messages[message_id].labels
        return {name: 1 for name, label in names().items() if label in carried}

    report, state = synced(config)
    labelled = where()
    assert labelled == {"INBOX": 1, "UNREAD": 1, "Chief/Referral": 1}
    move()
    report, state = synced(config)
    assert report.corrections == 1 and state["category"] == "team"
    # chief's wrong label off, the corrected one on (the practitioner's own label here)
    assert where() == {"UNREAD": 1, "Chief/Team": 1}
    synced(config)
    assert changes(api, message_id, ids["Chief/Referral"]) == {"labelsAdded": 1, "labelsRemoved": 1}
    assert undo(config) == {"state": "undone", "return_state": "returned"}
    assert where() == labelled  # INBOX and chief's referral label back, Chief/Team off
    for _ in range(2):
        report, state = synced(config)
        assert (report.corrections, report.messages) == (0, 0)
        assert state["category"] == "referral" and state["drafts"] == ["written", "written"]
        assert where() == labelled
    assert changes(api, message_id, ids["Chief/Referral"]) == {"labelsAdded": 2, "labelsRemoved": 1}
    assert changes(api, message_id, ids["Chief/Team"]) == {"labelsAdded": 1, "labelsRemoved": 1}
    rt = Runtime.from_config(load_config(config))
    try:
        with rt.sessions() as session:
            writes = sorted(
                (w.op, w.category, w.state) for w in session.scalars(select(LabelWrite))
            )
    finally:
        rt.close()
        rt.engine.dispose()
    assert writes == [
        ("add", "referral", "written"),
        ("add", "referral", "written"),
        ("add", "team", "written"),
        ("remove", "referral", "written"),
        ("remove", "team", "written"),
    ]


def changes(api: GoogleApiServer, message_id: str, label: str) -> dict[str, int]:
    """How often Gmail's history saw ``label`` added to or taken off the message."""
    seen = {"labelsAdded": 0, "labelsRemoved": 0}
    for _, record in api.gmail.history:
        for kind in seen:
            for entry in record.get(kind, ()):
                if entry["message"]["id"] == message_id and label in entry.get("labelIds", ()):
                    seen[kind] += 1
    return seen


def chief(config: Path, *args: str, crash_after: str | None = None) -> int:
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    env.pop(crash.CRASH_ENV, None)
    if crash_after is not None:
        env[crash.CRASH_ENV] = crash_after
    done = subprocess.run(["chief", *args], env=env, capture_output=True, text=True, timeout=300)
    return done.returncode


def test_gmail_labels_of_a_correction_and_its_undo_once_across_kills(
    labelling_google: tuple[GoogleApiServer, Path],  # noqa: F811
) -> None:
    """Killed right after the labels are changed in Gmail and before that is recorded, in the
    sync that refiles and in the undo: each label comes off and goes on once all the same."""
    api, config = labelling_google
    message_id = api.gmail.deliver(crlf(sample(REFERRAL).read_bytes()))
    assert chief(config, "sync") == 0
    ids = {label["name"]: label["id"] for label in api.gmail.labels.values()}
    api.gmail.move(message_id, ids["Chief/Team"])
    assert chief(config, "sync", crash_after="labels.remote:1") == crash.EXIT_CODE
    assert ids["Chief/Referral"] not in api.gmail.messages[message_id].labels  # written...
    assert chief(config, "sync") == 0  # ...then recorded
    assert changes(api, message_id, ids["Chief/Referral"]) == {"labelsAdded": 1, "labelsRemoved": 1}
    assert chief(config, "corrections", "undo", "1", crash_after="labels.remote:1") == (
        crash.EXIT_CODE
    )
    assert chief(config, "sync") == 0
    assert chief(config, "sync") == 0
    carried = api.gmail.messages[message_id].labels
    assert {"INBOX", ids["Chief/Referral"]} <= carried and ids["Chief/Team"] not in carried
    assert changes(api, message_id, ids["Chief/Referral"]) == {"labelsAdded": 2, "labelsRemoved": 1}
    assert changes(api, message_id, ids["Chief/Team"]) == {"labelsAdded": 1, "labelsRemoved": 1}
    assert changes(api, message_id, "INBOX") == {"labelsAdded": 1, "labelsRemoved": 1}


def test_gmail_undo_without_the_label_scope_names_the_move_and_waits_for_it(
    google: tuple[GoogleApiServer, Path],  # noqa: F811
) -> None:
    """Signed in without ``gmail.modify`` (no ``category_labels``), chief cannot take the
    correction label off: the undo says so (the sync exits 3 until then), and once the
    practitioner takes it off in Gmail the undo is recorded and nothing is refiled."""
    api, config = google
    message_id = api.gmail.deliver(crlf(sample(REFERRAL).read_bytes()))
    assert chief(config, "sync") == 0
    team = api.gmail.user_label("Chief/Team")  # made by the practitioner in Gmail
    api.gmail.move(message_id, team)
    report, state = synced(config)
    assert report.corrections == 1 and state["category"] == "team"
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    env.pop(crash.CRASH_ENV, None)
    done = subprocess.run(
        ["chief", "corrections", "undo", "1"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "may not change labels" in done.stderr
    assert team in api.gmail.messages[message_id].labels  # nothing changed in Gmail
    assert chief(config, "sync") == 3  # said again on every sync until it is done
    api.gmail.remove_label(message_id, team)
    api.gmail.add_label(message_id, "INBOX")
    assert chief(config, "sync") == 0
    report, state = synced(config)
    assert (report.corrections, state["category"], state["corrections"]) == (0, "referral", 1)
    assert undo_state(config) == ("undone", "gone")


def undo_state(config: Path) -> tuple[str, str | None]:
    rt = Runtime.from_config(load_config(config))
    try:
        with rt.sessions() as session:
            (row,) = session.scalars(select(Correction)).all()
            return row.state, row.return_state
    finally:
        rt.close()
        rt.engine.dispose()
