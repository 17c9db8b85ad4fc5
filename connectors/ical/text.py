"""An iCalendar file as lines of text: where each top-level VEVENT starts and ends, and its UID.

:mod:`connectors.ical.ics` edits the calendar file as text so that everything it did not write stays
byte for byte (folding, property order, line endings, bytes that are not UTF-8). This module
finds the structure it needs: ``BEGIN:``/``END:`` lines (never continuation lines, RFC 5545
3.1), top-level ``VEVENT`` blocks with their ``UID``, ``RECURRENCE-ID``, ``SEQUENCE`` and our
``X-CHIEF-HASH``, the ``TZID``s of ``VTIMEZONE``s already defined, and the end of the first
``VCALENDAR`` (where new blocks go). Unbalanced ``BEGIN``/``END`` raises :class:`StructureError`.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

__all__ = ["Block", "Document", "StructureError", "crlf_lines", "lines_of", "new_document", "scan"]

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NAME = re.compile(r"[A-Za-z0-9-]+")


class StructureError(ValueError):
    """``BEGIN``/``END`` lines do not nest; the message names the line."""


@dataclass(slots=True)
class Block:
    """A top-level VEVENT: line range (inclusive) and what the writer needs from it."""

    first: int
    last: int
    uid: str | None = None
    has_recurrence_id: bool = False
    chief_hash: str | None = None
    sequence: int = 0


@dataclass(slots=True)
class Document:
    lines: list[str]  # each with its own line ending (the last may have none)
    newline: str  # CRLF (RFC 5545 3.1), used for lines we add
    calendar_end: int | None  # index of END:VCALENDAR of the first top-level VCALENDAR
    blocks: list[Block] = field(default_factory=list)
    tzids: set[str] = field(default_factory=set)


def new_document(prodid: str) -> Document:
    """An empty calendar (RFC 5545 3.4: VERSION and PRODID are required)."""
    nl = "\r\n"
    lines = [
        f"BEGIN:VCALENDAR{nl}",
        f"VERSION:2.0{nl}",
        f"PRODID:{prodid}{nl}",
        f"CALSCALE:GREGORIAN{nl}",
        f"END:VCALENDAR{nl}",
    ]
    return Document(lines=lines, newline=nl, calendar_end=4)


def scan(raw: bytes) -> Document:
    """The structure of ``raw``; :class:`StructureError` when BEGIN/END do not nest."""
    text = raw.decode("utf-8", "surrogateescape")  # encoded back the same way: bytes survive
    lines = LINE.findall(text)
    # Lines we add end in CRLF, as RFC 5545 3.1 requires; the file is written so throughout.
    doc = Document(lines=lines, newline="\r\n", calendar_end=None)
    stack: list[tuple[str, int]] = []
    for index, line in enumerate(lines):
        if line[:1] in (" ", "\t"):
            continue
        content = line.rstrip("\r\n").lstrip("\ufeff")  # a UTF-8 BOM stays in the file
        head = content[:6].upper()
        if head == "BEGIN:":
            stack.append((content[6:].strip().upper(), index))
        elif head[:4] == "END:":
            name = content[4:].strip().upper()
            if not stack or stack[-1][0] != name:
                raise StructureError(f"line {index + 1}: END:{name} does not close a BEGIN")
            _, first = stack.pop()
            depth = len(stack)
            if name == "VEVENT" and depth == 1 and stack[0][0] == "VCALENDAR":
                doc.blocks.append(_block(lines, first, index))
            elif name == "VTIMEZONE" and depth == 1:
                tzid = _property(lines, first, index, "TZID")
                if tzid:
                    doc.tzids.add(tzid)
            elif name == "VCALENDAR" and depth == 0 and doc.calendar_end is None:
                doc.calendar_end = index
    if stack:
        name, first = stack[-1]
        raise StructureError(f"line {first + 1}: BEGIN:{name} is never closed")
    return doc


def crlf_lines(lines: list[str]) -> str:
    """``lines`` joined, each ending in CRLF (RFC 5545 3.1: "a CRLF sequence"): a file
    written with bare LF (an export, an editor) is written back with CRLF, its content
    otherwise unchanged; a last line without an ending keeps none."""
    out = []
    for line in lines:
        if line.endswith("\r\n"):
            out.append(line)
        elif line.endswith("\n"):
            out.append(line[:-1] + "\r\n")
        else:
            out.append(line)
    return "".join(out)


def lines_of(ical: bytes, newline: str) -> list[str]:
    """Serialised component bytes as lines ending in ``newline``."""
    return [line.rstrip("\r\n") + newline for line in LINE.findall(ical.decode("utf-8"))]


def _block(lines: list[str], first: int, last: int) -> Block:
    block = Block(first=first, last=last)
    block.uid = _property(lines, first, last, "UID")
    block.has_recurrence_id = _property(lines, first, last, "RECURRENCE-ID") is not None
    block.chief_hash = _property(lines, first, last, "X-CHIEF-HASH")
    with contextlib.suppress(TypeError, ValueError):
        block.sequence = int(_property(lines, first, last, "SEQUENCE") or 0)
    return block


def _property(lines: list[str], first: int, last: int, name: str) -> str | None:
    """Unfolded, unescaped value of the first ``name`` property directly in the component."""
    depth = 0
    logical: list[str] = []
    for line in lines[first + 1 : last]:
        if line[:1] in (" ", "\t") and logical:
            logical[-1] += line[1:].rstrip("\r\n")
        else:
            logical.append(line.rstrip("\r\n"))
    for content in logical:
        upper = content.upper()
        if upper.startswith("BEGIN:"):
            depth += 1
        elif upper.startswith("END:"):
            depth -= 1
        elif depth == 0:
            found = _NAME.match(content)
            if found and found.group(0).upper() == name:
                return _unescape(_value_part(content[found.end() :]))
    return None


def _value_part(rest: str) -> str:
    """The text after the first ':' outside double quotes (parameters may quote ':')."""
    quoted = False
    for index, char in enumerate(rest):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return rest[index + 1 :]
    return ""


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)
