"""The Outlook mail connector against the local Graph server (tests/servers/graph_api.py),
through requests and the real msal: the shared mail contract, delta sync with its nextLink /
deltaLink and the 410 reset, resuming a first sync, the sent mail (``sentitems``) and the
correction folders (children of ``Chief``) with cursors of their own, threaded reply drafts
found again after a crash, the summary, throttling and faults, token refresh mid-sync.

Sign-in flows are in ``test_outlook_auth.py``; the pipeline over the same server (the demo
mailbox, kills and reruns, a 429 storm) in ``test_outlook_pipeline.py``.
"""

from __future__ import annotations

import email
import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import AuthError, ConnectorError, CursorInvalid, RateLimited, UserError
from bot.keys import draft_marker, marker_of
from bot.mail.message import KEY_HEADER
from connectors.base import OutgoingDraft
from connectors.microsoft.outlook import KEY_PROPERTY, STATE_PROPERTY, OutlookConnector
from tests.connector_contract import (
    PRACTITIONER,
    CorrectionsContract,
    MailContract,
    SentMailContract,
    WithdrawsDraftsContract,
    drain,
    sample,
)
from tests.servers.graph_api import GraphServer
from tests.servers.graph_mail import ROOT, StoredMessage
from tests.servers.graph_testing import outlook_for

pytest_plugins = ["tests.fixtures_graph"]
pytestmark = pytest.mark.servers


def _flags(graph: GraphServer, message: StoredMessage) -> frozenset[str]:
    flags = {"seen"} if message.props.get("isRead") else set()
    if message.props.get("isDraft"):
        flags.add("draft")
    return frozenset(flags)


class TestOutlookContract(
    MailContract, SentMailContract, CorrectionsContract, WithdrawsDraftsContract
):
    @pytest.fixture
    def mail(self, graph: GraphServer, token_cache: Path) -> OutlookConnector:
        return outlook_for(graph, token_cache)

    @pytest.fixture
    def put(self, graph: GraphServer) -> Callable[[bytes], None]:
        return lambda raw: [graph.mail.deliver(raw), None][1]

    @pytest.fixture
    def user_mail(self, graph: GraphServer) -> Callable[[], dict[str, tuple[str, frozenset[str]]]]:
        def snapshot() -> dict[str, tuple[str, frozenset[str]]]:
            with graph.mail.lock:
                return {
                    m.id: (hashlib.sha256(graph.mail.mime(m)).hexdigest(), _flags(graph, m))
                    for m in graph.mail.in_folder("inbox")
                }

        return snapshot

    @pytest.fixture
    def drafts_on_server(
        self, graph: GraphServer
    ) -> Callable[[], list[tuple[bytes, frozenset[str]]]]:
        def drafts() -> list[tuple[bytes, frozenset[str]]]:
            with graph.mail.lock:
                return [
                    (graph.mail.mime(m), _flags(graph, m)) for m in graph.mail.in_folder("drafts")
                ]

        return drafts

    @pytest.fixture
    def sent_mail(self, mail: OutlookConnector) -> OutlookConnector:
        return mail

    @pytest.fixture
    def folder_maker(self, mail: OutlookConnector) -> OutlookConnector:
        return mail

    @pytest.fixture
    def corrections_mail(self, mail: OutlookConnector) -> OutlookConnector:
        return mail

    @pytest.fixture
    def put_sent(self, graph: GraphServer) -> Callable[[bytes], None]:
        return lambda raw: None if graph.mail.deliver(raw, folder="sentitems") else None

    @pytest.fixture
    def put_correction(self, graph: GraphServer) -> Callable[[str, bytes], None]:
        return lambda category, raw: None if _correct(graph, category, raw) else None


def _folder(graph: GraphServer, name: str, parent: str | None = None) -> str:
    """The id of the practitioner's folder ``name`` (under ``parent``), made when missing."""
    box = graph.mail
    with box.lock:
        for fid, up in box.parents.items():
            if up == (parent or ROOT) and box.display[fid] == name:
                return fid
        return box.make_folder(name, parent)


def _correct(graph: GraphServer, category: str, raw: bytes) -> str:
    """Deliver ``raw``, then move it into Chief/<category> as the practitioner would."""
    target = _folder(graph, category, _folder(graph, "Chief"))
    return graph.mail.move(graph.mail.deliver(raw), target)


