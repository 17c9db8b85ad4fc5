"""Parsing a received message from its MIME tree, once, into a :class:`~bot.mail.message.Message`.

Parsing never trusts the input: sizes, part counts and nesting depth are bounded
(:class:`Limits`), every header is decoded defensively (RFC 2047 encoded words, unknown
charsets, 8-bit bytes), and a message too broken to read raises :class:`MessageError`
naming only its provider id. Bodies are kept in memory only as bounded plain text for the
rules engine; they are never logged.
"""

from __future__ import annotations

import email
import email.header
import email.message
import email.policy
import email.utils
import io
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from email.message import Message as EmailMessage
from html.parser import HTMLParser
from typing import Literal

from bot.errors import MessageError
from bot.mail.decoding import attached_banner, decode_bounded, estimated_size
from bot.mail.headers import (
    HeaderFields,
    address,
    addresses,
    decode_bytes,
    decode_words,
    first_msgid,
    header_date,
    header_text,
    raw_text,
)
from bot.mail.message import (
    GENERATED_HEADER,
    KEY_HEADER,
    READ_HEADERS,
    Attachment,
    Limits,
    Message,
)

__all__ = [
    "FORWARD_BANNER_TYPE",
    "Part",
    "build_message",
    "clean_filename",
    "encapsulated_parts",
    "forward_banner",
    "html_to_text",
    "parse_message",
    "part_role",
]

log = logging.getLogger(__name__)
_MSGID_RE = re.compile(r"<[^<>\s]+>")
_WS_RE = re.compile(r"[ \t\r\f\v]+")
_BLANKS_RE = re.compile(r"\n\s*\n\s*\n+")

Role = Literal["plain", "html", "calendar", "attachment", "ignored"]


@dataclass(frozen=True, slots=True)
class Part:
    """One leaf MIME part (never a multipart or message/rfc822 container), as the body is
    assembled from it. ``data`` is the transfer-decoded content, ``None`` when it was not read
    (an attachment, or a part too large); ``cut`` when it is only the start of the part."""

    content_type: str
    disposition: str  # "attachment", "inline" or ""
    filename: str | None
    charset: str | None
    data: bytes | None
    size: int  # decoded size in bytes (estimated from the encoded size when not read)
    cut: bool = False


def part_role(content_type: str, disposition: str, filename: str | None) -> Role:
    """What a leaf part is to classification; decides what a source needs to read."""
    if content_type == "text/calendar" or (filename or "").lower().endswith(".ics"):
        return "calendar"
    if disposition == "attachment" or (filename and not content_type.startswith("text/")):
        return "attachment"
    if content_type == "text/plain":
        return "plain"
    if content_type == "text/html":
        return "html"
    return "attachment" if filename else "ignored"


def parse_message(raw: bytes, provider_id: str, limits: Limits | None = None) -> Message:
    """Parse ``raw`` (RFC 5322 bytes). Raises :class:`MessageError` only when nothing usable."""
    limits = limits or Limits()
    if not isinstance(raw, bytes | bytearray):
        raise MessageError(provider_id, "message is not bytes")
    if not raw.strip():
        raise MessageError(provider_id, "empty message")
    size = len(raw)
    truncated = False
    over: list[str] = []
    if size > limits.max_message_bytes:
        # Over the limit: read headers only, never the body.
        log.warning(
            "message %s: %d bytes, over [limits] max_message_bytes (%d): headers only",
            provider_id,
            size,
            limits.max_message_bytes,
        )
        raw = _header_block(raw, limits.max_message_bytes)
        truncated = True
        over.append("MessageTooLarge")
    head = _header_block(raw, limits.max_header_bytes + 1)
    if len(head) > limits.max_header_bytes + 2:
        log.warning(
            "message %s: header block over [limits] max_header_bytes (%d): cut, body not read",
            provider_id,
            limits.max_header_bytes,
        )
        cut = head[: limits.max_header_bytes]
        raw = cut[: max(cut.rfind(b"\n"), 0)] + b"\n\n"
        truncated = True
        over.append("HeadersTooLarge")
    try:
        msg = email.message_from_bytes(bytes(raw), policy=email.policy.compat32)
    except Exception as exc:  # the stdlib parser is lenient; this is belt and braces
        raise MessageError(provider_id, f"unparseable message ({type(exc).__name__})") from exc
    parts, walk_truncated, defects = _leaves(msg, limits)
    return build_message(
        provider_id, msg, parts, size, limits, truncated or walk_truncated, [*over, *defects]
    )


