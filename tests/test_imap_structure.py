"""Reading only what classification needs over IMAP: FETCH answers read, BODYSTRUCTURE
walked, parts chosen.

The walker is tested on structures written out by hand (RFC 3501 7.4.2 shapes, including
hostile ones); then the whole sample mailbox and a corpus of real, broken mail go through a
real Dovecot, and every message read over IMAP must equal the same file parsed whole.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import MessageError
from bot.mail.message import Limits, Message
from bot.mail.mime import parse_message
from connectors.imap.fetch_parser import FetchSyntax, parse_fetch, uid_set
from connectors.imap.parse import SURVEY_ITEMS
from connectors.imap.structure import decode_transfer, leaves, to_parts, wanted
from tests.connector_contract import drain
from tests.samples import sample_files
from tests.test_mail_corpus import corpus_files

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount

pytest_plugins = ["tests.fixtures_dovecot"]

LIMITS = Limits()
PLAIN = (b"text", b"plain", (b"charset", b"utf-8"), None, None, b"7bit", 120, 3, None, None)
HTML = (b"text", b"html", (b"charset", b"iso-8859-1"), None, None, b"quoted-printable", 400, 9)
PDF = (
    b"application",
    b"pdf",
    (b"name", b"x.pdf"),
    None,
    None,
    b"base64",
    78_000,
    None,
    (b"attachment", (b"filename*", b"utf-8''r%C3%A9sum%C3%A9.pdf")),
    None,
)


def _multipart(subtype: bytes, *parts: Any) -> tuple[Any, ...]:
    """The imapclient shape of a multipart: its parts in a list, then the subtype."""
    return ([*parts], subtype, (b"boundary", b"b"), None, None)


def test_a_single_part_message_is_section_1() -> None:
    found, truncated = leaves(PLAIN, LIMITS)
    assert not truncated
    assert [(leaf.section, leaf.content_type, leaf.charset) for leaf in found] == [
        ("1", "text/plain", "utf-8")
    ]
    assert wanted(found, LIMITS, 256 * 1024) == {"1": 256 * 1024}


def test_mixed_alternative_and_attachment_reads_only_the_plain_text() -> None:
    structure = _multipart(b"mixed", _multipart(b"alternative", PLAIN, HTML), PDF)
    found, _ = leaves(structure, LIMITS)
    assert [leaf.section for leaf in found] == ["1.1", "1.2", "2"]
    pdf = found[2]
    assert pdf.filename == "résumé.pdf" and pdf.role == "attachment"
    assert 56_000 < pdf.decoded_size < 58_000  # 78,000 base64 octets with line breaks
    assert wanted(found, LIMITS, 256 * 1024) == {"1.1": 256 * 1024}  # not the HTML nor the PDF


def test_html_is_read_only_when_there_is_no_plain_text() -> None:
    found, _ = leaves(_multipart(b"mixed", HTML, PDF), LIMITS)
    assert wanted(found, LIMITS, 256 * 1024) == {"1": 256 * 1024}


def test_encapsulated_message_parts_are_numbered_beneath_it() -> None:
    inner = _multipart(b"alternative", PLAIN, HTML)
    forwarded = (b"message", b"rfc822", None, None, None, b"7bit", 900, None, inner, 20)
    single = (b"message", b"rfc822", None, None, None, b"7bit", 300, None, PLAIN, 5)
    found, _ = leaves(_multipart(b"mixed", PLAIN, forwarded, single), LIMITS)
    # Each encapsulated message's own header too (its sender: whom a reply goes to).
    assert [leaf.section for leaf in found] == ["1", "2.HEADER", "2.1", "2.2", "3.HEADER", "3.1"]
    assert wanted(found, LIMITS, 65536)["2.HEADER"] > 0


def test_a_calendar_part_is_read_whole_or_not_at_all() -> None:
    invite = (b"text", b"calendar", (b"method", b"REQUEST"), None, None, b"7bit", 2000, 40)
    huge = (b"text", b"calendar", None, None, None, b"base64", 10_000_000, 1000)
    found, _ = leaves(_multipart(b"mixed", PLAIN, invite, huge), LIMITS)
    assert wanted(found, LIMITS, 1024) == {"1": 1024, "2": 2 * LIMITS.max_calendar_bytes}
    parts = to_parts(found, {"1": b"x" * 120, "2": b"BEGIN:VCALENDAR"}, LIMITS)
    assert [p.data is None for p in parts] == [False, False, True]


def test_a_part_cut_by_the_fetch_cap_is_marked_cut() -> None:
    long_text = (b"text", b"plain", None, None, None, b"base64", 700_000, 9000)
    found, _ = leaves(long_text, LIMITS)
    assert wanted(found, LIMITS, 256 * 1024) == {"1": 256 * 1024}
    (part,) = to_parts(found, {"1": b"aGVsbG8g" * 100 + b"aGV"}, LIMITS)  # a quantum cut short
    assert part.cut and part.data == b"hello " * 100 + b"he"


@pytest.mark.parametrize(
    ("encoding", "raw", "decoded"),
    [
        ("base64", b"aGVs\r\nbG8=\r\n", b"hello"),
        ("quoted-printable", b"caf=C3=A9 =\r\nau lait", "café au lait".encode()),
        ("7bit", b"as is", b"as is"),
        ("x-unknown", b"as is", b"as is"),
        ("base64", b"!!!!", b""),
        ("base64", b"aGVs\xd0\x9fbG8", b"hello"),  # a stray byte skipped, padding supplied
    ],
)
def test_transfer_encodings_are_undone_leniently(encoding: str, raw: bytes, decoded: bytes) -> None:
    assert decode_transfer(raw, encoding) == decoded


@pytest.mark.parametrize(
    "structure",
    [
        None,
        (),
        42,
        b"text",
        (b"text",),
        (None, None, None, None, None, None, None),
        (b"text", b"plain", b"not-params", None, None, 7, -5, None),
        ([], b"mixed"),
        ([(b"text", b"plain", (b"charset",), None, None, None, "big")], b"mixed"),
        (b"message", b"rfc822", None, None, None, b"7bit", 10, None, b"not-a-body", 1),
    ],
)
def test_structures_of_the_wrong_shape_are_read_as_absent(structure: Any) -> None:
    found, _ = leaves(structure, LIMITS)
    for leaf in found:
        assert leaf.octets >= 0 and "/" in leaf.content_type
    to_parts(found, {}, LIMITS)


def test_nesting_and_part_count_are_bounded() -> None:
    deep: Any = PLAIN
    for _ in range(500):
        deep = _multipart(b"mixed", deep)
    found, truncated = leaves(deep, LIMITS)
    assert truncated and found == []
    wide = _multipart(b"mixed", *([PLAIN] * 1000))
    found, truncated = leaves(wide, LIMITS)
    assert truncated and len(found) < LIMITS.max_parts


# --- the same message over IMAP and from its file ---------------------------------------------


def _comparable(message: Message) -> dict[str, Any]:
    """Everything but what only one side can know: the provider id, the parser's defect list,
    and unread attachments' exact decoded sizes (IMAP estimates them from the encoded size)."""
    fields = dataclasses.asdict(message)
    for name in ("provider_id", "defects", "size"):
        fields.pop(name)
    fields["attachments"] = [(a["filename"], a["content_type"]) for a in fields["attachments"]]
    return fields


