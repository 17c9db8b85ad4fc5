"""The IMAP connector against a real Dovecot on 127.0.0.1 (tests/fixtures_dovecot.py).

Sync, cursor, read-only reading, drafts and the summary, sign-in and connection failures, and
the shared connector contract. The same connector driven through the real pipeline (UIDVALIDITY
resync, crashes, a server stopping mid-sync) is in ``test_imap_pipeline.py``.
"""

from __future__ import annotations

import email
import logging
import os
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from imapclient import IMAPClient

import connectors.imap.connector as imap_module
from bot.errors import AuthError, ConnectorError, CursorInvalid, RemoteGone, UserError
from bot.keys import draft_marker, marker_of
from bot.mail.message import KEY_HEADER
from connectors.base import OutgoingDraft
from connectors.imap import session as imap_session
from connectors.imap.connector import ImapConnector, ServerUnavailable
from tests.connector_contract import (
    PRACTITIONER,
    CorrectionsContract,
    MailContract,
    SentMailContract,
    WithdrawsDraftsContract,
    drain,
    sample,
)
from tests.servers.imap_testing import big, unrecent

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount

pytest_plugins = ["tests.fixtures_dovecot"]
pytestmark = pytest.mark.servers


@pytest.fixture
def conn(dovecot: DovecotAccount) -> Iterator[ImapConnector]:
    connector = dovecot.connector(batch_size=3, practitioner_address=PRACTITIONER)
    yield connector
    connector.close()


# --- sync ---------------------------------------------------------------------------------


def test_full_then_incremental_sync(dovecot: DovecotAccount, conn: ImapConnector) -> None:
    dovecot.seed(sample(n) for n in range(7))
    batches = list(conn.changes(None))
    assert [len(b.messages) for b in batches] == [3, 3, 1]
    marks = [b.cursor["folders"]["INBOX"] for b in batches]
    assert [m["last_uid"] for m in marks] == [3, 6, 7]  # each batch resumes after itself
    assert marks[0]["modseq"] is None and isinstance(marks[-1]["modseq"], int)
    validity = marks[-1]["uidvalidity"]
    assert batches[0].messages[0].provider_id == f"INBOX/{validity}/1"

    dovecot.seed(sample(n) for n in (7, 8))
    later = list(conn.changes(batches[-1].cursor))
    assert [m.message_id for b in later for m in b.messages] == [
        "<contract-7@payer.example>",
        "<contract-8@payer.example>",
    ]
    assert later[-1].cursor["folders"]["INBOX"]["last_uid"] == 9
    assert list(conn.changes(later[-1].cursor)) == []


def test_no_change_sync_is_one_round_trip(dovecot: DovecotAccount) -> None:
    """Counted on both sides: the commands the client wrote, and the commands Dovecot's raw
    protocol log recorded for the session. Timing is reported but is not the proof."""
    dovecot.seed(sample(n) for n in range(5))
    rawlog = dovecot.server.enable_rawlog(dovecot.username)  # sessions from now on
    connector = dovecot.connector()
    _, _, cursor = drain(connector.changes(None))
    imap = connector._link.session()._client._imap
    tags: list[str] = []
    new_tag = imap._new_tag

    def counted_tag() -> Any:
        tags.append("tag")
        return new_tag()

    imap._new_tag = counted_tag  # every command the client sends gets a new tag

    def server_commands() -> list[str]:
        (log_in,) = rawlog.glob("*.in")
        return [line.split(" ", 2)[2] for line in log_in.read_text().splitlines() if line]

    before = server_commands()
    assert list(connector.changes(cursor)) == []
    after = server_commands()
    assert len(tags) == 1
    assert after[len(before) :] == ['EXAMINE "INBOX"']
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        assert list(connector.changes(cursor)) == []
        timings.append(time.perf_counter() - start)
    assert len(tags) == 21
    assert statistics.median(timings) < 0.05  # loopback; typically well under 1 ms
    connector.close()


def test_reading_never_sets_seen_or_any_flag(dovecot: DovecotAccount, conn: ImapConnector) -> None:
    dovecot.seed(sample(n) for n in range(4))
    dovecot.seed([sample(10)], flags=[b"\\Flagged", b"\\Seen"])
    dovecot.seed([sample(11)], flags=[b"\\Answered"])
    before = unrecent(dovecot.snapshot())
    messages, _, cursor = drain(conn.changes(None))
    assert len(messages) == 6
    drain(conn.changes(None))
    drain(conn.changes(cursor))
    after = unrecent(dovecot.snapshot())
    assert after == before
    unseen = [uid for uid, (_, flags) in after.items() if b"\\Seen" not in flags]
    assert len(unseen) == 5  # only the one seeded \Seen is seen


