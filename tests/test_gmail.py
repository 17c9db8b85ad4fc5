"""The Gmail connector against the local Gmail API server (tests/servers/google_api.py), through
the real google-api-python-client and google-auth: the shared mail contract, history sync and its
404 fallback, resuming a full sync, the sent mail (label ``SENT``) and the correction labels
(``Chief/<category>``) with cursors of their own, threaded drafts found again after a crash, the
summary, throttling and faults, token refresh, revoked and narrow sign-ins.

The pipeline over the same server (the demo mailbox, kills and reruns, a 429 storm) is in
``test_gmail_pipeline.py``.
"""

from __future__ import annotations

import email
import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import AuthError, CursorInvalid, RateLimited, UserError
from bot.keys import draft_marker, marker_of
from bot.mail.message import KEY_HEADER
from connectors.base import Correction, OutgoingDraft
from connectors.google.auth import GMAIL_SCOPES
from connectors.google.gmail import GmailConnector
from tests.connector_contract import (
    PRACTITIONER,
    CorrectionsContract,
    MailContract,
    SentMailContract,
    WithdrawsDraftsContract,
    drain,
    sample,
)
from tests.servers.google_api import GoogleApiServer
from tests.servers.google_testing import gmail_for, signed_in

pytest_plugins = ["tests.fixtures_google"]
pytestmark = pytest.mark.servers


class TestGmailContract(
    MailContract, SentMailContract, CorrectionsContract, WithdrawsDraftsContract
):
    @pytest.fixture
    def mail(self, google: GoogleApiServer, token_file: Path) -> GmailConnector:
        return gmail_for(google, token_file)

    @pytest.fixture
    def put(self, google: GoogleApiServer) -> Callable[[bytes], None]:
        def deliver(raw: bytes) -> None:
            google.gmail.deliver(raw)

        return deliver

    @pytest.fixture
    def user_mail(
        self, google: GoogleApiServer
    ) -> Callable[[], dict[str, tuple[str, frozenset[str]]]]:
        def snapshot() -> dict[str, tuple[str, frozenset[str]]]:
            with google.gmail.lock:
                return {
                    m.id: (hashlib.sha256(m.raw).hexdigest(), frozenset(m.labels))
                    for m in google.gmail.messages.values()
                    if "INBOX" in m.labels
                }

        return snapshot

    @pytest.fixture
    def drafts_on_server(
        self, google: GoogleApiServer
    ) -> Callable[[], list[tuple[bytes, frozenset[str]]]]:
        def drafts() -> list[tuple[bytes, frozenset[str]]]:
            return [
                (m.raw, frozenset({"draft"} if "DRAFT" in m.labels else ()))
                for m in google.gmail.draft_messages()
            ]

        return drafts

    @pytest.fixture
    def sent_mail(self, mail: GmailConnector) -> GmailConnector:
        return mail

    @pytest.fixture
    def folder_maker(self, google: GoogleApiServer, tmp_path: Path) -> GmailConnector:
        """Labels are made by a sign-in that may make them (``category_labels``)."""
        token = signed_in(
            google, tmp_path / "labels" / "google-token.json", (*GMAIL_SCOPES, MODIFY)
        )
        return gmail_for(google, token, category_labels=True)

    @pytest.fixture
    def corrections_mail(self, mail: GmailConnector) -> GmailConnector:
        return mail

    @pytest.fixture
    def put_sent(self, google: GoogleApiServer) -> Callable[[bytes], None]:
        return lambda raw: None if google.gmail.send(raw) else None

    @pytest.fixture
    def put_correction(self, google: GoogleApiServer) -> Callable[[str, bytes], None]:
        return lambda category, raw: _correct(google, category, raw)


def _correct(google: GoogleApiServer, category: str, raw: bytes) -> str:
    """Deliver ``raw``, then move it under ``Chief/<category>`` as the practitioner would."""
    message = google.gmail.deliver(raw)
    google.gmail.move(message, google.gmail.user_label(f"Chief/{category}"))
    return message


@pytest.fixture
def gmail(google: GoogleApiServer, token_file: Path) -> GmailConnector:
    return gmail_for(google, token_file, batch_size=3)