def _header_block(raw: bytes, limit: int) -> bytes:
    """The header block of ``raw`` (at most ``limit`` bytes of it) and an empty body."""
    end = raw.find(b"\r\n\r\n", 0, limit + 4)
    end = raw.find(b"\n\n", 0, limit + 2) if end < 0 else end
    return raw[: end if end > 0 else limit] + b"\n\n"


def build_message(
    provider_id: str,
    headers: EmailMessage | HeaderFields,
    parts: Iterable[Part],
    size: int,
    limits: Limits,
    truncated: bool = False,
    defects: Sequence[str] = (),
) -> Message:
    """A :class:`Message` from its parsed ``headers`` (:data:`READ_HEADERS` are read) and its
    leaf ``parts`` in document order: the one assembly every source shares. Raises
    :class:`MessageError` when none of those headers is there: nothing to read it by."""
    fields = headers if isinstance(headers, HeaderFields) else HeaderFields.of(headers)
    if not any(name.lower() in fields.values for name in READ_HEADERS):
        raise MessageError(provider_id, "no headers (From, To, Subject, Date, Message-ID...)")
    from_name, from_addr = address(fields, "From")
    parts = list(parts)
    text, attachments, calendars, body_truncated = _assemble(parts, limits)
    attached = "".join(
        decode_bytes(p.data, p.charset)
        for p in parts
        if p.content_type == FORWARD_BANNER_TYPE and p.data
    )
    auto = header_text(fields, "Auto-Submitted").lower()
    precedence = header_text(fields, "Precedence").lower()
    return Message(
        provider_id=provider_id,
        message_id=first_msgid(header_text(fields, "Message-ID")),
        in_reply_to=first_msgid(header_text(fields, "In-Reply-To")),
        references=tuple(_MSGID_RE.findall(header_text(fields, "References")))[-50:],
        from_addr=from_addr,
        from_name=from_name,
        reply_to=address(fields, "Reply-To")[1] or None,
        to=addresses(fields, "To"),
        cc=addresses(fields, "Cc"),
        subject=_WS_RE.sub(" ", header_text(fields, "Subject")).strip()[:998],
        date=header_date(header_text(fields, "Date")),
        text=text[: limits.max_text_chars],
        attached=attached[:4096],
        attachments=tuple(attachments),
        calendar_parts=tuple(calendars),
        size=size,
        chief_key=header_text(fields, KEY_HEADER).strip()[:200] or None,
        chief_mark=header_text(fields, GENERATED_HEADER).strip()[:50] or None,
        auto_submitted=(auto not in ("", "no")) or precedence in ("bulk", "list", "junk"),
        list_id=header_text(fields, "List-Id") or None,
        defects=tuple(defects),
        truncated=truncated or body_truncated or len(text) > limits.max_text_chars,
    )


def _iter_parts(
    msg: EmailMessage, limits: Limits, depth: int = 0
) -> Iterator[tuple[EmailMessage, int]]:
    yield msg, depth
    if depth >= limits.max_depth or not msg.is_multipart():
        return
    payload = msg.get_payload()
    if not isinstance(payload, list):
        return
    for sub in payload:
        if isinstance(sub, EmailMessage):
            yield from _iter_parts(sub, limits, depth + 1)


FORWARD_BANNER_TYPE = "text/x-forwarded-headers"  # an attached message's From and Date


def forward_banner(inner: EmailMessage) -> Part:
    """The part holding an attached message's banner (:func:`attached_banner`)."""
    data = attached_banner(inner)
    return Part(FORWARD_BANNER_TYPE, "", None, "utf-8", data, len(data))


def encapsulated_parts(raw: bytes, limits: Limits) -> list[Part]:
    """The leaf parts of an encapsulated message (a message/* part) read on its own, as
    they would be found inside the message that carries it."""
    try:
        inner = email.message_from_bytes(bytes(raw), policy=email.policy.compat32)
    except Exception:
        return []
    return _leaves(inner, limits)[0]