def _over_imap(dovecot: DovecotAccount, files: list[Path]) -> tuple[dict[int, Message], set[int]]:
    """Seed ``files`` in order (UID n+1 is file n) and read them back: (messages by index,
    indexes reported as failed)."""
    dovecot.seed(path.read_bytes() for path in files)
    connector = dovecot.connector(batch_size=64)
    messages, failed, _ = drain(connector.changes(None))
    connector.close()
    by_index = {int(m.provider_id.rsplit("/", 1)[1]) - 1: m for m in messages}
    failed_indexes = {int(pid.rsplit("/", 1)[1]) - 1 for pid, _ in failed}
    return by_index, failed_indexes


def test_the_sample_mailbox_reads_the_same_over_imap(dovecot: DovecotAccount) -> None:
    files = sample_files()
    assert len(files) > 150
    read, failed = _over_imap(dovecot, files)
    assert failed == set()
    assert sorted(read) == list(range(len(files)))
    for index, path in enumerate(files):
        whole = parse_message(path.read_bytes(), path.name)
        assert _comparable(read[index]) == _comparable(whole), path.name
        for over_imap, from_file in zip(read[index].attachments, whole.attachments, strict=True):
            assert abs(over_imap.size - from_file.size) <= max(64, from_file.size // 20)


# Broken beyond agreement: the MIME parsers of Python and of the server see different parts.
DIVERGENT = {
    # The enclosed message starts with a blank line: Python's parser sees no headers there
    # and reads the whole enclosure as one text part; Dovecot skips the blank line and finds
    # a multipart/alternative inside.
    "mail-flanker/enclosed-broken-body.eml",
}


def test_real_broken_mail_reads_the_same_over_imap(dovecot: DovecotAccount) -> None:
    files = corpus_files()
    read, failed = _over_imap(dovecot, files)
    assert set(read) | failed == set(range(len(files)))  # nothing lost
    differ = []
    for index, path in enumerate(files):
        try:
            whole = parse_message(path.read_bytes(), path.name)
        except MessageError:
            assert index not in read or not read[index].subject, path.name
            continue
        if index not in read or _comparable(read[index]) != _comparable(whole):
            differ.append(str(path.relative_to(path.parents[1])))
    assert sorted(differ) == sorted(DIVERGENT)


# --- our FETCH reader against imapclient's ----------------------------------------------------


def _plain(value: Any) -> Any:
    """imapclient's values with its BodyData lists and tuple subclasses as plain tuples of
    parts: the shape our reader gives."""
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if isinstance(value, tuple):
        if value and isinstance(value[0], list):  # BodyData: parts nested in a list
            return (*(_plain(v) for v in value[0]), *(_plain(v) for v in value[1:]))
        return tuple(_plain(v) for v in value)
    return value


def test_our_fetch_reader_reads_what_imapclient_reads(dovecot: DovecotAccount) -> None:
    files = sample_files() + corpus_files()
    dovecot.seed(path.read_bytes() for path in files)
    connector = dovecot.connector()
    session = connector._link.session()
    session.examine("INBOX")
    with dovecot.client() as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        for items in (
            list(SURVEY_ITEMS),
            [b"BODY.PEEK[1]<0.4096>", b"BODY.PEEK[HEADER]", b"FLAGS", b"ENVELOPE"],
        ):
            for start in range(0, len(uids), 50):
                chunk = uids[start : start + 50]
                theirs = client.fetch(chunk, items)
                ours = session.uid_fetch(chunk, items)
                assert sorted(ours) == sorted(theirs)
                for uid, values in theirs.items():
                    expected = {
                        k: _plain(v) for k, v in values.items() if k not in (b"SEQ", b"ENVELOPE")
                    }
                    got = {k: v for k, v in ours[uid].items() if k != b"ENVELOPE"}
                    assert got == expected, uid
    connector.close()


@pytest.mark.parametrize(
    "answer",
    [
        [b"1 (UID 5 RFC822.SIZE"],  # not closed
        [b"x (UID 5)"],  # no message number
        [b"1 UID 5"],  # items not in parentheses
        [(b"1 (UID 5 BODY[1] {10}", b"short")],  # literal of the wrong length
        [b"1 (UID 5 BODY[1] {10}"],  # literal announced, not sent
        [b'1 (UID 5 X "unterminated)'],
    ],
)
def test_malformed_fetch_answers_are_refused(answer: list[Any]) -> None:
    with pytest.raises(FetchSyntax):
        parse_fetch(answer)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40).filter(lambda b: b"\r" not in b and b"\n" not in b))
