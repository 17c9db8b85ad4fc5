"""Folders found by the standards, and no APPEND into the selected folder, on servers laid out
as Cyrus and Courier lay them out (Dovecot configured to behave so, ``tests/servers/dovecot.py``).

Two servers, started once for the module:

- ``courier``: every folder under ``INBOX.`` with ``.`` (RFC 2342 NAMESPACE says so), no
  RFC 6154 SPECIAL-USE, no LIST-EXTENDED, no UNSELECT; the account has ``INBOX.Drafts`` and
  ``INBOX.Sent Items``, neither flagged. Configured names must be resolved under the prefix,
  the sent folder found by its well-known name, and a folder left with CLOSE.
- ``german``: the same namespace with SPECIAL-USE and LIST-EXTENDED; the drafts folder is
  ``INBOX.Entwürfe``, flagged ``\\Drafts`` only by SPECIAL-USE. chief must ask for the
  attributes (``LIST ... RETURN (SPECIAL-USE)``) and write there, never make a "Drafts".
- ``german_plain``: the same folders on a server announcing neither SPECIAL-USE nor
  LIST-EXTENDED: the attributes of a plain LIST are used.

The command order is read from the server's own raw protocol log.
"""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.keys import marker_of
from connectors.imap.folders import FolderMap
from connectors.imap.session import Listed
from tests.connector_contract import drain, sample
from tests.fixtures_dovecot import DovecotAccount, account_on, need_dovecot
from tests.servers.dovecot import Dovecot

pytestmark = pytest.mark.servers

# What Courier announces, more or less: no SPECIAL-USE, LIST-EXTENDED or UNSELECT.
_COURIER_CAPABILITY = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS CONDSTORE"
_COMMAND = re.compile(r"^\S+ [A-Z]{4}\d+ (.+)$")


def _server(**options: object) -> Iterator[Dovecot]:
    need_dovecot()
    server = Dovecot(prefix="INBOX.", separator=".", **options)  # type: ignore[arg-type]
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def courier_server() -> Iterator[Dovecot]:
    yield from _server(
        folders={"Drafts": None, "Sent Items": None},
        special_use=False,
        capability=_COURIER_CAPABILITY,
    )


@pytest.fixture(scope="module")
def german_server() -> Iterator[Dovecot]:
    yield from _server(folders={"Entwürfe": "\\Drafts", "Gesendet": "\\Sent"})


@pytest.fixture(scope="module")
def german_plain_server() -> Iterator[Dovecot]:
    yield from _server(
        folders={"Entwürfe": "\\Drafts", "Gesendet": "\\Sent"}, capability=_COURIER_CAPABILITY
    )


@pytest.fixture
def courier(courier_server: Dovecot, tmp_path: Path) -> Iterator[DovecotAccount]:
    with account_on(courier_server, tmp_path) as account:
        yield account


@pytest.fixture
def german(german_server: Dovecot, tmp_path: Path) -> Iterator[DovecotAccount]:
    with account_on(german_server, tmp_path) as account:
        yield account


def folder_names(account: DovecotAccount) -> set[str]:
    with account.client() as client:
        return {name for _, _, name in client.list_folders()}


def commands(rawlog: Path) -> list[str]:
    """The commands the server received in its one recorded session (literals left out)."""
    (session,) = rawlog.glob("*.in")
    found = (_COMMAND.match(line) for line in session.read_text(errors="replace").splitlines())
    return [match.group(1) for match in found if match]


def selected_when_appending(sent: list[str]) -> list[tuple[str, str | None]]:
    """(APPEND target, the folder selected at that moment) for every APPEND in ``sent``."""
    selected: str | None = None
    seen = []
    for command in sent:
        verb, _, rest = command.partition(" ")
        if verb in ("EXAMINE", "SELECT"):
            selected = rest
        elif verb in ("UNSELECT", "CLOSE"):
            selected = None
        elif verb == "APPEND":
            target = rest.rsplit(" (", 1)[0].rsplit(" {", 1)[0]
            seen.append((target, selected))
    return seen


def draft(key: str) -> object:
    from connectors.base import OutgoingDraft

    raw = b"From: dr@practice.example\r\nTo: dr@practice.example\r\nSubject: x\r\n\r\nbody\r\n"
    return OutgoingDraft(raw=raw, key=key)


# --- the Courier / Cyrus layout --------------------------------------------------------------