@pytest.fixture
def outlook(graph: GraphServer, token_cache: Path) -> OutlookConnector:
    return outlook_for(graph, token_cache, batch_size=3, page_size=4)


def _draft(key: str, parent: str, subject: str = "Contract message 1") -> OutgoingDraft:
    raw = (
        f"From: Dr Test <{PRACTITIONER}>\r\nTo: Sender 1 <sender1@payer.example>\r\n"
        f"Subject: Re: {subject}\r\nIn-Reply-To: {parent}\r\nReferences: {parent}\r\n"
        f"Message-ID: <draft-{key}@practice.example>\r\nX-Chief-Generated: draft\r\n"
        f"{KEY_HEADER}: {key}\r\n\r\nDRAFT FOR REVIEW\r\n"
    ).encode()
    return OutgoingDraft(key=key, raw=raw)


# --- sync -----------------------------------------------------------------------------------


def test_first_sync_pages_the_delta_then_reads_oldest_first_in_batches(
    graph: GraphServer, outlook: OutlookConnector
) -> None:
    for n in range(7):
        graph.mail.deliver(sample(n).replace(b"10:00:00", f"10:0{n}:00".encode()))
    batches = list(outlook.changes(None))
    assert [len(b.messages) for b in batches] == [3, 3, 1]
    assert [m.message_id for m in batches[0].messages] == [
        f"<contract-{n}@payer.example>" for n in range(3)
    ]  # oldest first, though delta gives newest first
    assert [bool(b.cursor["folders"]["inbox"].get("after")) for b in batches] == [True, True, False]
    assert graph.count("/messages/delta") == 2  # 7 ids at 4 a page: nextLink, then deltaLink
    assert graph.batches == [3, 3, 1]
    cursor = batches[-1].cursor
    before = len(graph.calls)
    (quiet,) = list(outlook.changes(cursor))
    assert quiet.messages == ()
    assert [c.path for c in graph.calls[before:]] == ["/me/mailFolders/inbox/messages/delta"]

    graph.mail.deliver(sample(7))
    graph.mail.deliver(sample(8))
    later, _, newer = drain(outlook.changes(cursor))
    assert sorted(m.message_id for m in later) == [
        "<contract-7@payer.example>",
        "<contract-8@payer.example>",
    ]
    assert newer is not None and newer != cursor


def test_delta_asks_only_for_what_it_needs(graph: GraphServer, outlook: OutlookConnector) -> None:
    graph.mail.deliver(sample(1))
    drain(outlook.changes(None))
    delta = [c for c in graph.calls if c.path.endswith("/delta")]
    assert delta and all(c.status == 200 for c in delta)
    # the select survives into the nextLink / deltaLink the server hands back
    assert all("$value" in c.path for c in graph.calls if c.in_batch)


def test_an_expired_delta_token_is_cursor_invalid_then_a_full_sync(
    graph: GraphServer, outlook: OutlookConnector
) -> None:
    graph.mail.deliver(sample(1))
    _, _, cursor = drain(outlook.changes(None))
    graph.mail.deliver(sample(2))
    graph.mail.expire_delta()
    with pytest.raises(CursorInvalid, match="410"):
        outlook.changes(cursor)
    again, _, _ = drain(outlook.changes(None))
    assert {m.message_id for m in again} == {
        "<contract-1@payer.example>",
        "<contract-2@payer.example>",
    }


def test_a_cursor_of_another_shape_or_other_folders_is_refused(
    graph: GraphServer, outlook: OutlookConnector, token_cache: Path
) -> None:
    with pytest.raises(CursorInvalid):
        outlook.changes({"history_id": "1"})
    _, _, cursor = drain(outlook.changes(None))
    other = outlook_for(graph, token_cache, watch=["inbox", "archive"])
    with pytest.raises(CursorInvalid):
        other.changes(cursor)


def test_an_interrupted_first_sync_resumes_after_the_last_batch(
    graph: GraphServer, token_cache: Path
) -> None:
    for n in range(8):
        graph.mail.deliver(sample(n).replace(b"10:00:00", f"10:0{n}:00".encode()))
    first = next(iter(outlook_for(graph, token_cache, batch_size=3).changes(None)))
    graph.mail.deliver(sample(8))  # arrives meanwhile: the delta catches it later
    rest, _, cursor = drain(outlook_for(graph, token_cache, batch_size=3).changes(first.cursor))
    got = [m.message_id for m in [*first.messages, *rest]]
    assert len(got) == len(set(got)) == 8  # nothing twice, nothing lost
    newer, _, _ = drain(outlook_for(graph, token_cache).changes(cursor))
    assert [m.message_id for m in newer] == ["<contract-8@payer.example>"]


