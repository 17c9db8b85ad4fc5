"""A draft's header fields and body, made safe and finished as an RFC 5322 message.

The reply headers and the sanitising that keeps anything read from incoming mail out of our
header structure (:mod:`bot.letters.drafting` renders the body, :mod:`bot.letters.templates`
holds the template environment).

Subject: ``Re: `` + the original subject (existing ``Re:``/``Aw:``/``Sv:`` prefixes folded into
one). A template may replace it with a top-level ``{% set subject = "..." %}``.

Headers (RFC 5322 section 3.6): From = the practitioner; To = the original's Reply-To, else its
From (that one address only), or the practitioner herself for a draft ``to="practitioner"`` (a
working document such as an expert report skeleton, or a letter whose addressee is not the
sender: the rule action ``draft: {template: ..., to: practitioner}``), still threaded under the
original; In-Reply-To = the original Message-ID; References = the original
References + its Message-ID, keeping the first and the newest ids (RFC 5322 3.6.4 and the
trimming advice of RFC 5537 3.4.4); a Message-ID on the practice's domain that carries the
draft's idempotency key hashed (``bot.keys`` DRAFT MARKER: the draft is found again by it after
a crash, and the practitioner's sent copy reveals nothing: no ``X-Chief-*`` header); Date. The
body is text/plain UTF-8, quoted-printable with lines of at most 76 characters (RFC 2045 6.7
(5)), so no line comes near RFC 5322's 78-character advice or its 998-octet limit.

Every header value derived from mail is sanitised: control characters (CR, LF, NEL, U+2028...),
bidirectional overrides and surrogates are dropped and RFC 2047 encoded words are decoded before
cleaning, then any leftover ``=?`` is broken up, because Python's email package decodes encoded
words in a value it is given and (before 3.11.10) wrote a decoded CR LF verbatim. As a last line
of defence the finished message is parsed back and must contain exactly the headers we set.
"""

from __future__ import annotations

import email.errors
import email.header
import email.parser
import email.policy
import email.utils
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, Literal

from bot.errors import TemplateError
from bot.keys import marked_message_id
from bot.mail.message import Message

__all__ = [
    "DRAFT_BANNER",
    "DraftTo",
    "MSGID_RE",
    "NO_REPLY",
    "OUTGOING_POLICY",
    "STRIPPED_REFS",
    "clean_body_text",
    "clean_header_text",
    "clean_value",
    "finish_draft",
    "new_message_id",
    "reply_references",
    "reply_subject",
    "valid_address",
    "verify_headers",
]

log = logging.getLogger(__name__)

NO_REPLY = re.compile(r"no-?reply|do-?not-?reply|donotreply|mailer-daemon|notifications?$", re.I)

# CRLF line ends; headers folded only past RFC 5322's hard limit (998), because CPython's
# folder otherwise moves a whole subject onto a continuation line ("Subject:\r\n Re: ..."),
# which clients show with a leading space.
OUTGOING_POLICY = email.policy.SMTP.clone(max_line_length=998)
# The body is encoded under RFC 2045's limit: quoted-printable lines of at most 76 characters.
_BODY_POLICY = email.policy.SMTP.clone(max_line_length=76)


log = logging.getLogger(__name__)

