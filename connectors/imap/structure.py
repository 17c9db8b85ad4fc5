"""What of a message to fetch, from its BODYSTRUCTURE (RFC 3501 7.4.2 / RFC 9051 7.5.2).

Classification needs the headers, the text and any calendar invitation; never the
attachments. So a first FETCH asks for ``BODYSTRUCTURE``, ``RFC822.SIZE`` and the headers a
:class:`~bot.mail.message.Message` is built from, and this module turns the structure into the
message's leaf parts with their IMAP section numbers. :func:`wanted` picks the sections worth
a second FETCH (``BODY.PEEK[section]<0.cap>``): the text/plain parts, the HTML parts only when
there is no plain text, and calendar parts small enough to read. An attachment is described
(type, filename, size estimated from its encoded size) but its bytes never cross the network.

Section numbers follow RFC 3501 6.4.5: a single-part message's body is ``1``; the parts of a
multipart are numbered from 1 beneath their parent; an encapsulated message/rfc822 at ``S``
has its body's parts at ``S.1``, ``S.2``... (``S.1`` alone when that body is single-part).

The structure comes from the server but describes a stranger's message: its nesting and part
count are bounded by :class:`~bot.mail.message.Limits`, and any field of an unexpected shape
is read as absent rather than trusted.
"""

from __future__ import annotations

import binascii
import email.parser
import email.policy
import email.utils
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.mail.message import Limits
from bot.mail.mime import (
    FORWARD_BANNER_TYPE,
    Part,
    clean_filename,
    encapsulated_parts,
    forward_banner,
    part_role,
)

__all__ = ["Leaf", "decode_transfer", "leaves", "to_parts", "wanted"]

_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")
ATTACHED = "attached"  # the header of an attached message/rfc822: its banner's From and Date
_HEADER_CAP = 16384
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)


@dataclass(frozen=True, slots=True)
class Leaf:
    """One leaf part of a message as BODYSTRUCTURE describes it."""

    section: str
    content_type: str
    charset: str | None
    encoding: str  # Content-Transfer-Encoding, lower case ("7bit" when absent)
    disposition: str
    filename: str | None
    octets: int  # encoded size on the server
    role: str = ""  # what it is to classification: see _role()

    @property
    def decoded_size(self) -> int:
        """The decoded size: exact once read; estimated from ``octets`` for base64."""
        if self.encoding == "base64":  # 76 characters and CRLF per line, 4 for every 3 bytes
            return self.octets * 76 // 78 * 3 // 4
        return self.octets


def _role(content_type: str, disposition: str, filename: str | None) -> str:
    if content_type.startswith("message/"):
        # An encapsulated message the server does not describe (it walks message/rfc822
        # only): read and parsed on its own, as the full parser parses it in place.
        return "encapsulated"
    return part_role(content_type, disposition, filename)


