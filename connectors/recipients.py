"""The one rule every summary sender enforces: addressed to the practitioner, and nobody else.

Whatever carries the daily summary (delivery into the practitioner's own inbox over Maildir,
IMAP, the Gmail or Graph API, or SMTP) calls :func:`require_practitioner_only` before anything
leaves, so the rule lives in one place.

The header block is read the way the most lenient reader would read it, so that no reader can
find a recipient the check did not see:

- every line up to the first empty one (CRLF, LF or a bare CR ending it) must be a field or a
  continuation of one, else the block is refused as malformed;
- a field name followed by spaces before its colon counts (RFC 5322 4.5 obsolete syntax, which
  Python's parser stops at but other readers accept);
- encoded words (RFC 2047) are decoded as well as read raw, so a display name such as
  ``=?utf-8?q?someone=40elsewhere.example?=`` cannot hide another address;
- once the practitioner's address is removed from a field, no ``@`` may remain (a group name,
  a comment or a display name carrying another address is refused).

Besides the recipient fields, the fields that direct answers (``Reply-To``,
``Mail-Followup-To``, read-receipt requests of RFC 8098 …) must name the practitioner alone when
present: otherwise a reply or an automatic receipt would carry the summary to someone else.
"""

from __future__ import annotations

import binascii
import email.utils
import quopri
import re

from bot.errors import UserError

__all__ = ["ANSWER_FIELDS", "RECIPIENT_FIELDS", "require_practitioner_only"]

RECIPIENT_FIELDS = ("To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc")
ANSWER_FIELDS = (
    "Reply-To",
    "Resent-Reply-To",
    "Mail-Followup-To",
    "Mail-Reply-To",
    "Disposition-Notification-To",
    "Return-Receipt-To",
    "Errors-To",
)

_LINE_END = re.compile(r"\r\n|\r|\n")
_FIELD = re.compile(r"([!-9;-~]+)[ \t]*:(.*)", re.S)
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_REFUSED = "refused: the summary may be addressed to the practitioner only"


def require_practitioner_only(raw: bytes, practitioner: str | None) -> str:
    """Return the practitioner's address if every recipient of ``raw`` is that address and
    there is at least one; otherwise raise :class:`UserError` (nothing has been sent)."""
    own = (practitioner or "").strip().lower()
    if not own:
        raise UserError(
            "no practitioner address for the summary",
            ["set `email` in [practice] (or `to` in [summary]) of chief.toml"],
        )
    fields = _header_fields(raw)
    recipients = [v for name in RECIPIENT_FIELDS for v in fields.get(name.lower(), [])]
    answers = [v for name in ANSWER_FIELDS for v in fields.get(name.lower(), [])]
    if not _only(recipients, own) or (answers and not _only(answers, own)):
        raise UserError(_REFUSED, ["check the summary's recipients and the practitioner's address"])
    return own


def _only(values: list[str], own: str) -> bool:
    """At least one address, each of them ``own``, and no other ``@`` anywhere in the fields,
    read raw or with their encoded words decoded."""
    readings = values + [_decoded(v) for v in values]
    addrs = [a.strip().lower() for _, a in email.utils.getaddresses(readings) if a.strip()]
    leftover = [v.lower().replace(own, "") for v in readings]
    return bool(addrs) and all(a == own for a in addrs) and not any("@" in v for v in leftover)


def _header_fields(raw: bytes) -> dict[str, list[str]]:
    """Unfolded field values of the header block by lower-case name (module docstring)."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in _LINE_END.split(raw.decode("utf-8", "replace")):
        if not line:
            break
        if line[0] in " \t":
            if current is None:
                raise UserError(_REFUSED, ["the summary's header block is malformed"])
            current[-1] += " " + line.strip()
            continue
        found = _FIELD.fullmatch(line)
        if found is None:
            raise UserError(_REFUSED, ["the summary's header block is malformed"])
        current = fields.setdefault(found.group(1).lower(), [])
        current.append(found.group(2).strip())
    return fields


def _decoded(value: str) -> str:
    """``value`` with each RFC 2047 encoded word replaced by its text ("@" when it cannot be
    decoded, so an undecodable word is refused rather than trusted)."""

    def decode(word: re.Match[str]) -> str:
        charset, encoding, text = word.group(1), word.group(2).upper(), word.group(3)
        try:
            if encoding == "B":
                data = binascii.a2b_base64(text + "=" * (-len(text) % 4))
            else:
                data = quopri.decodestring(text.replace("_", " ").encode("ascii"), header=True)
            return data.decode(charset.partition("*")[0], "replace")
        except (binascii.Error, LookupError, UnicodeError, ValueError):
            return "@"

    return _ENCODED_WORD.sub(decode, value)