def test_large_message_is_truncated_to_max_body_bytes(dovecot: DovecotAccount) -> None:
    dovecot.seed([big(1, kib=300), sample(2)])
    connector = dovecot.connector(max_body_bytes=64 * 1024)
    messages, failed, _ = drain(connector.changes(None))
    connector.close()
    assert failed == []
    large, small = messages
    assert large.truncated and large.size > 300 * 1024 and large.message_id
    assert not small.truncated


def test_uidvalidity_change_rereads_the_folder(
    dovecot: DovecotAccount, conn: ImapConnector, caplog: pytest.LogCaptureFixture
) -> None:
    dovecot.seed(sample(n) for n in range(4))
    first, _, cursor = drain(conn.changes(None))
    assert cursor is not None
    conn.close()
    dovecot.server.set_uidvalidity(dovecot.username, "INBOX", 4242)
    with caplog.at_level(logging.INFO, logger="connectors.imap"):
        again, _, new_cursor = drain(conn.changes(cursor))
    assert sorted(m.message_id for m in again) == sorted(m.message_id for m in first)
    assert {m.provider_id.split("/")[1] for m in again} == {"4242"}
    assert new_cursor is not None and new_cursor["folders"]["INBOX"]["uidvalidity"] == 4242
    assert "UIDVALIDITY changed" in caplog.text


def test_cursor_of_another_shape_is_invalid(conn: ImapConnector) -> None:
    with pytest.raises(CursorInvalid):
        next(iter(conn.changes({"v": 1, "folders": {"INBOX": {"last_uid": "x"}}})))
    with pytest.raises(CursorInvalid):
        next(iter(conn.changes({"history": 12})))


def test_estimate_then_sync_reuses_the_examine(dovecot: DovecotAccount) -> None:
    connector = dovecot.connector()
    dovecot.seed(sample(n) for n in range(3))
    assert connector.estimate(None) == 3
    messages, _, cursor = drain(connector.changes(None))
    assert len(messages) == 3
    dovecot.seed([sample(3)])
    assert connector.estimate(cursor) == 1
    connector.close()


# --- drafts and the summary ----------------------------------------------------------------


def draft(key: str, replying_to: int = 1) -> OutgoingDraft:
    raw = (
        f"From: {PRACTITIONER}\nTo: sender{replying_to}@payer.example\n"
        f"Subject: Re: Contract message {replying_to}\n"
        f"In-Reply-To: <contract-{replying_to}@payer.example>\n"
        f"{KEY_HEADER}: {key}\nX-Chief-Generated: draft\n\nDRAFT FOR REVIEW\n"
    ).encode()
    return OutgoingDraft(key=key, raw=raw, in_reply_to=f"<contract-{replying_to}@payer.example>")


def test_draft_is_appended_flagged_threaded_and_seen_by_another_client(
    dovecot: DovecotAccount, conn: ImapConnector
) -> None:
    dovecot.seed([sample(1)])
    remote = conn.create_draft(draft("key-1"))
    folder, validity, uid = remote.split("/")
    assert folder == "Drafts" and int(validity) > 0 and int(uid) >= 1
    ((raw, flags),) = dovecot.messages("Drafts")
    assert {b"\\Draft", b"\\Seen"} <= flags
    parsed = email.message_from_bytes(raw)
    assert parsed["In-Reply-To"] == "<contract-1@payer.example>"
    assert marker_of(parsed["Message-ID"]) == draft_marker("key-1")
    assert KEY_HEADER not in parsed and "X-Chief-Generated" not in parsed
    assert b"\r\n" in raw and b"\n\n" not in raw.replace(b"\r\n", b"")
    assert conn.find_draft("key-1") == remote


def test_a_draft_of_an_earlier_version_is_found_by_its_header(
    dovecot: DovecotAccount, conn: ImapConnector
) -> None:
    """A draft an earlier version appended carries its key in ``X-Chief-Key`` and an ordinary
    Message-ID: it is found by the key, never appended a second time."""
    legacy = draft("old-key").raw.replace(b"\n", b"\r\n")
    dovecot.seed([b"Message-ID: <random-1@practice.example>\r\n" + legacy], "Drafts", [b"\\Draft"])
    found = conn.find_draft("old-key")
    assert found is not None and found.startswith("Drafts/")
    assert conn.create_draft(draft("old-key")) == found
    assert len(dovecot.messages("Drafts")) == 1
    assert conn.find_draft("old-ke") is None


