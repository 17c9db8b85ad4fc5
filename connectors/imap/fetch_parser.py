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
from collections.abc import Sequence
from typing import Any

__all__ = ["FetchSyntax", "parse_fetch", "uid_set"]


class FetchSyntax(ValueError):
    """The server's FETCH answer does not follow the grammar."""


# Tokens of one line: ( ) "quoted" {literal} NIL/number/atom; an atom may carry a bracketed
# section with spaces and parentheses inside (BODY[HEADER.FIELDS (FROM TO)]) and a <partial>.
# Groups by number: 1 open, 2 close, 3 quoted, 4 literal, 5 atom.
_TOKEN = re.compile(
    rb"[ \t]*(?:"
    rb"(\()|(\))"
    rb'|"((?:[^"\\\r\n]|\\.)*)"'
    rb"|\{([0-9]+)\+?\}[ \t]*$"
    rb"|([^\s()\"\[\]{]+(?:\[[^\]]*\][^\s()\"]*)?)"
    rb")"
)
_ESCAPE = re.compile(rb"\\(.)")


def _read(data: Sequence[Any]) -> list[Any]:
    """imaplib's answer list (each item a line, or a (line, literal) pair) as nested lists:
    one pass, one regular expression per line, a stack for the parentheses."""
    stack: list[list[Any]] = [[]]
    for item in data:
        line, literal = item if isinstance(item, tuple) else (item, None)
        if line is None:
            continue
        pos = 0
        for found in _TOKEN.finditer(line):
            if found.start() != pos:
                break
            pos = found.end()
            kind = found.lastindex
            if kind == 5:
                atom = found[5]
                if atom.isdigit():
                    stack[-1].append(int(atom))
                elif len(atom) == 3 and atom.upper() == b"NIL":
                    stack[-1].append(None)
                else:
                    stack[-1].append(atom)
            elif kind == 1:
                inner: list[Any] = []
                stack[-1].append(inner)
                stack.append(inner)
            elif kind == 2:
                if len(stack) == 1:
                    raise FetchSyntax("an unmatched ')'")
                done = stack.pop()
                stack[-1][-1] = tuple(done)
            elif kind == 3:
                text = found[3]
                stack[-1].append(_ESCAPE.sub(rb"\1", text) if b"\\" in text else text)
            else:
                if literal is None:
                    raise FetchSyntax("a literal was announced but not sent")
                if len(literal) != int(found[4]):
                    raise FetchSyntax("a literal of the wrong length")
                stack[-1].append(literal)
                literal = None
        if line[pos:].strip():
            raise FetchSyntax(f"unexpected text at column {pos}")
    if len(stack) != 1:
        raise FetchSyntax("a list was not closed")
    return stack[0]


def parse_fetch(data: Sequence[Any]) -> dict[int, dict[bytes, Any]]:
    """``{uid: {item: value}}`` from imaplib's untagged FETCH data."""
    top = _read(data)
    if len(top) % 2:
        raise FetchSyntax("a FETCH answer must be a message number and its items")
    out: dict[int, dict[bytes, Any]] = {}
    for sequence, listed in zip(top[::2], top[1::2], strict=True):
        if not isinstance(sequence, int):
            raise FetchSyntax("a FETCH answer must start with a message number")
        if not isinstance(listed, tuple) or len(listed) % 2:
            raise FetchSyntax("a FETCH answer's items must be name-value pairs in parentheses")
        items: dict[bytes, Any] = {}
        for name, value in zip(listed[::2], listed[1::2], strict=True):
            if not isinstance(name, bytes):
                raise FetchSyntax("a FETCH item name must be an atom")
            items[name.upper()] = value
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
