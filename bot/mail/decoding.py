"""Reading a MIME part's content within bounds, and what an attached message shows of itself.

Split from :mod:`bot.mail.mime`, which assembles a :class:`bot.mail.message.Message` from the
parts these decode: a part's decoded size estimated without decoding it, at most a cap of its
decoded bytes (a huge part is decoded from a prefix of its encoded text only, never whole), and
the forward banner of an attached message (message/rfc822): its own From and Date, kept
beside the text (``Message.attached``) so that the reply goes to its sender, not to the
colleague who forwarded it (:mod:`bot.letters.recipients`). The banner is not in the text the
rules read: that is the body as the message shows it.
"""

from __future__ import annotations

import binascii
from email.message import Message as EmailMessage

from bot.mail.headers import header_text

__all__ = ["attached_banner", "decode_bounded", "estimated_size"]

_BANNER_FIELDS = ("From", "Date")


def attached_banner(inner: EmailMessage) -> bytes:
    """The forward banner of an attached message: its From and Date lines under a rule."""
    lines = ["", "---------- Attached message ----------"]
    for name in _BANNER_FIELDS:
        value = " ".join(header_text(inner, name).split())[:300]
        if value:
            lines.append(f"{name}: {value}")
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def _transfer_encoding(part: EmailMessage) -> str:
    return header_text(part, "Content-Transfer-Encoding").strip().lower()


def estimated_size(part: EmailMessage) -> int:
    """A part's decoded size estimated from its encoded payload, without decoding it."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return 0
    if _transfer_encoding(part) == "base64":
        return len(payload) * 3 // 4
    return len(payload)


def decode_bounded(part: EmailMessage, cap: int) -> tuple[bytes, int, bool]:
    """(at most ``cap`` decoded bytes of ``part``, its decoded size, cut): a huge part is
    decoded from a prefix of its encoded text only, never whole."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return b"", 0, False
    encoding = _transfer_encoding(part)
    ratio = {"base64": 2, "quoted-printable": 3}.get(encoding, 1)
    if len(payload) <= cap * ratio:
        try:
            whole = part.get_payload(decode=True)
        except Exception:
            whole = None
        data = whole if isinstance(whole, bytes) else b""
        return data[:cap], len(data), len(data) > cap
    head = payload[: cap * ratio]
    if encoding == "base64":
        compact = "".join(head.split())
        try:
            data = binascii.a2b_base64(compact[: len(compact) // 4 * 4])
        except (binascii.Error, ValueError):
            data = b""
    else:
        clone = EmailMessage()
        if encoding:
            clone["Content-Transfer-Encoding"] = encoding
        clone.set_payload(head)
        try:
            decoded = clone.get_payload(decode=True)
        except Exception:
            decoded = None
        data = decoded if isinstance(decoded, bytes) else b""
    return data[:cap], estimated_size(part), True