def test_configured_names_are_resolved_under_the_personal_namespace(
    courier: DovecotAccount,
) -> None:
    before = folder_names(courier)
    assert before == {"INBOX", "INBOX.Drafts", "INBOX.Sent Items"}
    connector = courier.connector()  # drafts_folder = "Drafts", the default
    remote = connector.create_draft(draft("k-courier-1"))  # type: ignore[arg-type]
    assert remote.startswith("INBOX.Drafts/")
    assert connector.find_draft("k-courier-1") == remote
    assert folder_names(courier) == before  # no second Drafts
    assert len(courier.messages("INBOX.Drafts")) == 1
    line = connector.check()
    assert "folders under 'INBOX.', separator '.' (NAMESPACE, RFC 2342)" in line
    assert "drafts: INBOX.Drafts (`drafts_folder`)" in line
    assert "sent: INBOX.Sent Items (well-known name)" in line
    connector.close()


def test_sent_watched_and_correction_folders_under_the_prefix(courier: DovecotAccount) -> None:
    courier.seed([sample(1)], folder="INBOX.Sent Items")
    courier.seed([sample(2)], folder="INBOX.Referrals")
    courier.seed([sample(3)], folder="INBOX.Chief.payer")
    connector = courier.connector(watch=["INBOX", "Referrals"])
    read, _, _ = drain(connector.changes(None))
    assert [m.message_id for m in read] == ["<contract-2@payer.example>"]
    sent, _, _ = drain(connector.sent_changes(None))
    assert [m.message_id for m in sent] == ["<contract-1@payer.example>"]
    corrections = list(connector.corrections(None))
    assert [c.category for c in corrections] == ["payer"]
    assert [m.message_id for m in corrections[0].batch.messages] == ["<contract-3@payer.example>"]
    assert "corrections: INBOX.Chief.payer" in connector.check()
    connector.close()


def test_without_unselect_the_folder_is_closed_before_an_append(courier: DovecotAccount) -> None:
    rawlog = courier.server.enable_rawlog(courier.username)
    connector = courier.connector(practitioner_address="dr@practice.example")
    connector.create_draft(draft("k-courier-2"))  # type: ignore[arg-type]
    summary = b"From: dr@practice.example\r\nTo: dr@practice.example\r\nSubject: s\r\n\r\nx\r\n"
    connector.send_to_practitioner(summary, "k-courier-summary")
    connector.close()
    sent = commands(rawlog)
    assert 'EXAMINE "INBOX.Drafts"' in sent and 'EXAMINE "INBOX"' in sent
    assert "CLOSE" in sent and "UNSELECT" not in sent
    assert selected_when_appending(sent) == [('"INBOX.Drafts"', None), ('"INBOX"', None)]
    assert not any(c.startswith("CREATE") for c in sent)


# --- a drafts folder in another language, flagged by SPECIAL-USE ---------------------------


def test_the_special_use_drafts_folder_is_used_whatever_its_name(german: DovecotAccount) -> None:
    before = folder_names(german)
    assert before == {"INBOX", "INBOX.Entwürfe", "INBOX.Gesendet"}
    rawlog = german.server.enable_rawlog(german.username)  # chief's session alone
    connector = german.connector()
    connector.create_draft(draft("k-german-1"))  # type: ignore[arg-type]
    connector.close()
    sent = commands(rawlog)
    assert folder_names(german) == before
    assert len(german.messages("INBOX.Entwürfe")) == 1
    assert "NAMESPACE" in sent
    assert 'LIST "" "*" RETURN (SPECIAL-USE)' in sent  # asked, as Cyrus needs
    # Folder names travel in modified UTF-7 (RFC 3501 5.1.3); UNSELECT (RFC 3691) before APPEND.
    assert sent.index('EXAMINE "INBOX.Entw&APw-rfe"') < sent.index("UNSELECT")
    assert selected_when_appending(sent) == [('"INBOX.Entw&APw-rfe"', None)]
    assert "CLOSE" not in sent


def test_doctor_names_each_folder_and_why(german: DovecotAccount) -> None:
    line = german.connector().check()
    assert "drafts: INBOX.Entwürfe (\\Drafts, RFC 6154)" in line
    assert "sent: INBOX.Gesendet (\\Sent, RFC 6154)" in line
    assert "corrections: none yet" in line


