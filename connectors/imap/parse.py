"""Turning the two UID FETCHes of a batch into :class:`~bot.mail.message.Message` objects.

The first FETCH (:data:`SURVEY_ITEMS`) brings each message's size, its BODYSTRUCTURE and the
headers a Message is built from; :func:`survey` walks the structures
(:mod:`connectors.imap.structure`) and says which sections each message needs;
:func:`section_groups` gathers messages needing the same sections, so the second round is one
``UID FETCH`` per group (usually one or two per batch). :func:`build` then assembles each
message exactly as the full parser would, from its headers and the parts that were read.

A message larger than ``Limits.max_message_bytes`` is read for its headers only, as the
Maildir connector does; a part larger than what was fetched leaves the message ``truncated``.
A message that cannot be read is reported in ``failed`` (provider id, reason), never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bot.mail.headers import HeaderFields
from bot.mail.message import READ_HEADERS, Limits, Message
from bot.mail.mime import build_message
from connectors.imap.structure import Leaf, leaves, to_parts, wanted
from connectors.parsing import read_or_report

__all__ = ["SURVEY_ITEMS", "Surveyed", "build", "section_groups", "section_items", "survey"]

log = logging.getLogger(__name__)

SURVEY_ITEMS = (
    b"RFC822.SIZE",
    b"BODYSTRUCTURE",
    b"BODY.PEEK[HEADER.FIELDS (%s)]" % " ".join(READ_HEADERS).upper().encode(),
)


@dataclass(slots=True)
class Surveyed:
    """One message after the first FETCH."""

    uid: int
    size: int = 0
    header: bytes | None = None
    leaves: list[Leaf] = field(default_factory=list)
    truncated: bool = False
    sections: dict[str, int] = field(default_factory=dict)  # section -> bytes to fetch
    problem: str | None = None


def _item(data: Mapping[bytes, Any], prefix: bytes) -> Any:
    return next((v for k, v in data.items() if k.startswith(prefix)), None)


def survey(
    uids: Sequence[int], fetched: Mapping[int, Mapping[bytes, Any]], limits: Limits, part_cap: int
) -> list[Surveyed]:
    """The messages of ``uids`` still on the server, in UID order, each with what to fetch."""
    out = []
    for uid in uids:
        data = fetched.get(uid)
        if data is None:
            log.debug("imap: UID %d expunged before it could be read", uid)
            continue
        item = Surveyed(uid)
        size = data.get(b"RFC822.SIZE")
        item.size = size if isinstance(size, int) else 0
        header = _item(data, b"BODY[HEADER")
        structure = data.get(b"BODYSTRUCTURE")
        if not isinstance(header, bytes):
            item.problem = "the server sent no headers"
        elif structure is None:
            item.problem = "the server sent no structure"
        else:
            item.header = header
            item.leaves, item.truncated = leaves(structure, limits)
            if item.size > limits.max_message_bytes:
                item.truncated = True  # too large: headers only, no part is read
            else:
                item.sections = wanted(item.leaves, limits, part_cap)
        out.append(item)
    return out


def section_groups(surveyed: Sequence[Surveyed]) -> dict[tuple[tuple[str, int], ...], list[int]]:
    """``{((section, bytes), ...): [uid, ...]}``: the second-round FETCHes of a batch."""
    groups: dict[tuple[tuple[str, int], ...], list[int]] = {}
    for item in surveyed:
        if item.sections:
            groups.setdefault(tuple(sorted(item.sections.items())), []).append(item.uid)
    return groups


def section_items(wanted_sections: tuple[tuple[str, int], ...]) -> list[bytes]:
    """FETCH items for one group: ``BODY.PEEK[section]<0.bytes>`` (never sets \\Seen)."""
    return [b"BODY.PEEK[%s]<0.%d>" % (s.encode(), cap) for s, cap in wanted_sections]


def sections_of(
    data: Mapping[bytes, Any] | None, wanted_sections: Mapping[str, int]
) -> dict[str, bytes]:
    """``{section: bytes}`` from one message's second-round FETCH response."""
    if not data:
        return {}
    out: dict[str, bytes] = {}
    for section in wanted_sections:
        value = _item(data, b"BODY[%s]" % section.encode())
        if isinstance(value, bytes):
            out[section] = value
    return out


def _assemble(item_id: str, item: Surveyed, sections: dict[str, bytes], limits: Limits) -> Message:
    return build_message(
        item_id,
        HeaderFields.parse(item.header or b""),
        to_parts(item.leaves, sections, limits),
        item.size,
        limits,
        truncated=item.truncated or len(sections) < len(item.sections),
    )


def build(
    folder: str,
    uidvalidity: int,
    surveyed: Sequence[Surveyed],
    parts_read: Mapping[int, Mapping[bytes, Any]],
    limits: Limits,
) -> tuple[list[Message], list[tuple[str, str]]]:
    """(messages, failed) in UID order; provider id ``folder/UIDVALIDITY/UID``.
    ``parts_read`` is the second round's responses by UID."""
    messages: list[Message] = []
    failed: list[tuple[str, str]] = []
    for item in surveyed:
        item_id = f"{folder}/{uidvalidity}/{item.uid}"
        if item.problem is not None or item.header is None:
            failed.append((item_id, item.problem or "the server sent no headers"))
            continue
        sections = sections_of(parts_read.get(item.uid), item.sections)

        read = partial(_assemble, item_id, item, sections, limits)
        message = read_or_report(item_id, read, failed, "imap")
        if message is not None:
            messages.append(message)
    return messages, failed