def _leaves(msg: EmailMessage, limits: Limits) -> tuple[list[Part], bool, list[str]]:
    """The leaf parts of a parsed message, in order, within the part and depth limits."""
    parts: list[Part] = []
    defects = [type(d).__name__ for d in getattr(msg, "defects", [])][:20]
    truncated = False
    for count, (part, depth) in enumerate(_iter_parts(msg, limits)):
        if count >= limits.max_parts:
            truncated = True
            defects.append("TooManyParts")
            break
        if depth >= limits.max_depth and part.is_multipart():
            truncated = True
            defects.append("TooDeep")
        try:
            ctype = part.get_content_type()
        except Exception:
            ctype = "application/octet-stream"
        if ctype == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], email.message.Message):
                parts.append(forward_banner(inner[0]))
            continue
        if part.is_multipart() or ctype.startswith("multipart/"):
            continue
        disposition = (header_text(part, "Content-Disposition").split(";")[0]).strip().lower()
        filename = _filename(part)
        role = part_role(ctype, disposition, filename)
        if role in ("attachment", "ignored"):
            # Never decoded: classification needs only its name, type and size.
            parts.append(
                Part(ctype, disposition, filename, None, None, estimated_size(part), cut=True)
            )
            continue
        cap = limits.max_calendar_bytes + 1 if role == "calendar" else limits.max_part_bytes
        data, size, cut = decode_bounded(part, cap)
        parts.append(Part(ctype, disposition, filename, _charset(part), data, size, cut=cut))
    return parts, truncated, defects


def _assemble(
    parts: Iterable[Part], limits: Limits
) -> tuple[str, list[Attachment], list[str], bool]:
    """(text, attachments, calendar parts, truncated): the text/plain parts joined, else (no
    plain text at all) the HTML parts as text, within ``limits.max_text_chars``."""
    parts = list(parts)
    roles = [part_role(p.content_type, p.disposition, p.filename) for p in parts]
    text_role = "plain" if "plain" in roles else "html"
    texts: list[str] = []
    attachments: list[Attachment] = []
    calendars: list[str] = []
    truncated = False
    budget = limits.max_text_chars
    for part, role in zip(parts, roles, strict=True):
        if role == "calendar":
            data = part.data
            if data is not None and not part.cut and len(data) <= limits.max_calendar_bytes:
                calendars.append(decode_bytes(data, part.charset).replace("\r\n", "\n"))
            attachments.append(Attachment(part.filename, part.content_type, part.size))
        elif role == "attachment":
            attachments.append(Attachment(part.filename, part.content_type, part.size))
        elif role == text_role:
            if budget <= 0 or part.data is None:
                truncated = True
                continue
            limit = budget * (4 if role == "plain" else 8)
            cut = part.cut or len(part.data) > limit
            truncated = truncated or cut
            chunk = decode_bytes(part.data[:limit], part.charset, cut)
            if role == "html":
                chunk = html_to_text(chunk)
            texts.append(chunk)
            budget -= len(chunk)
    # CRLF and CR to LF (the io module's C newline translation: the fastest way there is)
    joined = io.IncrementalNewlineDecoder(None, translate=True).decode("\n\n".join(texts), True)
    text = _BLANKS_RE.sub("\n\n", joined)
    return text.strip(), attachments, calendars, truncated


def _charset(part: EmailMessage) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _filename(part: EmailMessage) -> str | None:
    try:
        name = part.get_filename()
        if name and "\ufffd" in name:  # 8-bit parameters: read them from the raw bytes
            fixed = EmailMessage()
            for header in ("Content-Disposition", "Content-Type"):
                if part.get(header) is not None:
                    fixed[header] = raw_text(part.get(header))
            name = fixed.get_filename() or name
    except Exception:
        return None
    return clean_filename(name)


def clean_filename(name: object) -> str | None:
    """An attachment's filename as text (RFC 2047 words decoded, control characters dropped,
    at most 255 characters), or None."""
    if not name:
        return None
    return decode_words(str(name))[:255] or None


class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title"})
    _BLOCK = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.out.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML part (scripts and styles dropped), for classification only."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:
        return re.sub(r"<[^>]*>", " ", markup)
    lines = (_WS_RE.sub(" ", line).strip() for line in "".join(parser.out).split("\n"))
    return "\n".join(lines)