def test_find_draft_after_a_crash_between_append_and_commit(dovecot: DovecotAccount) -> None:
    """Process one appends and dies before recording it; process two looks before writing."""
    first = dovecot.connector()
    remote = first.create_draft(draft("crash-key"))
    first._link.discard()  # no LOGOUT: the process is gone
    second = dovecot.connector()
    assert second.find_draft("crash-key") == remote
    assert second.find_draft("crash-ke") is None  # SEARCH matches substrings; we do not
    assert second.create_draft(draft("crash-key")) == remote
    second.close()
    assert len(dovecot.messages("Drafts")) == 1


def test_summary_to_a_third_party_is_refused(conn: ImapConnector) -> None:
    raw = (
        f"From: {PRACTITIONER}\r\nTo: Dr <{PRACTITIONER}>, other@elsewhere.example\r\n"
        "Subject: Practice summary\r\n\r\nHello\r\n"
    ).encode()
    with pytest.raises(UserError, match="practitioner only"):
        conn.send_to_practitioner(raw, "summary-x")
    no_address = ImapConnector(**{**_settings(conn), "practitioner_address": None})
    with pytest.raises(UserError, match="no practitioner address"):
        no_address.send_to_practitioner(raw.replace(b", other@elsewhere.example", b""), "s")


def _settings(conn: ImapConnector) -> dict[str, Any]:
    return {
        "host": conn.host,
        "port": conn.port,
        "username": conn.username,
        "password_file": conn.password_file,
        "tls": conn.tls,
    }


# --- sign-in, configuration and connection failures ----------------------------------------