def _text(value: Any) -> str:
    """A string from the structure: raw 8-bit bytes as UTF-8, else Latin-1, as the full
    parser reads them."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    return value if isinstance(value, str) else ""


def _params(value: Any) -> dict[str, str]:
    """A flat ``(name value name value...)`` list as ``{name: value}``, RFC 2231
    continuations and charsets applied as the full parser applies them; anything else as
    none."""
    if not isinstance(value, tuple | list):
        return {}
    items = [_text(v) for v in value]
    pairs = [(items[i].lower(), items[i + 1]) for i in range(0, len(items) - 1, 2)]
    if not any("*" in key for key, _ in pairs):  # plain parameters: nothing to decode
        return {key: email.utils.unquote(v).strip() for key, v in reversed(pairs)}
    try:
        decoded = email.utils.decode_params([("", ""), *pairs])[1:]
    except Exception:
        return {}
    out: dict[str, str] = {}
    for key, raw in reversed(decoded):
        try:  # decode_params() quotes every value; undo that as the parser does
            if isinstance(raw, tuple):
                raw = (raw[0], raw[1], email.utils.unquote(raw[2]))
            else:
                raw = email.utils.unquote(raw)
            out[key] = email.utils.collapse_rfc2231_value(raw).strip()
        except Exception:
            continue
    return out


def _is_multipart(node: Any) -> bool:
    return isinstance(node, tuple | list) and bool(node) and isinstance(node[0], list | tuple)


def _children(node: Sequence[Any]) -> list[Any]:
    """The parts of a multipart node: imapclient nests them in a list at [0] (its BodyData);
    a raw nested structure has them as the leading tuples."""
    if isinstance(node[0], list):
        return list(node[0])
    out = []
    for child in node:
        if not isinstance(child, tuple | list):
            break
        out.append(child)
    return out


def leaves(structure: Any, limits: Limits) -> tuple[list[Leaf], bool]:
    """(leaf parts in document order, truncated): ``truncated`` when the part or depth limit
    cut the walk short, as the full parser does for the same message."""
    found: list[Leaf] = []
    count, truncated = 0, False

    def walk(node: Any, section: str, depth: int) -> None:
        nonlocal count, truncated
        if count >= limits.max_parts:
            truncated = True
            return
        count += 1
        if not isinstance(node, tuple | list) or not node:
            return
        if _is_multipart(node):
            if depth >= limits.max_depth:
                truncated = True
                return
            for number, child in enumerate(_children(node), 1):
                walk(child, f"{section}.{number}" if section else str(number), depth + 1)
            return
        here = section or "1"
        fields = list(node) + [None] * 12
        ctype = f"{_text(fields[0])}/{_text(fields[1])}".lower()
        if ctype == "message/rfc822":
            # Its own From and Date, fetched as ``S.HEADER`` (RFC 3501 6.4.5): the banner the
            # full parser writes for an attached message (bot.mail.decoding).
            found.append(
                Leaf(f"{here}.HEADER", FORWARD_BANNER_TYPE, None, "7bit", "", None, 0, ATTACHED)
            )
            body = fields[8]
            if isinstance(body, tuple | list) and body and depth < limits.max_depth:
                walk(body, here if _is_multipart(body) else f"{here}.1", depth + 1)
            elif body:
                truncated = True
            return
        if ctype.startswith("multipart/"):
            return
        params = _params(fields[2])
        # Extension data starts after the type-specific fields: text has a line count,
        # message/rfc822 an envelope, body and line count, anything else nothing more.
        extension = 8 if ctype.startswith("text/") else 7
        dsp = fields[extension + 1]
        disposition, dsp_params = "", {}
        if isinstance(dsp, tuple | list) and dsp:
            disposition = _text(dsp[0]).lower()
            dsp_params = _params(dsp[1] if len(dsp) > 1 else None)
        octets = fields[6] if isinstance(fields[6], int) and fields[6] >= 0 else 0
        ctype = ctype if "/" in ctype.strip("/") else "text/plain"
        filename = clean_filename(dsp_params.get("filename") or params.get("name"))
        found.append(
            Leaf(
                section=here,
                content_type=ctype,
                charset=params.get("charset") or None,
                encoding=_text(fields[5]).lower() or "7bit",
                disposition=disposition,
                filename=filename,
                octets=octets,
                role=_role(ctype, disposition, filename),
            )
        )

    walk(structure, "", 0)
    return found, truncated


def wanted(found: Sequence[Leaf], limits: Limits, part_cap: int) -> dict[str, int]:
    """``{section: at most how many bytes to fetch}`` for the parts classification reads:
    never more than ``part_cap`` of one part, nor more than its text limit could use (with
    room for a transfer encoding's overhead); a calendar part in full or not at all. The
    caps depend on the part's kind, not its size (a smaller part simply comes whole), so
    messages of the same shape share one FETCH."""
    plain = any(leaf.role == "plain" for leaf in found)
    picks: dict[str, int] = {}
    for leaf in found:
        role = leaf.role
        if role == ATTACHED:
            picks[leaf.section] = _HEADER_CAP
        elif role == "encapsulated" and leaf.content_type != "message/delivery-status":
            picks[leaf.section] = part_cap
        elif role == "plain" or (role == "html" and not plain):
            useful = limits.max_text_chars * (4 if role == "plain" else 8) * 2
            picks[leaf.section] = min(useful, part_cap)
        elif role == "calendar" and leaf.decoded_size <= limits.max_calendar_bytes:
            picks[leaf.section] = limits.max_calendar_bytes * 2  # base64 of the largest kept
    return picks


def decode_transfer(data: bytes, encoding: str) -> bytes:
    """Undo a Content-Transfer-Encoding, leniently (as the stdlib parser does): a base64
    quantum cut short by a partial fetch yields the bytes it holds, stray characters are
    skipped; unknown encodings pass through."""
    if encoding == "base64":
        letters = _NOT_BASE64.sub(b"", data)  # line breaks, padding, stray bytes
        letters = letters[: len(letters) - (len(letters) % 4 == 1)]  # a lone 6 bits: no byte
        return binascii.a2b_base64(letters + b"=" * (-len(letters) % 4))
    if encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    return bytes(data)


def to_parts(found: Sequence[Leaf], sections: Mapping[str, bytes], limits: Limits) -> list[Part]:
    """The message's leaf parts for :func:`bot.mail.message.build_message`; a part's data is
    what was fetched for its section (``None`` when it was not fetched)."""
    parts: list[Part] = []
    for leaf in found:
        raw = sections.get(leaf.section)
        data = None if raw is None else decode_transfer(raw, leaf.encoding)
        if leaf.content_type == "message/delivery-status":
            # Blocks of status fields, not a message: the full parser reads each block as an
            # empty text part, so the report adds no text of its own.
            parts.append(Part("text/plain", "", None, None, b"", 0))
            continue
        if leaf.role == "encapsulated":
            parts.extend(encapsulated_parts(data or b"", limits))
            continue
        if leaf.role == ATTACHED:
            if raw is not None:
                parts.append(forward_banner(_HEADERS.parsebytes(raw)))
            continue
        cut = raw is not None and len(raw) < leaf.octets
        parts.append(
            Part(
                content_type=leaf.content_type,
                disposition=leaf.disposition,
                filename=leaf.filename,
                charset=leaf.charset,
                data=data,
                size=leaf.decoded_size if data is None or cut else len(data),
                cut=cut,
            )
        )
    return parts
