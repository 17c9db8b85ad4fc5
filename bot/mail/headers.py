"""Reading header fields: the one decoding every mail source shares.

A header value is untrusted text: RFC 2047 encoded words in any charset, raw 8-bit bytes
(RFC 6532 UTF-8 or a legacy charset sent unencoded), folds in awkward places, control
characters that could smuggle structure into what we write. Everything here returns clean
text (control characters as spaces) and never raises on bad input.
"""

from __future__ import annotations

import codecs
import email.header
import email.utils
import re
from datetime import UTC, datetime
from email.message import Message as EmailMessage
from typing import Any

__all__ = [
    "HeaderFields",
    "address",
    "addresses",
    "clean_text",
    "decode_bytes",
    "decode_words",
    "first_msgid",
    "header_date",
    "header_text",
    "raw_text",
    "simple_address",
]

_MSGID_RE = re.compile(r"<[^<>\s]+>")


# One header field: a name of printable ASCII but the colon, then the value with its folded
# continuation lines (RFC 5322 2.2, 2.2.3).
_FIELD = re.compile(rb"^([\x21-\x39\x3b-\x7e]+):[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", re.M)


class HeaderFields:
    """A message's header fields by lower-case name, each value as text (raw 8-bit bytes
    read as UTF-8, else Latin-1), read once: the parser's own lookup scans every field per
    call."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, list[Any]]) -> None:
        self.values = values

    @classmethod
    def of(cls, msg: EmailMessage) -> HeaderFields:
        values: dict[str, list[Any]] = {}
        for name, value in msg.items():
            values.setdefault(name.lower(), []).append(value)
        return cls(values)

    @classmethod
    def parse(cls, block: bytes) -> HeaderFields:
        """The fields of a header block (``Name: value`` lines, folded lines continuing the
        one before), read as the stdlib's compat32 parser reads them: the value starts after
        the colon and its blanks, keeps its folds, and ends before the line break."""
        values: dict[str, list[Any]] = {}
        for found in _FIELD.finditer(block):
            name = found[1].decode("ascii").lower()
            values.setdefault(name, []).append(decode_bytes(found[2], None))
        return cls(values)

    def get(self, name: str) -> Any:
        found = self.values.get(name.lower())
        return found[0] if found else None

    def get_all(self, name: str) -> list[Any] | None:
        return self.values.get(name.lower())


def header_text(msg: EmailMessage | HeaderFields, name: str) -> str:
    """Decode one header to text (RFC 2047), tolerating bad encodings and raw 8-bit bytes."""
    try:
        value = msg.get(name)
    except Exception:
        return ""
    if value is None:
        return ""
    return decode_words(raw_text(value))


_FOLD = re.compile(r"\r?\n(?=[ \t])")


def decode_words(value: str) -> str:
    """``value`` with its RFC 2047 encoded words decoded and control characters dropped.

    The header is unfolded first (RFC 5322 2.2.3): the stdlib decoder reads each physical line
    on its own and strips the blank that starts a folded line, which would glue the word
    after a fold to an encoded word before it. Its plain-text chunks come back encoded as
    raw-unicode-escape, and are decoded so."""
    if "=?" not in value:  # no encoded words: nothing to decode
        return clean_text(value)
    try:
        parts = email.header.decode_header(_FOLD.sub("", value))
    except Exception:
        return clean_text(value)
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:
            out.append(chunk.decode("raw-unicode-escape", "replace"))
        else:
            out.append(decode_bytes(chunk, charset))
    return clean_text("".join(out))


def raw_text(value: object) -> str:
    """A header value as text. The parser hands back a header holding raw 8-bit bytes (RFC 6532
    UTF-8, or a legacy charset sent unencoded) as a ``Header`` whose ``str()`` would turn each
    byte into U+FFFD; its bytes are decoded here instead (UTF-8, else Latin-1)."""
    if not isinstance(value, email.header.Header):
        return str(value)
    try:
        chunks = email.header.decode_header(value)
    except Exception:
        return str(value)
    return "".join(decode_bytes(c, cs) if isinstance(c, bytes) else str(c) for c, cs in chunks)


# Control characters (CR/LF included) that could smuggle structure into our output; tab stays.
_CONTROLS = {code: " " for code in (*range(0x20), 0x7F) if code != 0x09}


def clean_text(value: str) -> str:
    """Drop control characters (CR/LF included) that could smuggle structure into our output."""
    return value.translate(_CONTROLS).strip()


def decode_bytes(data: bytes, charset: str | None, cut: bool = False) -> str:
    """``data`` as text in ``charset`` (else UTF-8, else Latin-1); when ``cut`` (the data is the
    start of something longer), a character split by the cut is dropped, not garbled."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            if cut:
                return codecs.getincrementaldecoder(candidate)().decode(data, final=False)
            return data.decode(candidate)
        except (LookupError, UnicodeError):  # UTF-16 without a BOM, cut: a UnicodeError
            continue
    return data.decode("latin-1", "replace")


def address(msg: HeaderFields, name: str) -> tuple[str, str]:
    found = addresses_with_names(msg, name)
    return found[0] if found else ("", "")


def addresses(msg: HeaderFields, name: str) -> tuple[str, ...]:
    return tuple(addr for _, addr in addresses_with_names(msg, name))[:100]


def addresses_with_names(msg: HeaderFields, name: str) -> list[tuple[str, str]]:
    try:
        raw_values = msg.get_all(name) or []
    except Exception:
        return []
    out: list[tuple[str, str]] = []
    values = [raw_text(v) for v in raw_values]
    pairs = [simple for simple in map(simple_address, values) if simple is not None]
    if len(pairs) < len(values):  # anything but the simple forms: the full RFC 5322 parser
        try:
            pairs = email.utils.getaddresses(values)
        except Exception:
            return []
    for display, addr in pairs:
        addr = clean_text(addr).lower()
        if "@" not in addr:
            continue
        out.append((decode_words(display), addr))
    return out


# The two forms nearly every header uses: "Display Name <local@domain>" (the name made of
# plain words) and a bare "local@domain". No quotes, comments, groups or lists: those go to
# email.utils.getaddresses, which reads these two forms exactly as this does.
_FWS = r"[ \t\r\n]"  # only these separate words for email.utils (not U+00A0 and the like)
# RFC 5322 atext, and any non-ASCII character but whitespace (RFC 6532)
_ATEXT = r"(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|[^\x00-\x7f\s])"
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_SIMPLE_ADDRESS = re.compile(
    rf"{_FWS}*(?:(?P<name>{_ATEXT}+(?:{_FWS}+{_ATEXT}+)*){_FWS}*)?"
    rf"<(?P<addr>{_DOT_ATOM}@{_DOT_ATOM})>{_FWS}*"
    rf"|{_FWS}*(?P<bare>{_DOT_ATOM}@{_DOT_ATOM}){_FWS}*"
)
_FWS_RUN = re.compile(rf"{_FWS}+")


def simple_address(value: str) -> tuple[str, str] | None:
    """(display name, address) for a header holding one address in a simple form, else None."""
    found = _SIMPLE_ADDRESS.fullmatch(value)
    if found is None:
        return None
    if found["bare"] is not None:
        return "", found["bare"]
    return _FWS_RUN.sub(" ", found["name"] or ""), found["addr"]


def first_msgid(value: str) -> str | None:
    found = _MSGID_RE.search(value)
    if found:
        return found.group(0)
    value = value.strip()
    return f"<{value}>" if value and " " not in value else None


def header_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
