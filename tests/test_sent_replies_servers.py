"""A reply the practitioner sent closes its deadline on the next sync, on every mail
connector's real or faithful server: Dovecot (IMAP ``\\Sent``), the local Gmail API server
(label ``SENT``) and the local Graph server (``sentitems``). The Maildir case:
tests/test_sent_replies.py. One referral each: a small mailbox keeps them quick.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from bot.cli.demo import prepare_home
from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.store.models import Deadline, Draft
from bot.sync.runtime import Runtime
from tests.samples import sample
from tests.servers.google_api import GoogleApiServer
from tests.servers.google_testing import ALL_SCOPES
from tests.servers.google_testing import signed_in as google_signed_in
from tests.servers.graph_api import CLIENT_ID, TENANT, GraphServer
from tests.servers.graph_testing import signed_in as graph_signed_in
from tests.test_imap_pipeline import imap_practice
from tests.test_sent_replies import REFERRAL, reply

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount

pytest_plugins = ["tests.fixtures_dovecot"]
pytestmark = pytest.mark.servers

PRACTICE = "sports-medicine-us"


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def closes_on_next_sync(config: Path, put_sent: Callable[[bytes], None]) -> None:
    """Sync (the referral opens its acknowledgement), file the reply in Sent, sync again."""

    def state() -> tuple[list[tuple[str, bool, str | None]], list[str]]:
        rt = Runtime.from_config(load_config(config))
        try:
            sync(rt)
            with rt.sessions() as session:
                deadlines = [
                    (d.clock, d.done, d.closed_reason)
                    for d in session.scalars(select(Deadline).order_by(Deadline.id))
                ]
                drafts = [
                    d.state
                    for d in session.scalars(
                        select(Draft).where(Draft.template == "referral/referral_ack.j2")
                    )
                ]
            return deadlines, drafts
        finally:
            rt.close()
            rt.engine.dispose()

    assert state() == ([("referral.acknowledge", False, None)], ["written"])
    put_sent(crlf(reply()))
    assert state() == (
        [("referral.acknowledge", True, "reply sent on 15 Sep 2026")],
        ["sent"],
    )


def test_imap_sent_folder(dovecot: DovecotAccount, tmp_path: Path) -> None:
    config = imap_practice(tmp_path, dovecot)
    shutil.rmtree(config.parent / "Maildir", ignore_errors=True)
    dovecot.seed([crlf(sample(REFERRAL).read_bytes())])
    closes_on_next_sync(
        config, lambda raw: None if dovecot.seed([raw], folder="Sent", flags=[b"\\Seen"]) else None
    )


@pytest.fixture
def google(tmp_path: Path) -> Iterator[tuple[GoogleApiServer, Path]]:
    home = tmp_path / "home"
    config = prepare_home(home, PRACTICE)
    shutil.rmtree(home / "Maildir")
    account = str(load_config(config).practice.email)
    api = GoogleApiServer(account=account).start()
    try:
        google_signed_in(api, home / "secrets" / "google-token.json", ALL_SCOPES)
        common = (
            f'account = "{api.account}"\ntoken_file = "secrets/google-token.json"\n'
            f'token_store = "file"\napi_root = "{api.root_url}"\nretry_base_s = 0.02\n'
        )
        text = config.read_text()
        head, _, rest = text.partition("[mail]")
        _, _, tail = rest.partition("[database]")
        config.write_text(
            f'{head}[mail]\nconnector = "gmail"\n{common}\n'
            f'[calendar]\nconnector = "google_calendar"\n{common}\n[database]{tail}'
        )
        yield api, config
    finally:
        api.stop()
    assert api.problems == []


def test_gmail_sent_label(google: tuple[GoogleApiServer, Path]) -> None:
    api, config = google
    api.gmail.deliver(crlf(sample(REFERRAL).read_bytes()))
    closes_on_next_sync(config, lambda raw: None if api.gmail.send(raw) else None)


@pytest.fixture
def graph(tmp_path: Path) -> Iterator[tuple[GraphServer, Path]]:
    home = tmp_path / "home"
    config = prepare_home(home, PRACTICE)
    shutil.rmtree(home / "Maildir")
    account = str(load_config(config).practice.email)
    api = GraphServer(account=account).start()
    try:
        graph_signed_in(api, home / "secrets" / "microsoft-token.json")
        common = (
            f'account = "{api.account}"\nclient_id = "{CLIENT_ID}"\ntenant = "{TENANT}"\n'
            'token_cache_file = "secrets/microsoft-token.json"\ntoken_store = "file"\n'
            f'api_root = "{api.api_root}"\nlogin_root = "{api.root}"\nretry_base_s = 0.02\n'
        )
        text = config.read_text()
        head, _, rest = text.partition("[mail]")
        _, _, tail = rest.partition("[database]")
        config.write_text(
            f'{head}[mail]\nconnector = "outlook"\n{common}\n'
            f'[calendar]\nconnector = "outlook_calendar"\n{common}\n[database]{tail}'
        )
        yield api, config
    finally:
        api.stop()
    assert api.problems == []


def test_outlook_sentitems(graph: tuple[GraphServer, Path]) -> None:
    api, config = graph
    api.mail.deliver(crlf(sample(REFERRAL).read_bytes()))
    closes_on_next_sync(
        config, lambda raw: None if api.mail.deliver(raw, folder="sentitems") else None
    )
