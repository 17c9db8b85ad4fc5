"""Whom a reply draft is addressed to: the party who can act on it, never a machine or us.

The sender's address is often the wrong one to answer:

* a **Reply-To** names where replies go (RFC 5322 3.6.2): it wins over From;
* a **no-reply** address (``no-reply@``, ``donotreply@``, ``precert-noreply@``,
  ``notifications@``, ``mailer-daemon@``...) reads nothing. The party directory's contact for
  the matter (``contact_<case kind>``, else ``contact``) is used instead; without one the draft
  has no recipient and says why, with the ways the notice itself gives (portal, fax);
* the practice's **own** addresses and staff (``[practice] email``, ``own_addresses``,
  ``own_domains``): a colleague who forwarded a notice did not write it. A **forwarded**
  message (an inline forward: ``---------- Forwarded message ---------``,
  ``-----Original Message-----``, ``Begin forwarded message:``, each followed by a ``From:``
  line; or an attached message/rfc822, whose From and Date :mod:`bot.mail.mime` keeps beside
  the text, ``Message.attached``) is answered to its original sender, the first outside the
  practice in the forward chain, with that forward's Reply-To when it shows one.

:func:`choose_recipient` returns the address (or None) and the note the draft shows when the
choice was not the plain sender.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.letters.headers import NO_REPLY, valid_address
from bot.mail.message import Message

__all__ = ["OwnAddresses", "Recipient", "choose_recipient", "forwarded_senders", "is_no_reply"]

# The banners mail clients write above a forwarded message (Gmail, Outlook, Apple Mail,
# Thunderbird), possibly quoted with ">".
_BANNER = re.compile(
    r"(?im)^[>\s]*(?:-{2,}\s*(?:forwarded|original|attached)\s+message\s*-{2,}"
    r"|begin\s+forwarded\s+message\s*:|-{2,}\s*original\s+message\s*-{2,})\s*$"
)
_FIELD = re.compile(r"(?im)^[>\s]*(from|reply-to|sent|date|subject|to)\s*:\s*(.*)$")
_MAILTO = re.compile(r"\[mailto:([^\]\s]+)\]", re.I)
_FORWARD_HEAD_LINES = 12  # a forward's header block is a few lines under its banner


def is_no_reply(addr: str) -> bool:
    """An address that reads no mail (RFC 3834's spirit: answering it helps nobody)."""
    local = addr.partition("@")[0]
    return bool(NO_REPLY.search(local)) or local in ("postmaster", "bounce", "bounces")


@dataclass(frozen=True, slots=True)
class OwnAddresses:
    """The practice's own addresses and domains (``[practice]`` of chief.toml)."""

    addresses: frozenset[str]
    domains: frozenset[str]

    @classmethod
    def of(cls, addresses: Iterable[str], domains: Iterable[str] = ()) -> OwnAddresses:
        return cls(
            frozenset(a.strip().lower() for a in addresses if a),
            frozenset(d.strip().lower().lstrip("@") for d in domains if d),
        )

    def __contains__(self, addr: object) -> bool:
        if not isinstance(addr, str) or not addr:
            return False
        addr = addr.lower()
        domain = addr.rpartition("@")[2]
        return addr in self.addresses or any(
            domain == d or domain.endswith("." + d) for d in self.domains
        )


@dataclass(frozen=True, slots=True)
class Recipient:
    """The address a draft goes to (None: none could be chosen) and why, when not the sender.

    ``how``: ``reply_to``, ``from``, ``forwarded``, ``directory``, ``none`` or ``practitioner``.
    ``note``: one line for the draft's internal notes (never sent as such: the practitioner
    reads it above the letter), empty when the sender is simply answered. ``sent``: for a
    forward, when the original was sent (its ``Date:`` line), so the letter answers "your
    notice of" that day, not the day it was forwarded.
    """

    address: str | None
    name: str
    how: str
    note: str = ""
    sent: datetime | None = None


def _address_of(value: str) -> tuple[str, str | None]:
    """(display name, addr-spec) of a forward's ``From:`` value, Outlook's
    ``Name [mailto:addr]`` included."""
    value = value.strip()
    mailto = _MAILTO.search(value)
    if mailto:
        return _MAILTO.sub("", value).strip().strip('"'), valid_address(mailto.group(1))
    name, addr = email.utils.parseaddr(value)
    return name.strip(), valid_address(addr)


def _sent(value: str) -> datetime | None:
    """A forward's ``Date:`` / ``Sent:`` value as RFC 5322 writes it, or as Gmail's and
    Outlook's forward banners do ("Thu, 8 Oct 2026 at 11:02", "Monday, November 16, 2026 9:14
    AM"); None when it cannot be read."""
    text = re.sub(r"\s+at\s+", " ", value.strip())
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    for shape in ("%A, %B %d, %Y %I:%M %p", "%a, %b %d, %Y %I:%M %p", "%A, %d %B %Y %H:%M"):
        try:
            return datetime.strptime(text, shape)
        except ValueError:
            continue
    return None


def forwarded_senders(text: str) -> list[tuple[str, str, str | None, datetime | None]]:
    """(name, From address, Reply-To address or None, when sent or None) of each forwarded
    message in ``text``, outermost first."""
    found: list[tuple[str, str, str | None, datetime | None]] = []
    for banner in _BANNER.finditer(text):
        block = text[banner.end() :].lstrip("\n").split("\n")[:_FORWARD_HEAD_LINES]
        sender: tuple[str, str | None] | None = None
        reply_to: str | None = None
        sent: datetime | None = None
        for line in block:
            field = _FIELD.match(line)
            if field is None:
                if sender is not None and not line.strip(" >"):
                    break  # the blank line ending the forward's header block
                continue
            name, value = field.group(1).lower(), field.group(2)
            if name == "from" and sender is None:
                sender = _address_of(value)
            elif name == "reply-to" and reply_to is None:
                reply_to = _address_of(value)[1]
            elif name in ("date", "sent") and sent is None:
                sent = _sent(value)
        if sender is not None and sender[1]:
            found.append((sender[0], sender[1], reply_to, sent))
    return found


def _directory_note(party: str | None, ways: str) -> str:
    who = party or "The sender"
    how = f" The notice names: {ways}." if ways else ""
    return f"{who} sends from an address that reads no replies: add the recipient.{how}"


_WAYS = (
    (re.compile(r"(?i)\bfax(?:ed)?\b[^0-9\n]{0,30}(\+?\d[\d\s().-]{6,18}\d)"), "fax {0}"),
    (re.compile(r"(?i)\b(provider\s*portal|availity|portal)\b"), "{0}"),
)


def stated_ways(text: str) -> str:
    """How a notice says to send what it asks for (a fax number, a portal), as it says it."""
    ways: list[str] = []
    for pattern, shape in _WAYS:
        found = pattern.search(text)
        if found:
            way = shape.format(" ".join(found.group(1).split()))
            if way.lower() not in (w.lower() for w in ways):
                ways.append(way)
    return ", ".join(ways)


# An address -> (the party it belongs to, that party's contact for the matter), both or
# either None: the party directory, as the caller reads it.
Directory = Callable[[str], tuple[str | None, str | None]]


def _no_directory(addr: str) -> tuple[str | None, str | None]:
    return None, None


def choose_recipient(
    original: Message, own: OwnAddresses, directory: Directory = _no_directory
) -> Recipient:
    """The recipient of a reply to ``original`` (module docstring). ``directory`` names the
    organisation of an address and its contact for this kind of matter, used when the
    address reads no replies."""
    sender = valid_address(original.from_addr)
    reply_to = valid_address(original.reply_to)
    name = original.from_name
    how = "from"
    address = sender
    sent: datetime | None = None
    if reply_to and reply_to not in own and not is_no_reply(reply_to):
        address, how = reply_to, "reply_to"
    if address is None or address in own:
        # A colleague's forward: the original sender, the first outside the practice.
        forwards = forwarded_senders(original.text) + forwarded_senders(original.attached)
        for fwd_name, fwd_from, fwd_reply, fwd_sent in forwards:
            if fwd_from in own:
                continue
            name, sender = fwd_name, fwd_from
            good_reply = fwd_reply and fwd_reply not in own and not is_no_reply(fwd_reply)
            address = fwd_reply if good_reply else fwd_from
            how, sent = "forwarded", fwd_sent
            break
    if address is None:
        return Recipient(None, "", "none", "No reply address could be read: add the recipient.")
    if address in own:
        note = (
            "This came from the practice's own address and names no outside sender: "
            "add the recipient."
        )
        return Recipient(None, "", "none", note)
    if is_no_reply(address):
        party, contact = directory(address)
        usable = valid_address(contact)
        if usable and usable not in own and not is_no_reply(usable):
            who = party or "the sender"
            note = f"Addressed to {who}'s contact for this matter: {address} reads no replies."
            return Recipient(usable, party or "", "directory", note)
        note = _directory_note(party, stated_ways(original.text))
        return Recipient(None, "", "none", note)
    note = ""
    if how == "forwarded":
        note = f"Forwarded to the practice: addressed to the original sender, {address}."
    return Recipient(address, name if how != "reply_to" else "", how, note, sent)