def test_wrong_password_is_one_login_and_an_auth_error(
    dovecot: DovecotAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logins: list[str] = []

    class CountingClient(IMAPClient):  # type: ignore[misc]
        def login(self, username: str, password: str) -> Any:
            logins.append(username)
            return super().login(username, password)

    monkeypatch.setattr(imap_session, "IMAPClient", CountingClient)
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password\n")
    wrong.chmod(0o600)
    connector = dovecot.connector(password_file=wrong)
    start = time.monotonic()
    with pytest.raises(AuthError) as refused:
        list(connector.changes(None))
    elapsed = time.monotonic() - start
    message = str(refused.value)
    assert dovecot.username in message and "password / app password" in message
    assert "not-the-password" not in message
    # Every later operation of this instance fails at once, without a second LOGIN.
    with pytest.raises(AuthError):
        connector.find_draft("k")
    with pytest.raises(AuthError):
        connector.create_draft(draft("k"))
    assert logins == [dovecot.username]
    assert elapsed < 5  # Dovecot delays a refusal by 2 s (auth_failure_delay); one attempt
    deadline = time.monotonic() + 3
    while "Password mismatch" not in dovecot.server.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    mismatches = [
        line
        for line in dovecot.server.log_text().splitlines()
        if f"({dovecot.username}," in line and "Password mismatch" in line
    ]
    assert len(mismatches) == 1


def test_password_file_readable_by_others_is_refused(
    dovecot: DovecotAccount, tmp_path: Path
) -> None:
    loose = tmp_path / "loose"
    loose.write_text(dovecot.password)
    loose.chmod(0o644)
    with pytest.raises(UserError) as refused:
        dovecot.connector(password_file=loose)
    assert f"chmod 600 {loose}" in str(refused.value)


def test_password_from_the_environment(
    dovecot: DovecotAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHIEF_TEST_IMAP_PASSWORD", dovecot.password)
    connector = dovecot.connector(password_file=None, password_env="CHIEF_TEST_IMAP_PASSWORD")
    assert "CONDSTORE" in connector.check()
    connector.close()


def test_plain_imap_only_on_loopback(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("x")
    secret.chmod(0o600)
    with pytest.raises(UserError) as refused:
        ImapConnector("imap.example.com", 143, "dr", password_file=secret, tls="none")
    assert '"ssl" or "starttls"' in str(refused.value)
    ImapConnector("localhost", 143, "dr", password_file=secret, tls="none")


def test_tls_settings_that_do_not_fit_the_server_are_explained(dovecot: DovecotAccount) -> None:
    # The test server speaks plain IMAP only: no STARTTLS, no TLS on connect.
    with pytest.raises(UserError, match="does not offer STARTTLS"):
        dovecot.connector(tls="starttls").check()
    with pytest.raises(ConnectorError, match="TLS handshake with .* failed") as failed:
        dovecot.connector(tls="ssl").check()
    assert not isinstance(failed.value, AuthError)


def test_xoauth2_hook_signs_in_with_a_fresh_token(
    dovecot: DovecotAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dovecot here has no OAuth2 passdb, so the recording client checks the call the
    connector makes (user, token) and then signs in with LOGIN, the token as password."""
    calls: list[tuple[str, str]] = []

    class RecordingClient(IMAPClient):  # type: ignore[misc]
        def oauth2_login(self, user: str, access_token: str, **kwargs: Any) -> Any:
            calls.append((user, access_token))
            return self.login(user, access_token)

    monkeypatch.setattr(imap_session, "IMAPClient", RecordingClient)
    tokens = iter([dovecot.password, dovecot.password])
    connector = dovecot.connector(password_file=None, xoauth2_token_provider=lambda: next(tokens))
    assert "CONDSTORE" in connector.check()
    connector.close()
    connector.check()  # a new connection asks for a new token
    connector.close()
    assert calls == [(dovecot.username, dovecot.password)] * 2


def test_connection_refused_is_a_clear_error(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("x")
    secret.chmod(0o600)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens once it is closed
    connector = ImapConnector("127.0.0.1", port, "dr", password_file=secret, tls="none")
    with pytest.raises(ServerUnavailable, match="connection refused; check `host`"):
        list(connector.changes(None))


def test_check_reports_capabilities_and_folders(dovecot: DovecotAccount) -> None:
    connector = dovecot.connector()
    line = connector.check()
    drafts = "drafts: Drafts (\\Drafts, RFC 6154)"
    for word in ("CONDSTORE", "QRESYNC", "SPECIAL-USE", "UIDPLUS", "IDLE", drafts):
        assert word in line
    connector.close()
    wrong = dovecot.connector(watch=["INBOX", "Practise"])
    with pytest.raises(RemoteGone, match="`watch`"):
        wrong.check()
    wrong.close()


def test_wait_for_changes_wakes_on_new_mail(dovecot: DovecotAccount, conn: ImapConnector) -> None:
    dovecot.seed([sample(1)])
    drain(conn.changes(None))
    assert conn.wait_for_changes(0.3) is False
    timer = threading.Timer(0.3, lambda: dovecot.seed([sample(2)]))
    timer.start()
    start = time.monotonic()
    assert conn.wait_for_changes(20) is True
    assert time.monotonic() - start < 5
    timer.join()


def test_wait_for_changes_sees_every_watched_folder(
    dovecot: DovecotAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imap_module, "_OTHERS_EVERY_S", 0.5)  # look at "Clinic" twice a second
    with dovecot.client() as client:
        client.create_folder("Clinic")
    conn = dovecot.connector(watch=["INBOX", "Clinic"])
    drain(conn.changes(None))
    assert conn.wait_for_changes(0.3) is False
    timer = threading.Timer(0.3, lambda: dovecot.seed([sample(7)], folder="Clinic"))
    timer.start()
    start = time.monotonic()
    assert conn.wait_for_changes(20) is True  # IDLE is on INBOX; Clinic is seen by STATUS
    assert time.monotonic() - start < 5
    timer.join()
    conn.close()


def test_interrupt_ends_a_wait_at_once(dovecot: DovecotAccount, conn: ImapConnector) -> None:
    drain(conn.changes(None))
    threading.Timer(0.3, conn.interrupt).start()
    start = time.monotonic()
    with pytest.raises(ConnectorError):
        conn.wait_for_changes(20)
    assert time.monotonic() - start < 5
    assert drain(conn.changes(None))[0] == []  # the connector reconnects for the next call


# --- dropped connections --------------------------------------------------------------------


def test_connection_dropped_mid_fetch_is_reopened_once(
    dovecot: DovecotAccount, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    dovecot.seed(big(n) for n in range(30))
    before = unrecent(dovecot.snapshot())
    proxy = dovecot.proxy()
    proxy.cut_after(1_200_000)  # in the second batch's answer (about 1 MB each)
    connector = dovecot.connector(batch_size=10, port=proxy.port)
    with caplog.at_level(logging.WARNING):
        messages, failed, _ = drain(connector.changes(None))
    connector.close()
    assert failed == []
    assert sorted(m.message_id for m in messages) == sorted(
        f"<contract-{n}@payer.example>" for n in range(30)
    )
    assert "reconnecting once" in caplog.text and proxy.cuts_made == 1
    assert unrecent(dovecot.snapshot()) == before


def test_connection_dropped_twice_is_a_clear_error(
    dovecot: DovecotAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot.seed(big(n, kib=300) for n in range(40))
    proxy = dovecot.proxy()
    proxy.cut_after(2_000_000, times=2)  # the first batch's answer, and its one retry
    connector = dovecot.connector(batch_size=20, port=proxy.port)
    with pytest.raises(ServerUnavailable) as lost:
        drain(connector.changes(None))
    assert "during UID FETCH" in str(lost.value)
    assert "the next sync resumes" in str(lost.value)
    assert isinstance(lost.value, ConnectorError)
    assert proxy.cuts_made == 2
    messages, _, _ = drain(connector.changes(None))  # the connector itself recovers
    assert len(messages) == 40
    connector.close()


# --- secrets and content stay out of the log ------------------------------------------------


def test_debug_log_holds_no_password_subject_or_body(
    dovecot: DovecotAccount, caplog: pytest.LogCaptureFixture
) -> None:
    dovecot.seed([sample(1)])
    with caplog.at_level(logging.DEBUG):
        connector = dovecot.connector()
        drain(connector.changes(None))
        connector.create_draft(draft("log-key"))
        connector.find_draft("log-key")
        connector.close()
    assert caplog.records  # the debug log really was on
    for secret in (dovecot.password, "Contract message", "Body of message", "DRAFT FOR REVIEW"):
        assert secret not in caplog.text


# --- the shared connector contract ----------------------------------------------------------


class TestImapContract(
    MailContract, SentMailContract, CorrectionsContract, WithdrawsDraftsContract
):
    @pytest.fixture
    def mail(self, dovecot: DovecotAccount) -> Iterator[ImapConnector]:
        connector = dovecot.connector(practitioner_address=PRACTITIONER)
        yield connector
        connector.close()

    @pytest.fixture
    def put(self, dovecot: DovecotAccount) -> Callable[[bytes], None]:
        return lambda raw: None if dovecot.seed([raw]) else None

    @pytest.fixture
    def user_mail(
        self, dovecot: DovecotAccount
    ) -> Callable[[], dict[str, tuple[str, frozenset[str]]]]:
        def snapshot() -> dict[str, tuple[str, frozenset[str]]]:
            return {
                str(uid): (digest, frozenset(f.decode() for f in flags))
                for uid, (digest, flags) in unrecent(dovecot.snapshot()).items()
            }

        return snapshot

    @pytest.fixture
    def drafts_on_server(
        self, dovecot: DovecotAccount
    ) -> Callable[[], list[tuple[bytes, frozenset[str]]]]:
        def drafts() -> list[tuple[bytes, frozenset[str]]]:
            return [
                (raw, frozenset({"draft"} if b"\\Draft" in flags else set()))
                for raw, flags in dovecot.messages("Drafts")
            ]

        return drafts

    @pytest.fixture
    def sent_mail(self, mail: ImapConnector) -> ImapConnector:
        return mail

    @pytest.fixture
    def folder_maker(self, mail: ImapConnector) -> ImapConnector:
        return mail

    @pytest.fixture
    def corrections_mail(self, mail: ImapConnector) -> ImapConnector:
        return mail

    @pytest.fixture
    def put_sent(self, dovecot: DovecotAccount) -> Callable[[bytes], None]:
        return lambda raw: None if dovecot.seed([raw], folder="Sent", flags=[b"\\Seen"]) else None

    @pytest.fixture
    def put_correction(self, dovecot: DovecotAccount) -> Callable[[str, bytes], None]:
        return lambda category, raw: (
            None if dovecot.seed([raw], folder=f"Chief/{category}") else None
        )


def test_sent_mail_is_found_by_its_special_use_whatever_its_name(
    dovecot: DovecotAccount,
) -> None:
    """RFC 6154: the folder flagged \\Sent is read, not the configured fallback name."""
    dovecot.seed([sample(1)], folder="Sent")
    dovecot.seed([sample(2)], folder="Elsewhere")
    conn = dovecot.connector(sent_folder="Elsewhere")
    messages, _, _ = drain(conn.sent_changes(None))
    assert [m.message_id for m in messages] == ["<contract-1@payer.example>"]
    conn.close()


def test_reading_sent_and_corrections_never_alters_them(dovecot: DovecotAccount) -> None:
    dovecot.seed([sample(1)], folder="Sent")
    dovecot.seed([sample(2)], folder="Chief/payer")
    before = (dovecot.snapshot("Sent"), dovecot.snapshot("Chief/payer"))
    conn = dovecot.connector()
    drain(conn.sent_changes(None))
    list(conn.corrections(None))
    assert (dovecot.snapshot("Sent"), dovecot.snapshot("Chief/payer")) == before
    conn.close()


def test_password_file_mode_is_checked_on_disk(dovecot: DovecotAccount) -> None:
    assert os.stat(dovecot.password_file).st_mode & 0o777 == 0o600