_MAX_SUBJECT = 250
_MAX_REFERENCES = 20
STRIPPED_REFS = frozenset({"patient", "patient_name", "dob", "date_of_birth", "nhs_number"})
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MSGID_RE = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>")
_ADDR_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,250})")
_REPLY_PREFIX_RE = re.compile(r"^(?:\s*(?:re|aw|sv|antw|vs|ref|r)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
_WS_RE = re.compile(r"\s+")
# Who a draft is addressed to: the original's sender, or the practitioner herself.
DraftTo = Literal["sender", "practitioner"]
DRAFT_BANNER = "DRAFT FOR REVIEW — not sent. Check every detail before sending."


# --- sanitising -----------------------------------------------------------------------------


def _unsafe(ch: str, keep: str = "") -> bool:
    if ch in keep:
        return False
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")


def clean_header_text(value: object, limit: int = _MAX_SUBJECT) -> str:
    """Text safe to put in one unstructured header (RFC 5322 2.2.1, RFC 2047 section 5).

    Encoded words are decoded (twice at most, for doubly-encoded input), every control,
    line-separator, surrogate and bidi-override character becomes a space, runs of whitespace
    collapse, a leftover ``=?`` becomes ``= ?`` so it can never be decoded again downstream.
    """
    text = "" if value is None else str(value)
    for _ in range(2):
        if "=?" not in text:
            break
        try:
            decoded = email.header.decode_header(text)
            text = "".join(
                chunk.decode(cs or "raw-unicode-escape", "replace")
                if isinstance(chunk, bytes)
                else chunk
                for chunk, cs in decoded
            )
        except (LookupError, ValueError, email.errors.HeaderParseError):
            break
    text = "".join(" " if _unsafe(ch) else ch for ch in text)
    text = _WS_RE.sub(" ", text).strip().replace("=?", "= ?")
    return text[:limit].rstrip()


def clean_body_text(value: str) -> str:
    """Text safe for a body: keeps newlines and tabs, drops other controls, bidi and surrogates."""
    return "".join("\ufffd" if _unsafe(ch, "\n\t") and ch != "\r" else ch for ch in value).replace(
        "\r", ""
    )


def clean_value(value: Any) -> Any:
    """Sanitise a value taken from mail for use in a template (strings, nested dicts/lists)."""
    if isinstance(value, str):
        return clean_body_text(value)
    if isinstance(value, Mapping):
        return {str(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_value(v) for v in value]
    return value


def valid_address(addr: str | None) -> str | None:
    """``addr`` lower-cased when it is a plain ASCII addr-spec (RFC 5322 3.4.1), else None."""
    addr = (addr or "").strip()
    return addr.lower() if _ADDR_RE.fullmatch(addr) and ".." not in addr else None


def reply_subject(original: str) -> str:
    """``Re: `` + ``original`` with any existing reply prefixes folded (RFC 5322 3.6.5)."""
    text = _REPLY_PREFIX_RE.sub("", clean_header_text(original, 1000)).strip()
    return clean_header_text(f"Re: {text or '(no subject)'}")


def new_message_id(domain: str) -> str:
    """A fresh, globally unique msg-id on ``domain`` (RFC 5322 3.6.4)."""
    return email.utils.make_msgid(idstring="chief", domain=domain)


def finish_draft(
    msg: EmailMessage, from_addr: str, body: str, key: str, now: datetime | None = None
) -> bytes:
    """Complete a draft whose addresses and subject are set: its Message-ID carrying the
    idempotency key (``bot.keys`` DRAFT MARKER) and Date, the body as UTF-8 quoted-printable
    text in lines of at most 76 characters; then its headers checked as written
    (:func:`verify_headers`). The one way every draft is finished."""
    msg["Message-ID"] = marked_message_id(key, from_addr.rpartition("@")[2])
    msg["Date"] = email.utils.format_datetime((now or datetime.now(UTC)).astimezone())
    msg.policy = _BODY_POLICY  # the encoder wraps quoted-printable at the policy's length
    msg.set_content(
        clean_body_text(body).rstrip() + "\n",
        subtype="plain",
        charset="utf-8",
        cte="quoted-printable",
    )
    msg.policy = OUTGOING_POLICY
    raw = msg.as_bytes()
    verify_headers(raw, msg.keys())
    return raw


def reply_references(original: Message) -> list[str]:
    ids = [r for r in original.references if MSGID_RE.fullmatch(r)]
    if original.message_id and MSGID_RE.fullmatch(original.message_id):
        ids.append(original.message_id)
    ids = list(dict.fromkeys(ids))
    if len(ids) > _MAX_REFERENCES:  # keep the thread root and the newest ids
        ids = [ids[0], *ids[-(_MAX_REFERENCES - 1) :]]
    return ids


def verify_headers(raw: bytes, expected: Sequence[str]) -> None:
    """Parse ``raw`` back and require exactly the ``expected`` top-level headers, once each.

    Defence in depth against header injection through any path we did not foresee.
    """
    parsed = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    got = sorted(k.lower() for k in parsed)
    if got != sorted(k.lower() for k in expected) or parsed.defects:
        raise TemplateError("generated message failed the header check (possible injection)")