def test_a_message_deleted_or_read_meanwhile(graph: GraphServer, outlook: OutlookConnector) -> None:
    kept = graph.mail.deliver(sample(1))
    gone = graph.mail.deliver(sample(2))
    _, _, cursor = drain(outlook.changes(None))
    graph.mail.delete(gone)
    graph.mail.touch(kept)  # a change: read again; the case log drops it
    again, failed, _ = drain(outlook.changes(cursor))
    assert [m.message_id for m in again] == ["<contract-1@payer.example>"] and failed == []


def test_watched_folders_by_display_name(graph: GraphServer, token_cache: Path) -> None:
    graph.mail.deliver(sample(1), folder="archive")
    graph.mail.deliver(sample(2))
    messages, _, _ = drain(outlook_for(graph, token_cache, watch=["Archive"]).changes(None))
    assert [m.message_id for m in messages] == ["<contract-1@payer.example>"]
    with pytest.raises(Exception, match="'Missing'"):
        drain(outlook_for(graph, token_cache, watch=["Missing"]).changes(None))


# --- sent mail and corrections ------------------------------------------------------------


def test_sent_items_are_read_with_a_delta_of_their_own(
    graph: GraphServer, outlook: OutlookConnector
) -> None:
    for n in range(4):
        graph.mail.deliver(sample(n), folder="sentitems")
    graph.mail.deliver(sample(10))  # received: the inbox's business
    batches = list(outlook.sent_changes(None))
    assert [len(b.messages) for b in batches] == [3, 1]
    cursor = batches[-1].cursor
    assert cursor["kind"] == "sent" and list(cursor["folders"]) == ["sentitems"]
    deltas = [c.path for c in graph.calls if c.path.endswith("/delta")]
    assert set(deltas) == {"/me/mailFolders/sentitems/messages/delta"}
    graph.mail.deliver(sample(4), folder="sentitems")
    before = len(graph.calls)
    later, _, _ = drain(outlook.sent_changes(cursor))
    assert [m.message_id for m in later] == ["<contract-4@payer.example>"]
    assert graph.calls[before].path == "/me/mailFolders/sentitems/messages/delta"


def test_an_expired_sent_delta_is_cursor_invalid_then_a_full_sync(
    graph: GraphServer, outlook: OutlookConnector
) -> None:
    graph.mail.deliver(sample(1), folder="sentitems")
    _, _, cursor = drain(outlook.sent_changes(None))
    assert cursor is not None
    graph.mail.deliver(sample(2), folder="sentitems")
    graph.mail.expire_delta()
    with pytest.raises(CursorInvalid, match="410"):
        outlook.sent_changes(cursor)
    again, _, _ = drain(outlook.sent_changes(None))
    assert {m.message_id for m in again} == {
        "<contract-1@payer.example>",
        "<contract-2@payer.example>",
    }


def test_each_cursor_is_refused_by_the_others(
    graph: GraphServer, outlook: OutlookConnector
) -> None:
    graph.mail.deliver(sample(1), folder="sentitems")
    _correct(graph, "payer", sample(2))
    _, _, inbox = drain(outlook.changes(None))
    _, _, sent = drain(outlook.sent_changes(None))
    corrections = [c.batch.cursor for c in outlook.corrections(None)][-1]
    before = len(graph.calls)
    for wrong in (inbox, corrections, {"v": 1, "kind": "sent", "folders": {}}, {"history_id": "1"}):
        with pytest.raises(CursorInvalid):
            outlook.sent_changes(wrong)
    for wrong in (inbox, sent, {"v": 1, "kind": "corrections", "folders": {"payer": "x"}}):
        with pytest.raises(CursorInvalid):
            outlook.corrections(wrong)
    for wrong in (sent, corrections):
        with pytest.raises(CursorInvalid):
            outlook.changes(wrong)
    assert graph.calls[before:] == []  # refused before any request


def test_without_a_chief_folder_nothing_is_read_or_made(
    graph: GraphServer, outlook: OutlookConnector
) -> None:
    graph.mail.deliver(sample(1))
    _folder(graph, "payer")  # a top-level folder of that name is no correction folder
    folders = dict(graph.mail.folders)
    assert list(outlook.corrections(None)) == []
    assert [c.path for c in graph.calls] == ["/me/mailFolders"]
    assert graph.mail.folders == folders
    _folder(graph, "Chief")  # made, but empty: still nothing to read
    assert list(outlook.corrections(None)) == []


