"""The message parser: headers in every encoding senders use, text chosen and bounded."""

from __future__ import annotations

import email
import email.utils

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import MessageError
from bot.mail.headers import simple_address
from bot.mail.message import Limits
from bot.mail.mime import Part, build_message, parse_message

HEADERS = email.message_from_bytes(b"From: a@b.example\r\n\r\n")


def _raw(headers: str, body: bytes = b"Body.\r\n", extra: bytes = b"") -> bytes:
    return headers.encode("utf-8").replace(b"\n", b"\r\n") + extra + b"\r\n" + body


def test_raw_utf8_headers_are_read_as_utf8() -> None:
    # RFC 6532: UTF-8 straight in the headers, no encoded words
    raw = _raw(
        "From: Zoë Brontë <zoe@clinic.example>\n"
        "Subject: Café résumé\n"
        "Message-ID: <a@clinic.example>\n"
        "Content-Type: text/plain; charset=utf-8\n"
        'Content-Disposition: attachment; filename="naïve.txt"\n'
    )
    message = parse_message(raw, "m")
    assert message.from_name == "Zoë Brontë"
    assert message.subject == "Café résumé"
    assert [a.filename for a in message.attachments] == ["naïve.txt"]


def test_legacy_8bit_headers_fall_back_to_latin1() -> None:
    raw = b"From: a@b.example\r\nSubject: Caf\xe9\r\n\r\nBody.\r\n"
    assert parse_message(raw, "m").subject == "Café"


def test_encoded_words_and_control_characters() -> None:
    raw = _raw(
        "From: =?utf-8?q?Ren=C3=A9e?= <r@x.example>\nSubject: =?utf-8?b?SGVsbG8NCkJjYzogeA==?=\n"
    )
    message = parse_message(raw, "m")
    assert message.from_name == "Renée"
    assert message.subject == "Hello Bcc: x"  # CR/LF cannot smuggle a header


def test_html_is_ignored_when_there_is_plain_text() -> None:
    parts = [
        Part("text/html", "", None, "utf-8", b"<p>" + b"H" * 500 + b"</p>", 507),
        Part("text/plain", "", None, "utf-8", b"plain words", 11),
    ]
    message = build_message("m", HEADERS, parts, 600, Limits(max_text_chars=100))
    assert message.text == "plain words" and not message.truncated


def test_a_cut_utf8_character_is_dropped_not_garbled() -> None:
    data = "é".encode() * 10
    parts = [Part("text/plain", "", None, "utf-8", data[:-1], 20, cut=True)]
    message = build_message("m", HEADERS, parts, 100, Limits())
    assert message.text == "é" * 9 and message.truncated


@pytest.mark.parametrize("raw", [b"\r\n\r\n", b"X-Only: this\r\n\r\nbody\r\n", b"   "])
def test_a_message_without_any_usable_header_is_refused(raw: bytes) -> None:
    with pytest.raises(MessageError) as refused:
        parse_message(raw, "m-1")
    assert refused.value.item == "m-1"


_WORD = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.builds(
            lambda name, local, domain, gap: f"{name}{gap}<{local}@{domain}>",
            st.lists(_WORD, max_size=3).map(" ".join),
            _WORD,
            _WORD,
            st.sampled_from(["", " ", "\r\n "]),
        ),
        st.text(max_size=40),
    )
)
def test_the_simple_address_reader_agrees_with_the_full_parser(value: str) -> None:
    simple = simple_address(value)
    if simple is not None:  # whatever it accepts, it reads as email.utils does
        assert [simple] == email.utils.getaddresses([value])


def test_a_fold_after_an_encoded_word_keeps_its_blank() -> None:
    raw = (
        b"From: a@b.example\r\n"
        b"Subject: Referral =?utf-8?q?=E2=80=93_Ren=C3=A9e_=E2=80=93?=\r\n"
        b" integrative work-up\r\n\r\nBody.\r\n"
    )
    assert parse_message(raw, "m").subject == "Referral – Renée – integrative work-up"


def test_raw_utf8_beside_encoded_words() -> None:
    raw = _raw(
        "From: =?utf-8?q?Ren=C3=A9e?= Zoë <a@b.example>\nSubject: =?utf-8?q?Caf=C3=A9?= – bar\n"
    )
    message = parse_message(raw, "m")
    assert message.subject == "Café – bar"
    assert message.from_name == "Renée Zoë"


def test_a_cut_utf16_body_without_a_byte_order_mark_is_read_not_raised() -> None:
    """Python's incremental UTF-16 decoder raises a bare UnicodeError (not a decode error)
    for a stream without a BOM: the body falls back to UTF-8, then Latin-1."""
    from bot.mail.headers import decode_bytes

    assert decode_bytes(b"AAAA", "utf-16", cut=True) == "AAAA"
    raw = (
        b"From: a@b.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-16\r\n\r\n" + b"A" * 300_000
    )
    message = parse_message(raw, "p1", Limits(max_text_chars=1000, max_part_bytes=4096))
    assert message.text