def test_quoted_strings_round_trip(text: bytes) -> None:
    quoted = b'"' + text.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    assert parse_fetch([b"1 (UID 9 X " + quoted + b")"]) == {9: {b"X": text}}


def test_uid_sets_are_compact() -> None:
    assert uid_set([1, 2, 3, 5, 7, 8, 10]) == "1:3,5,7:8,10"
    assert uid_set([4]) == "4"


def test_an_attached_messages_sender_reads_the_same_over_imap(
    dovecot: DovecotAccount, tmp_path: Path
) -> None:
    """A colleague's forward with the original attached (message/rfc822): its sender is read
    from the attached header over IMAP as from the whole file, so the reply goes to them."""
    raw = (
        b"From: Desk <desk@practice.example>\r\nTo: dr@practice.example\r\n"
        b"Subject: Fwd: referral\r\nMessage-ID: <fwd-1@practice.example>\r\n"
        b"Date: Mon, 02 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        b"--b1\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: =?utf-8?q?Dr_Zo=C3=AB_Osteo?= <osteo@bones.example>\r\n"
        b"Date: Fri, 30 Oct 2026 09:00:00 +0000\r\nSubject: Referral\r\n\r\nPlease see.\r\n"
        b"--b1--\r\n"
    )
    path = tmp_path / "forward.eml"
    path.write_bytes(raw)
    read, failed = _over_imap(dovecot, [path])
    assert failed == set()
    whole = parse_message(raw, "forward.eml")
    assert "From: Dr Zoë Osteo <osteo@bones.example>" in whole.attached
    assert read[0].attached == whole.attached
    assert _comparable(read[0]) == _comparable(whole)