def test_each_correction_folder_has_its_own_delta_and_new_ones_are_read_in_full(
    graph: GraphServer, outlook: OutlookConnector
) -> None:
    first = _correct(graph, "payer", sample(1))
    found = list(outlook.corrections(None))
    assert {(c.category, m.message_id) for c in found for m in c.batch.messages} == {
        ("payer", "<contract-1@payer.example>")
    }
    cursor = found[-1].batch.cursor
    assert cursor["kind"] == "corrections" and list(cursor["folders"]) == ["payer"]
    records = _folder(graph, "records", _folder(graph, "Chief"))  # made after the cursor
    graph.mail.move(first, records)  # the practitioner changes their mind
    _correct(graph, "payer", sample(2))
    before = len(graph.calls)
    later = list(outlook.corrections(cursor))
    got = {(c.category, m.message_id) for c in later for m in c.batch.messages}
    assert got == {
        ("payer", "<contract-2@payer.example>"),
        ("records", "<contract-1@payer.example>"),
    }
    assert list(later[-1].batch.cursor["folders"]) == ["payer", "records"]
    deltas = {c.path for c in graph.calls[before:] if c.path.endswith("/delta")}
    assert len(deltas) == 2  # one per folder
    quiet = list(outlook.corrections(later[-1].batch.cursor))
    assert not any(c.batch.messages for c in quiet)


def test_a_correction_folder_made_anew_under_its_old_name_is_read_in_full(
    graph: GraphServer, outlook: OutlookConnector
) -> None:
    _correct(graph, "payer", sample(1))
    cursor = [c.batch.cursor for c in outlook.corrections(None)][-1]
    chief = _folder(graph, "Chief")
    graph.mail.delete_folder(_folder(graph, "payer", chief))
    _correct(graph, "payer", sample(2))  # into a new folder of the same name
    later = list(outlook.corrections(cursor))
    got = {(c.category, m.message_id) for c in later for m in c.batch.messages}
    assert got == {("payer", "<contract-2@payer.example>")}
    assert later[-1].batch.cursor["folders"]["payer"]["folder"] == _folder(graph, "payer", chief)


def test_an_interrupted_first_read_of_sent_items_resumes_after_the_last_batch(
    graph: GraphServer, token_cache: Path
) -> None:
    for n in range(5):
        graph.mail.deliver(sample(n).replace(b"10:00:00", f"10:0{n}:00".encode()), "sentitems")
    first = next(iter(outlook_for(graph, token_cache, batch_size=2).sent_changes(None)))
    assert first.cursor["folders"]["sentitems"].get("after")
    rest, _, _ = drain(outlook_for(graph, token_cache, batch_size=2).sent_changes(first.cursor))
    got = [m.message_id for m in [*first.messages, *rest]]
    assert len(got) == len(set(got)) == 5


# --- drafts and the summary ---------------------------------------------------------------


def test_a_draft_is_a_reply_in_the_originals_conversation(
    graph: GraphServer, token_cache: Path
) -> None:
    original = graph.mail.deliver(sample(1))
    draft_id = outlook_for(graph, token_cache).create_draft(
        _draft("k-thread", "<contract-1@payer.example>")
    )
    (stored,) = graph.mail.in_folder("drafts")
    assert stored.id == draft_id and stored.parent == original
    assert stored.props["conversationId"] == graph.mail.messages[original].props["conversationId"]
    assert stored.props["isDraft"] is True
    assert stored.props["body"] == {"contentType": "text", "content": "DRAFT FOR REVIEW\n"}
    assert stored.props["subject"] == "Re: Contract message 1"
    assert stored.extended[KEY_PROPERTY.lower()] == "k-thread"
    parsed = email.message_from_bytes(graph.mail.mime(stored))
    assert parsed["In-Reply-To"] == "<contract-1@payer.example>"
    assert graph.count("/createReply", "POST") == 1