def _draft(key: str, parent: str, subject: str) -> OutgoingDraft:
    raw = (
        f"From: Dr Test <{PRACTITIONER}>\r\nTo: sender1@payer.example\r\n"
        f"Subject: Re: {subject}\r\nIn-Reply-To: {parent}\r\nReferences: {parent}\r\n"
        f"Message-ID: <draft-{key}@practice.example>\r\nX-Chief-Generated: draft\r\n"
        f"{KEY_HEADER}: {key}\r\n\r\nDRAFT FOR REVIEW\r\n"
    ).encode()
    return OutgoingDraft(key=key, raw=raw)


# --- sync -----------------------------------------------------------------------------------


def test_full_sync_in_batches_then_a_no_change_sync_is_one_history_call(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    for n in range(7):
        google.gmail.deliver(sample(n))
    batches = list(gmail.changes(None))
    assert [len(b.messages) for b in batches] == [3, 3, 1, 0]
    assert [m.message_id for m in batches[0].messages] == [
        f"<contract-{n}@payer.example>" for n in range(3)
    ]  # oldest first
    assert [bool(b.cursor.get("resume")) for b in batches] == [True, True, True, False]
    assert google.batches == [3, 3, 1]
    assert batches[0].messages[0].provider_id in google.gmail.messages
    cursor = batches[-1].cursor
    before = len(google.calls)
    assert list(gmail.changes(cursor)) == []
    assert [c.method_id for c in google.calls[before:]] == ["gmail.users.history.list"]

    google.gmail.deliver(sample(7))
    google.gmail.deliver(sample(8))
    later = list(gmail.changes(cursor))
    assert sorted(m.message_id for b in later for m in b.messages) == [
        "<contract-7@payer.example>",
        "<contract-8@payer.example>",
    ]
    assert int(later[-1].cursor["history_id"]) > int(cursor["history_id"])


def test_mail_labelled_into_the_inbox_later_is_read(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    archived = google.gmail.deliver(sample(1), labels=("CATEGORY_UPDATES",))
    _, _, cursor = drain(gmail.changes(None))
    google.gmail.add_label(archived, "INBOX")
    messages, _, _ = drain(gmail.changes(cursor))
    assert [m.provider_id for m in messages] == [archived]


def test_expired_history_is_cursor_invalid_before_anything_is_read(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    google.gmail.deliver(sample(1))
    _, _, cursor = drain(gmail.changes(None))
    google.gmail.deliver(sample(2))
    google.gmail.expire_history()
    with pytest.raises(CursorInvalid, match="404"):
        gmail.changes(cursor)
    again, _, _ = drain(gmail.changes(None))
    assert {m.message_id for m in again} == {
        "<contract-1@payer.example>",
        "<contract-2@payer.example>",
    }


def test_a_cursor_of_another_shape_or_other_labels_is_refused(
    gmail: GmailConnector, google: GoogleApiServer, token_file: Path
) -> None:
    with pytest.raises(CursorInvalid):
        gmail.changes({"folders": {}})
    _, _, cursor = drain(gmail.changes(None))
    other = gmail_for(google, token_file, watch=["INBOX", "STARRED"])
    with pytest.raises(CursorInvalid):
        other.changes(cursor)


def test_an_interrupted_full_sync_resumes_after_the_last_batch(
    google: GoogleApiServer, token_file: Path
) -> None:
    for n in range(8):
        google.gmail.deliver(sample(n))
    first = next(iter(gmail_for(google, token_file, batch_size=3).changes(None)))
    google.gmail.deliver(sample(8))  # arrives meanwhile: history catches it later
    rest, _, cursor = drain(gmail_for(google, token_file, batch_size=3).changes(first.cursor))
    got = [m.message_id for m in [*first.messages, *rest]]
    assert len(got) == len(set(got)) == 9  # nothing twice; the newcomer read with the rest
    newer, _, _ = drain(gmail_for(google, token_file).changes(cursor))
    assert [m.message_id for m in newer] == ["<contract-8@payer.example>"]  # the case log dedupes


def test_watched_labels_by_name(google: GoogleApiServer, token_file: Path) -> None:
    google.gmail.labels["Label_7"] = {"id": "Label_7", "name": "Practice/Payers", "type": "user"}
    google.gmail.deliver(sample(1), labels=("Label_7",))
    google.gmail.deliver(sample(2))
    messages, _, _ = drain(gmail_for(google, token_file, watch=["Practice/Payers"]).changes(None))
    assert [m.message_id for m in messages] == ["<contract-1@payer.example>"]


# --- sent mail and corrections ------------------------------------------------------------


def test_sent_mail_is_read_from_the_history_of_its_label(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    for n in range(4):
        google.gmail.send(sample(n))
    batches = list(gmail.sent_changes(None))
    assert [len(b.messages) for b in batches] == [3, 1, 0]  # batch_size 3, then the cursor
    listed = [c.params for c in google.calls if c.method_id.endswith("messages.list")]
    assert [p["labelIds"] for p in listed] == [["SENT"]]
    cursor = batches[-1].cursor
    assert cursor["kind"] == "sent" and "labels" not in cursor
    google.gmail.deliver(sample(10))  # received: another cursor's business
    google.gmail.send(sample(4))
    before = len(google.calls)
    later, _, _ = drain(gmail.sent_changes(cursor))
    assert [m.message_id for m in later] == ["<contract-4@payer.example>"]
    (history,) = [c for c in google.calls[before:] if c.method_id.endswith("history.list")]
    assert history.params["labelId"] == "SENT"
    assert sorted(history.params["historyTypes"]) == ["labelAdded", "messageAdded"]


def test_an_expired_sent_history_is_cursor_invalid_then_a_full_listing(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    google.gmail.send(sample(1))
    _, _, cursor = drain(gmail.sent_changes(None))
    assert cursor is not None
    google.gmail.send(sample(2))
    google.gmail.expire_history()
    before = len(google.calls)
    with pytest.raises(CursorInvalid, match="404"):
        gmail.sent_changes(cursor)
    assert google.count("messages.get") == 1  # nothing read for the refused cursor
    again, _, _ = drain(gmail.sent_changes(None))
    assert {m.message_id for m in again} == {
        "<contract-1@payer.example>",
        "<contract-2@payer.example>",
    }
    methods = [c.method_id.rsplit(".", 2)[-2:] for c in google.calls[before:]]
    assert ["messages", "list"] in methods  # the full listing by label


def test_an_interrupted_full_read_of_sent_mail_resumes_after_the_last_batch(
    google: GoogleApiServer, token_file: Path
) -> None:
    for n in range(5):
        google.gmail.send(sample(n))
    first = next(iter(gmail_for(google, token_file, batch_size=2).sent_changes(None)))
    assert first.cursor["kind"] == "sent" and first.cursor["resume"]["label"] == "SENT"
    rest, _, _ = drain(gmail_for(google, token_file, batch_size=2).sent_changes(first.cursor))
    got = [m.message_id for m in [*first.messages, *rest]]
    assert len(got) == len(set(got)) == 5


def test_each_cursor_is_refused_by_the_others(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    google.gmail.send(sample(1))
    _correct(google, "payer", sample(2))
    _, _, inbox = drain(gmail.changes(None))
    _, _, sent = drain(gmail.sent_changes(None))
    corrections = [c.batch.cursor for c in gmail.corrections(None)][-1]
    before = len(google.calls)
    for wrong in (inbox, corrections, {"v": 1, "kind": "sent"}, {"folders": {}}):
        with pytest.raises(CursorInvalid):
            gmail.sent_changes(wrong)
    for wrong in (inbox, sent, {"v": 1, "kind": "corrections", "history_id": "x"}):
        with pytest.raises(CursorInvalid):
            gmail.corrections(wrong)
    for wrong in (sent, corrections):
        with pytest.raises(CursorInvalid):
            gmail.changes(wrong)
    assert google.calls[before:] == []  # refused before any request


def test_a_correction_is_read_under_the_label_it_carries_when_read(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    _correct(google, "payer", sample(1))
    found = list(gmail.corrections(None))
    assert {(c.category, m.message_id) for c in found for m in c.batch.messages} == {
        ("payer", "<contract-1@payer.example>")
    }
    cursor = found[-1].batch.cursor
    moved_on = _correct(google, "payer", sample(2))
    payer, records = (google.gmail.user_label(f"Chief/{c}") for c in ("payer", "records"))
    google.gmail.move(moved_on, records, source=payer)  # to a label made since the cursor
    taken_back = _correct(google, "payer", sample(3))
    google.gmail.move(taken_back, "INBOX", source=payer)
    later = list(gmail.corrections(cursor))
    got = {(c.category, m.message_id) for c in later for m in c.batch.messages}
    assert got == {("records", "<contract-2@payer.example>")}
    assert all(isinstance(c, Correction) for c in later)
    assert later[-1].batch.cursor["history_id"] != cursor["history_id"]


def test_only_user_labels_directly_under_chief_are_corrections(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    for name in ("Chief/payer/archived", "Chiefly/payer", "Practice/payer"):
        google.gmail.move(google.gmail.deliver(sample(len(name))), google.gmail.user_label(name))
    google.gmail.move(google.gmail.deliver(sample(1)), google.gmail.user_label("Chief/payer"))
    found = list(gmail.corrections(None))
    assert {(c.category, m.message_id) for c in found for m in c.batch.messages} == {
        ("payer", "<contract-1@payer.example>")
    }


def test_without_correction_labels_nothing_is_read_or_made(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    google.gmail.deliver(sample(1))
    assert list(gmail.corrections(None)) == []
    assert [c.method_id for c in google.calls] == ["gmail.users.labels.list"]
    assert all(label["type"] == "system" for label in google.gmail.labels.values())


# --- drafts and the summary ---------------------------------------------------------------


def test_draft_is_created_in_the_conversation_it_answers(
    google: GoogleApiServer, token_file: Path
) -> None:
    original = google.gmail.deliver(sample(1))
    thread = google.gmail.messages[original].thread_id
    fresh = gmail_for(google, token_file)  # knows nothing from a sync: finds it by Message-ID
    draft_id = fresh.create_draft(
        _draft("k-thread", "<contract-1@payer.example>", "Contract message 1")
    )
    (stored,) = google.gmail.draft_messages()
    assert google.gmail.drafts[draft_id] == stored.id
    assert stored.thread_id == thread
    assert email.message_from_bytes(stored.raw)["In-Reply-To"] == "<contract-1@payer.example>"


def test_a_draft_written_before_a_crash_is_found_not_written_again(
    google: GoogleApiServer, token_file: Path
) -> None:
    google.gmail.deliver(sample(1))
    draft = _draft("k-crash", "<contract-1@payer.example>", "Contract message 1")
    written = gmail_for(google, token_file).create_draft(draft)
    restarted = gmail_for(google, token_file)  # a new process: no memory of the write
    assert restarted.find_draft("k-crash") == written
    assert restarted.create_draft(draft) == written
    assert len(google.gmail.drafts) == 1
    before = google.count("drafts.get")
    restarted.find_draft("k-other")  # indexed once per run: only new drafts are read again
    assert google.count("drafts.get") == before


def test_summary_is_inserted_unread_into_the_inbox(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    raw = (
        f"From: {PRACTITIONER}\r\nTo: {PRACTITIONER}\r\nSubject: Practice summary\r\n"
        f"Message-ID: <random-1@practice.example>\r\nX-Chief-Generated: summary\r\n\r\nHello\r\n"
    ).encode()
    first = gmail.send_to_practitioner(raw, "summary-2026-11-24")
    again = gmail_for(google, gmail.store.token_file).send_to_practitioner(
        raw.replace(b"random-1", b"random-2"), "summary-2026-11-24"
    )
    assert first == again
    stored = google.gmail.messages[first]
    assert stored.labels == {"INBOX", "UNREAD"}
    assert email.message_from_bytes(stored.raw)[KEY_HEADER] == "summary-2026-11-24"


def test_nothing_is_ever_sent(google: GoogleApiServer, gmail: GmailConnector) -> None:
    google.gmail.deliver(sample(1))
    drain(gmail.changes(None))
    gmail.create_draft(_draft("k-send", "<contract-1@payer.example>", "Contract message 1"))
    assert google.calls and not [c for c in google.calls if "send" in c.method_id]
    family = Path(__file__).resolve().parent.parent / "connectors" / "google"
    assert all(".send(" not in p.read_text() for p in family.glob("*.py"))


# --- throttling, faults, sign-in ----------------------------------------------------------


def test_a_429_storm_slows_the_sync_but_loses_nothing(
    google: GoogleApiServer, token_file: Path
) -> None:
    for n in range(40):
        google.gmail.deliver(sample(n))
    google.fault(429, times=None, every=3)
    google.fault(403, reason="userRateLimitExceeded", times=5, method="messages.get")
    google.fault(503, times=2, method="messages.list")
    gmail = gmail_for(google, token_file, batch_size=10)
    messages, failed, _ = drain(gmail.changes(None))
    assert len({m.message_id for m in messages}) == 40 and failed == []
    assert gmail.client.retries >= 5 and gmail.client.waited_s > 0


def test_retry_after_is_honoured(google: GoogleApiServer, gmail: GmailConnector) -> None:
    google.gmail.deliver(sample(1))
    google.fault(429, retry_after=1, method="messages.list")
    started = time.monotonic()
    messages, _, _ = drain(gmail.changes(None))
    assert time.monotonic() - started >= 1.0
    assert len(messages) == 1


def test_throttling_that_outlasts_the_retries_is_rate_limited(
    google: GoogleApiServer, token_file: Path
) -> None:
    google.gmail.deliver(sample(1))
    google.fault(429, times=None, retry_after=0, method="getProfile")
    with pytest.raises(RateLimited, match="next sync"):
        drain(gmail_for(google, token_file, retry_attempts=3).changes(None))


def test_the_access_token_is_refreshed_mid_sync(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    for n in range(7):
        google.gmail.deliver(sample(n))
    got = []
    for batch in gmail.changes(None):
        got.extend(batch.messages)
        if len(got) == 3:
            google.expire_access_tokens()  # every token handed out so far now answers 401
    google.fault(401, method="history.list")  # and a 401 out of the blue
    drain(gmail.changes({"v": 1, "history_id": str(google.gmail.history_id), "labels": ["INBOX"]}))
    assert len(got) == 7
    assert google.token_requests == 3


def test_a_revoked_grant_says_how_to_sign_in_again(google: GoogleApiServer, tmp_path: Path) -> None:
    token = signed_in(google, tmp_path / "token.json")
    import json

    google.revoke(json.loads(token.read_text())["refresh_token"])
    with pytest.raises(AuthError, match="chief auth google"):
        drain(gmail_for(google, token).changes(None))


def test_a_sign_in_without_a_needed_scope(google: GoogleApiServer, tmp_path: Path) -> None:
    narrow = signed_in(google, tmp_path / "narrow.json", scopes=[GMAIL_SCOPES[0]])
    with pytest.raises(AuthError, match="gmail.compose"):
        drain(gmail_for(google, narrow).changes(None))
    # A grant narrower than the file claims: the server refuses, chief says what to do.
    liar = signed_in(google, tmp_path / "liar.json", scopes=[GMAIL_SCOPES[0]], claimed=GMAIL_SCOPES)
    with pytest.raises(AuthError, match="lacks a permission"):
        gmail_for(google, liar).create_draft(_draft("k-scope", "<x@y>", "x"))


def test_no_sign_in_and_unsafe_token_files(google: GoogleApiServer, tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="chief auth google"):
        gmail_for(google, tmp_path / "absent.json").check()
    loose = signed_in(google, tmp_path / "loose.json")
    loose.chmod(0o644)
    with pytest.raises(UserError, match="chmod 600"):
        gmail_for(google, loose).check()
    with pytest.raises(UserError, match="127.0.0.1"):
        gmail_for(google, loose, api_root="http://gmail.example/")


def test_check_for_chief_doctor(
    gmail: GmailConnector, google: GoogleApiServer, token_file: Path
) -> None:
    assert "signed in to Gmail as dr@practice.example" in gmail.check()
    with pytest.raises(Exception, match="'Missing'"):
        gmail_for(google, token_file, watch=["Missing"]).check()


def test_batches_stay_within_the_documented_limit(
    google: GoogleApiServer, token_file: Path
) -> None:
    for n in range(230):
        google.gmail.deliver(sample(n))
    messages, _, _ = drain(gmail_for(google, token_file, batch_size=100).changes(None))
    assert len(messages) == 230
    assert google.batches == [100, 100, 30]


# --- progress estimate ------------------------------------------------------------------------


def test_estimate_counts_the_labels_then_the_history_it_hands_on(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    for n in range(5):
        google.gmail.deliver(sample(n))
    google.gmail.deliver(sample(9), labels=("CATEGORY_UPDATES",))  # not watched
    assert gmail.estimate(None) == 5
    _, _, cursor = drain(gmail.changes(None))
    for n in range(5, 8):
        google.gmail.deliver(sample(n))
    before = len(google.calls)
    assert gmail.estimate(cursor) == 3
    messages, _, _ = drain(gmail.changes(cursor))
    assert len(messages) == 3
    history_calls = [c for c in google.calls[before:] if c.method_id.endswith("history.list")]
    assert len(history_calls) == 1, "changes() listed the history estimate() had just read"
    google.gmail.expire_history()
    assert gmail.estimate(cursor) is None  # the sync that follows starts over in full


# --- category labels ------------------------------------------------------------------------

MODIFY = "https://www.googleapis.com/auth/gmail.modify"


def test_category_labels_are_made_once_and_change_nothing_else(
    google: GoogleApiServer, tmp_path: Path
) -> None:
    token = signed_in(google, tmp_path / "t.json", scopes=(*GMAIL_SCOPES, MODIFY))
    gmail = gmail_for(google, token, category_labels=True)
    ids = [google.gmail.deliver(sample(n)) for n in range(4)]
    before = {i: (google.gmail.messages[i].raw, set(google.gmail.messages[i].labels)) for i in ids}
    assert gmail.label_messages({"payer": ids[:3], "local_authority": [ids[3]], None: []}) == 4
    assert gmail.label_messages({"payer": ids[:1]}) == 1  # again: a no-op on the mailbox
    by_name = {v["name"]: k for k, v in google.gmail.labels.items()}
    assert {"Chief/Payer", "Chief/Local authority"} <= set(by_name)
    assert sorted(n for n in by_name if n.startswith("Chief/")) == [
        "Chief/Local authority",
        "Chief/Payer",
    ]
    for i in ids:
        message = google.gmail.messages[i]
        raw, labels = before[i]
        assert message.raw == raw  # never rewritten
        added = message.labels - labels
        assert labels <= message.labels  # still in INBOX, still unread
        want = "Chief/Local authority" if i == ids[3] else "Chief/Payer"
        assert added == {by_name[want]}
    assert google.count("labels.create") == 2
    # A second connector (the next run) finds the labels instead of making them again.
    assert gmail_for(google, token, category_labels=True).label_messages({"payer": ids}) == 4
    assert google.count("labels.create") == 2


def test_category_labels_by_table_and_off_by_default(
    google: GoogleApiServer, tmp_path: Path, token_file: Path
) -> None:
    token = signed_in(google, tmp_path / "t.json", scopes=(*GMAIL_SCOPES, MODIFY))
    gmail = gmail_for(google, token, category_labels={"lab": "Results"})
    lab, payer = google.gmail.deliver(sample(1)), google.gmail.deliver(sample(2))
    assert gmail.label_messages({"lab": [lab], "payer": [payer]}) == 1
    assert [v["name"] for v in google.gmail.labels.values() if v["type"] == "user"] == ["Results"]
    before = len(google.calls)
    assert gmail_for(google, token_file).label_messages({"lab": [lab]}) == 0
    assert len(google.calls) == before  # off: not one call
    for bad, why in (
        ({"payors": "X"}, "unknown category payors"),
        ({"lab": ""}, "give a label name"),
        ({"lab": "INBOX"}, "system label"),
        ("yes", "must be true, false or a table"),
    ):
        with pytest.raises(UserError, match="category_labels") as caught:
            gmail_for(google, token_file, category_labels=bad)
        assert why in str(caught.value)


def test_category_labels_need_the_modify_permission(
    google: GoogleApiServer, token_file: Path
) -> None:
    message = google.gmail.deliver(sample(1))
    with pytest.raises(AuthError, match="gmail.modify"):
        gmail_for(google, token_file, category_labels=True).label_messages({"payer": [message]})


def test_a_draft_of_an_earlier_version_is_found_by_its_header(
    google: GoogleApiServer, gmail: GmailConnector
) -> None:
    """A draft an earlier version wrote carries its key in ``X-Chief-Key`` and an ordinary
    Message-ID: it is found by the key, never written a second time."""
    old = _draft("old-key", "<contract-1@payer.example>", "Contract message 1")
    stored = google.gmail._store(old.raw, {"DRAFT"}, None, received=False, draft=True)
    google.gmail.drafts["r-legacy"] = stored.id
    assert gmail.find_draft("old-key") == "r-legacy"
    assert gmail.create_draft(old) == "r-legacy"
    assert len(google.gmail.draft_messages()) == 1


def test_a_draft_carries_no_chief_header(google: GoogleApiServer, gmail: GmailConnector) -> None:
    created = gmail.create_draft(_draft("k-1", "<contract-1@payer.example>", "Contract message 1"))
    (stored,) = google.gmail.draft_messages()
    parsed = email.message_from_bytes(stored.raw)
    assert marker_of(parsed["Message-ID"]) == draft_marker("k-1")
    assert not [h for h in parsed if h.lower().startswith("x-chief-")]
    assert gmail_for(google, gmail.store.token_file).find_draft("k-1") == created
