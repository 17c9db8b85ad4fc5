"""A fast reader for UID FETCH answers (RFC 3501 7.4.2 / RFC 9051 7.5.2).

imaplib hands back a FETCH answer as lines and literals; imapclient's general response
parser then reads it one character at a time, which costs more than everything else a sync
does with the bytes. This module reads the same answer with one regular expression per line
and gives the same shape imapclient's ``fetch()`` gives: ``{uid: {item name: value}}``, where a
value is an ``int``, ``bytes`` (an atom, a quoted string, a literal), ``None`` (NIL) or a
tuple of values (a parenthesised list, e.g. BODYSTRUCTURE).

Item names are upper-cased as the server sends them (``RFC822.SIZE``, ``BODYSTRUCTURE``,
``BODY[HEADER.FIELDS (FROM ...)]``, ``BODY[1]<0>``). An answer without a UID (an unsolicited
flag update for another message) is skipped. Anything malformed raises :class:`FetchSyntax`,
which the session reports as a protocol error; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["FetchSyntax", "parse_fetch", "uid_set"]


class FetchSyntax(ValueError):
    """The server's FETCH answer does not follow the grammar."""


# Tokens of one line: ( ) "quoted" {literal} NIL/number/atom; an atom may carry a bracketed
# section with spaces and parentheses inside (BODY[HEADER.FIELDS (FROM TO)]) and a <partial>.
_TOKEN = re.compile(
    rb"[ \t]*(?:"
    rb"(?P<open>\()|(?P<close>\))"
    rb'|"(?P<quoted>(?:[^"\\\r\n]|\\.)*)"'
    rb"|\{(?P<literal>[0-9]+)\+?\}[ \t]*$"
    rb"|(?P<atom>[^\s()\"\[\]{]+(?:\[[^\]]*\][^\s()\"]*)?)"
    rb")"
)
_ESCAPE = re.compile(rb"\\(.)")
_LITERAL = object()  # marks the place of a literal in the token stream
_END = object()


def _tokens(data: Sequence[Any]) -> Iterator[Any]:
    """Tokens of imaplib's answer list: each item is a line (bytes) or (line, literal)."""
    for item in data:
        if isinstance(item, tuple):
            line, literal = item
        else:
            line, literal = item, None
        if line is None:
            continue
        pos, end = 0, len(line)
        while pos < end:
            found = _TOKEN.match(line, pos)
            if found is None or found.end() == pos:
                if line[pos:].strip():
                    raise FetchSyntax(f"unexpected text at column {pos}")
                break
            pos = found.end()
            kind = found.lastgroup
            if kind == "open":
                yield "("
            elif kind == "close":
                yield ")"
            elif kind == "quoted":
                text = found["quoted"]
                yield _ESCAPE.sub(rb"\1", text) if b"\\" in text else text
            elif kind == "literal":
                if literal is None:
                    raise FetchSyntax("a literal was announced but not sent")
                if len(literal) != int(found["literal"]):
                    raise FetchSyntax("a literal of the wrong length")
                yield (_LITERAL, literal)
                literal = None
            else:
                atom = found["atom"]
                if atom.isdigit():
                    yield int(atom)
                elif atom.upper() == b"NIL":
                    yield None
                else:
                    yield atom


def _value(tokens: Iterator[Any], first: Any) -> Any:
    if first == ")":
        raise FetchSyntax("an unmatched ')'")
    if first != "(":
        return first[1] if isinstance(first, tuple) else first
    items: list[Any] = []
    for token in tokens:
        if token == ")":
            return tuple(items)
        items.append(_value(tokens, token))
    raise FetchSyntax("a list was not closed")


def parse_fetch(data: Sequence[Any]) -> dict[int, dict[bytes, Any]]:
    """``{uid: {item: value}}`` from imaplib's untagged FETCH data."""
    out: dict[int, dict[bytes, Any]] = {}
    tokens = _tokens(data)
    for sequence in tokens:
        if not isinstance(sequence, int):
            raise FetchSyntax("a FETCH answer must start with a message number")
        if next(tokens, None) != "(":
            raise FetchSyntax("a FETCH answer's items must be in parentheses")
        items: dict[bytes, Any] = {}
        for name in tokens:
            if name == ")":
                break
            if not isinstance(name, bytes):
                raise FetchSyntax("a FETCH item name must be an atom")
            value = next(tokens, _END)
            if value is _END:
                raise FetchSyntax("a FETCH item without a value")
            items[name.upper()] = _value(tokens, value)
        else:
            raise FetchSyntax("a FETCH answer was not closed")
        uid = items.pop(b"UID", None)  # the key, as imapclient gives it
        if isinstance(uid, int):
            out[uid] = items
    return out


def uid_set(uids: Sequence[int]) -> str:
    """``1:3,7,9:10`` for sorted ``uids`` (RFC 3501 9 sequence-set): short commands for
    batches of consecutive UIDs."""
    parts: list[str] = []
    start = prev = None
    for uid in uids:
        if prev is not None and uid == prev + 1:
            prev = uid
            continue
        if start is not None:
            parts.append(str(start) if start == prev else f"{start}:{prev}")
        start = prev = uid
    if start is not None:
        parts.append(str(start) if start == prev else f"{start}:{prev}")
    return ",".join(parts)