def test_the_summary_links_each_draft_to_outlook_on_the_web(
    graph: GraphServer, token_cache: Path
) -> None:
    from bot.summary.links import links_from_sink

    outlook = outlook_for(graph, token_cache)
    ids = []
    for n in range(3):
        graph.mail.deliver(sample(n))
        ids.append(outlook.create_draft(_draft(f"k-link-{n}", f"<contract-{n}@payer.example>")))
    graph.mail.delete(ids[2])  # sent or deleted by the practitioner since
    before = graph.count("/$batch", "POST")
    links = links_from_sink(outlook, [*ids, ids[0]])
    assert graph.count("/$batch", "POST") == before + 1  # one batch for all of them
    assert links == {i: graph.mail.messages[i].props["webLink"] for i in ids[:2]}
    assert all(
        link.startswith("https://outlook.office365.com/owa/?ItemID=") for link in links.values()
    )


def test_a_draft_written_before_a_crash_is_found_not_written_again(
    graph: GraphServer, token_cache: Path
) -> None:
    graph.mail.deliver(sample(1))
    draft = _draft("k-crash", "<contract-1@payer.example>")
    written = outlook_for(graph, token_cache).create_draft(draft)
    restarted = outlook_for(graph, token_cache)  # a new process: no memory of the write
    assert restarted.find_draft("k-crash") == written
    assert restarted.create_draft(draft) == written
    assert len(graph.mail.in_folder("drafts")) == 1


def test_a_crash_between_create_reply_and_its_body_is_completed(
    graph: GraphServer, token_cache: Path
) -> None:
    graph.mail.deliver(sample(1))
    graph.fault(503, times=None, method="PATCH")  # the body never lands
    with pytest.raises(Exception, match="kept failing"):
        outlook_for(graph, token_cache, retry_attempts=2).create_draft(
            _draft("k-half", "<contract-1@payer.example>")
        )
    graph.clear_faults()
    again = outlook_for(graph, token_cache)
    assert again.find_draft("k-half") is None  # not complete: not reported as written
    draft_id = again.create_draft(_draft("k-half", "<contract-1@payer.example>"))
    (stored,) = graph.mail.in_folder("drafts")
    assert stored.id == draft_id
    assert stored.extended[STATE_PROPERTY.lower()] == "complete"
    assert stored.props["body"]["content"] == "DRAFT FOR REVIEW\n"


def test_a_lost_answer_to_create_reply_makes_no_second_draft(
    graph: GraphServer, token_cache: Path
) -> None:
    """A 504 after the server made the reply: the key is looked up before trying again."""
    graph.mail.deliver(sample(1))
    original = graph.mail.in_folder("inbox")[0].id
    real = graph.mail.create_reply

    def made_then_lost(mid: str, body: object) -> dict[str, object]:
        real(mid, body)
        from tests.servers.graph_mail import GraphError

        graph.mail.create_reply = real  # type: ignore[method-assign]
        raise GraphError(504, "GatewayTimeout", "lost")

    graph.mail.create_reply = made_then_lost  # type: ignore[method-assign]
    outlook_for(graph, token_cache).create_draft(_draft("k-lost", "<contract-1@payer.example>"))
    assert len(graph.mail.in_folder("drafts")) == 1
    assert graph.mail.in_folder("drafts")[0].parent == original


def test_a_draft_without_an_original_is_a_new_message(
    graph: GraphServer, outlook: OutlookConnector
) -> None:
    outlook.create_draft(_draft("k-new", "<not-here@payer.example>"))
    (stored,) = graph.mail.in_folder("drafts")
    assert stored.parent is None and stored.props["isDraft"] is True
    assert stored.props["toRecipients"] == [{"emailAddress": {"address": "sender1@payer.example"}}]
    parsed = email.message_from_bytes(graph.mail.mime(stored))  # uploaded as MIME: kept whole
    assert parsed["In-Reply-To"] == "<not-here@payer.example>"
    assert marker_of(parsed["Message-ID"]) == draft_marker("k-new")
    assert KEY_HEADER not in parsed and "X-Chief-Generated" not in parsed
    assert stored.extended[KEY_PROPERTY.lower()] == "k-new"
    assert stored.extended[STATE_PROPERTY.lower()] == "complete"
    assert graph.count("/createReply") == 0


def test_an_uploaded_draft_not_yet_marked_is_found_by_its_message_id(
    graph: GraphServer, token_cache: Path
) -> None:
    graph.fault(503, times=None, method="PATCH")  # the key property never lands
    with pytest.raises(Exception, match="kept failing"):
        outlook_for(graph, token_cache, retry_attempts=2).create_draft(
            _draft("k-mime", "<not-here@payer.example>")
        )
    graph.clear_faults()
    again = outlook_for(graph, token_cache)
    assert again.find_draft("k-mime") is None
    draft_id = again.create_draft(_draft("k-mime", "<not-here@payer.example>"))
    (stored,) = graph.mail.in_folder("drafts")
    assert stored.id == draft_id and stored.extended[KEY_PROPERTY.lower()] == "k-mime"
    assert again.find_draft("k-mime") == draft_id