def test_without_list_extended_the_attributes_of_a_plain_list_are_used(
    german_plain_server: Dovecot, tmp_path: Path
) -> None:
    with account_on(german_plain_server, tmp_path) as account:
        rawlog = account.server.enable_rawlog(account.username)
        connector = account.connector()
        line = connector.check()
        connector.create_draft(draft("k-plain-1"))  # type: ignore[arg-type]
        connector.close()
        sent = commands(rawlog)
        assert 'LIST "" "*"' in sent
        assert not any("RETURN" in command for command in sent)
        assert "drafts: INBOX.Entwürfe (\\Drafts, RFC 6154)" in line
        assert len(account.messages("INBOX.Entwürfe")) == 1
        assert "CLOSE" in sent  # no UNSELECT announced


# --- names resolved under a namespace (what LIST showed, no server needed) ------------------


def _map(prefix: str, delimiter: str | None, *names: str) -> FolderMap:
    listed = tuple(Listed(name, delimiter, frozenset()) for name in names)
    return FolderMap(prefix, delimiter, listed, "NAMESPACE, RFC 2342", 'LIST "" "*"')


def test_configured_names_map_onto_the_servers_layout() -> None:
    cyrus = _map("INBOX.", ".", "INBOX", "INBOX.Drafts", "INBOX.Chief", "INBOX.Chief.payer")
    assert cyrus.resolve("Drafts") == "INBOX.Drafts"
    assert cyrus.resolve("Chief/payer") == "INBOX.Chief.payer"
    assert cyrus.resolve("Referrals") == "INBOX.Referrals"  # not there yet: where it would be
    assert cyrus.resolve("INBOX/Referrals") == "INBOX.Referrals"
    assert cyrus.resolve("INBOX.Drafts") == "INBOX.Drafts"
    assert cyrus.resolve("inbox") == "INBOX"
    assert cyrus.children("Chief") == {"payer": "INBOX.Chief.payer"}
    dovecot = _map("", "/", "INBOX", "Drafts", "Chief/payer")
    assert dovecot.resolve("Chief/payer") == "Chief/payer"
    assert dovecot.children("Chief") == {"payer": "Chief/payer"}
    exchange = _map("", "/", "INBOX", "Sent Items", "Drafts")
    sent = exchange.special("\\Sent", "Sent", "sent_folder", ("Sent", "Sent Items"))
    assert (sent.name, sent.why, sent.exists) == ("Sent Items", "well-known name", True)
    none = cyrus.special("\\Sent", "Sent", "sent_folder", ("Sent", "Sent Items"))
    assert (none.name, none.exists) == ("INBOX.Sent", False)


# --- the whole flow: `chief sync` and `chief doctor` -----------------------------------------


def _chief(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    chief = shutil.which("chief")
    assert chief, "the `chief` console script is not installed (pip install -e '.[test]')"
    return subprocess.run(
        [chief, "--config", str(config), *args],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("layout", ["courier", "german"])
def test_chief_sync_writes_drafts_into_the_existing_drafts_folder(
    layout: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from tests.test_imap_pipeline import imap_practice, sample_mailbox

    account: DovecotAccount = request.getfixturevalue(layout)
    drafts = {"courier": "INBOX.Drafts", "german": "INBOX.Entwürfe"}[layout]
    account.seed(sample_mailbox()[:30])
    before = folder_names(account)
    config = imap_practice(tmp_path, account)
    done = _chief(config, "sync", "--json")
    assert done.returncode == 0, done.stderr
    written = json.loads(done.stdout)["drafts_written"]
    assert written > 0
    # Never a second drafts folder: the only folders made are the correction folders, under
    # the personal namespace with the server's delimiter (RFC 2342).
    made = folder_names(account) - before
    assert made == {"INBOX.Chief"} | {
        f"INBOX.Chief.{name}"
        for name in (
            "Payer", "Solicitor", "Local authority", "Referral", "Team", "Lab", "CME",
            "Credentialing", "Supplier", "Research", "Not practice mail",
        )
    }  # fmt: skip
    on_server = account.messages(drafts)
    assert len(on_server) == written
    assert all(b"\\Draft" in flags for _, flags in on_server)
    keys = [marker_of(email.message_from_bytes(raw)["Message-ID"]) for raw, _ in on_server]
    assert None not in keys and len(set(keys)) == len(keys)
    doctor = _chief(config, "doctor", "--json")
    (mail,) = [c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "mail (imap)"]
    assert mail["ok"] and f"drafts: {drafts} (" in mail["detail"]