def test_summary_lands_unread_in_the_inbox_once(
    graph: GraphServer, outlook: OutlookConnector, token_cache: Path
) -> None:
    raw = (
        f"From: {PRACTITIONER}\r\nTo: {PRACTITIONER}\r\nSubject: Practice summary\r\n"
        f"X-Chief-Generated: summary\r\n\r\nHello\r\n"
    ).encode()
    first = outlook.send_to_practitioner(raw, "summary-2026-11-24")
    again = outlook_for(graph, token_cache).send_to_practitioner(raw, "summary-2026-11-24")
    assert first == again
    stored = graph.mail.messages[first]
    assert stored.props["isDraft"] is False and stored.props["isRead"] is False
    assert len(graph.mail.in_folder("inbox")) == 1
    messages, _, _ = drain(outlook.changes(None))
    # Read back like any message, its key handed on: the pipeline knows it by chief's record.
    assert [m.chief_key for m in messages] == ["summary-2026-11-24"]


def test_nothing_is_ever_sent(graph: GraphServer, outlook: OutlookConnector) -> None:
    graph.mail.deliver(sample(1))
    drain(outlook.changes(None))
    outlook.create_draft(_draft("k-send", "<contract-1@payer.example>"))
    assert graph.calls and not [
        c for c in graph.calls if c.path.rsplit("/", 1)[-1] in ("send", "sendMail", "reply")
    ]
    family = Path(__file__).resolve().parent.parent / "connectors" / "microsoft"
    text = "".join(p.read_text() for p in sorted(family.glob("*.py")))
    assert "/send" not in text and "sendMail" not in text.replace("``sendMail``", "")


# --- throttling, faults -------------------------------------------------------------------


def test_a_throttling_storm_slows_the_sync_but_loses_nothing(
    graph: GraphServer, token_cache: Path
) -> None:
    for n in range(45):
        graph.mail.deliver(sample(n))
    graph.fault(429, times=None, every=3, retry_after=0)
    graph.fault(503, times=4, path="$value")
    graph.fault(504, times=2, path="/delta")
    outlook = outlook_for(graph, token_cache, batch_size=20, page_size=10)
    messages, failed, _ = drain(outlook.changes(None))
    assert len({m.message_id for m in messages}) == 45 and failed == []
    assert outlook.client.retries >= 5 and max(graph.batches) <= 20


def test_retry_after_is_honoured(graph: GraphServer, outlook: OutlookConnector) -> None:
    graph.mail.deliver(sample(1))
    graph.fault(429, retry_after=1, path="/delta")
    started = time.monotonic()
    messages, _, _ = drain(outlook.changes(None))
    assert time.monotonic() - started >= 1.0
    assert len(messages) == 1


def test_throttling_that_outlasts_the_retries_is_rate_limited(
    graph: GraphServer, token_cache: Path
) -> None:
    graph.mail.deliver(sample(1))
    graph.fault(429, times=None, retry_after=0, path="/delta")
    with pytest.raises(RateLimited, match="next sync"):
        drain(outlook_for(graph, token_cache, retry_attempts=3).changes(None))


def test_retry_after_inside_a_batch_answer_is_honoured_and_only_those_parts_resent(
    graph: GraphServer, token_cache: Path
) -> None:
    """Graph throttles the parts of a $batch one by one: the batch is answered 200 with some
    parts 429, each with its own Retry-After (here spelt in lower case, as a header name may
    be); only those parts go again, and not before the wait they asked for."""
    for n in range(5):
        graph.mail.deliver(sample(n))
    graph.fault(429, times=2, retry_after=1, path="$value", header="retry-after")
    outlook = outlook_for(graph, token_cache, batch_size=5)
    started = time.monotonic()
    messages, failed, _ = drain(outlook.changes(None))
    assert time.monotonic() - started >= 1.0
    assert len({m.message_id for m in messages}) == 5 and failed == []
    assert graph.batches == [5, 2]
    assert outlook.client.retries == 1


def test_retry_after_on_503_and_504_is_honoured(
    graph: GraphServer, outlook: OutlookConnector
) -> None:
    graph.mail.deliver(sample(1))
    graph.fault(503, retry_after=1, path="/delta")
    graph.fault(504, retry_after=1, path="/delta")
    started = time.monotonic()
    messages, _, _ = drain(outlook.changes(None))
    assert time.monotonic() - started >= 2.0
    assert len(messages) == 1 and outlook.client.retries == 2


def test_a_batch_part_whose_dependency_failed_is_sent_again(
    graph: GraphServer, token_cache: Path
) -> None:
    """424 Failed Dependency is not an answer about the part itself: it goes again."""
    for n in range(4):
        graph.mail.deliver(sample(n))
    graph.fault(424, times=2, path="$value")
    messages, failed, _ = drain(outlook_for(graph, token_cache, batch_size=4).changes(None))
    assert len({m.message_id for m in messages}) == 4 and failed == []


def test_throttled_and_failing_parts_that_outlast_the_retries_are_rate_limited(
    graph: GraphServer, token_cache: Path
) -> None:
    graph.mail.deliver(sample(1))
    graph.mail.deliver(sample(2))
    graph.fault(429, times=None, every=2, retry_after=0, path="$value")
    graph.fault(503, times=None, path="$value")
    with pytest.raises(RateLimited, match="nothing was lost"):
        drain(outlook_for(graph, token_cache, batch_size=2, retry_attempts=3).changes(None))


def test_batch_parts_refused_401_share_one_fresh_token(
    graph: GraphServer, token_cache: Path
) -> None:
    for n in range(5):
        graph.mail.deliver(sample(n))
    outlook = outlook_for(graph, token_cache, batch_size=5)
    graph.fault(401, times=3, path="$value")
    refreshes = graph.token_requests.count("refresh_token")
    messages, failed, _ = drain(outlook.changes(None))
    assert len(messages) == 5 and failed == []
    assert graph.token_requests.count("refresh_token") == refreshes + 1
    assert outlook.client.retries == 0  # a fresh token is no reason to back off


def test_without_a_sign_in_nothing_is_retried(graph: GraphServer, tmp_path: Path) -> None:
    """No token to send is an AuthError at once: not a network fault to back off from."""
    outlook = outlook_for(graph, tmp_path / "never-signed-in.json", retry_base_s=5.0)
    started = time.monotonic()
    with pytest.raises(AuthError, match="chief auth microsoft"):
        outlook.check()
    assert time.monotonic() - started < 5.0
    assert outlook.client.retries == 0 and graph.calls == []


def test_the_access_token_is_refreshed_mid_sync(graph: GraphServer, token_cache: Path) -> None:
    for n in range(7):
        graph.mail.deliver(sample(n))
    outlook = outlook_for(graph, token_cache, batch_size=3)
    got = []
    refreshes = graph.token_requests.count("refresh_token")
    for batch in outlook.changes(None):
        got.extend(batch.messages)
        if len(got) == 3:
            graph.expire_access_tokens()  # every token so far now answers 401
    assert len(got) == 7
    assert graph.token_requests.count("refresh_token") == refreshes + 1


def test_an_unreachable_sign_in_service_is_a_passing_fault_not_a_revoked_grant(
    graph: GraphServer, token_cache: Path
) -> None:
    """The access token needs refreshing and nothing answers at the sign-in service: the
    sync ends with a connector error saying the next sync tries again, after retries; never
    an internal error, never "sign in again" (the grant is fine)."""
    import socket

    graph.mail.deliver(sample(0))
    with socket.socket() as probe:  # a loopback port where nothing listens
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    outlook = outlook_for(graph, token_cache, login_root=dead, retry_attempts=3)
    with pytest.raises(ConnectorError) as caught:
        drain(outlook.changes(None))
    assert not isinstance(caught.value, AuthError)
    assert "the next sync tries again" in str(caught.value)
    assert "sign in again" not in str(caught.value)


def test_settings_are_checked(graph: GraphServer, token_cache: Path) -> None:
    with pytest.raises(UserError, match="127.0.0.1"):
        outlook_for(graph, token_cache, api_root="http://graph.example/v1.0")
    with pytest.raises(UserError, match="batch_size"):
        outlook_for(graph, token_cache, batch_size=21)


def test_check_for_chief_doctor(outlook: OutlookConnector) -> None:
    assert "signed in to Microsoft 365 as dr@practice.example" in outlook.check()
