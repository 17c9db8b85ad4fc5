"""The one rule every summary sender enforces: addressed to the practitioner, and nobody else.

Whatever carries the daily summary (delivery into the practitioner's own inbox over Maildir or
IMAP, or SMTP) calls :func:`require_practitioner_only` before anything leaves, so the rule lives
in one place.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils

from bot.errors import UserError

__all__ = ["RECIPIENT_FIELDS", "require_practitioner_only"]

RECIPIENT_FIELDS = ("To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc")


def require_practitioner_only(raw: bytes, practitioner: str | None) -> str:
    """Return the practitioner's address if every recipient of ``raw`` is that address and
    there is at least one; otherwise raise :class:`UserError` (nothing has been sent)."""
    own = (practitioner or "").strip().lower()
    if not own:
        raise UserError(
            "no practitioner address for the summary",
            ["set `email` in [practice] (or `to` in [summary]) of chief.toml"],
        )
    head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    values = [str(v) for name in RECIPIENT_FIELDS for v in (head.get_all(name) or [])]
    addrs = [a.strip().lower() for _, a in email.utils.getaddresses(values) if a.strip()]
    # Belt and braces: no "@" may remain once the practitioner's address is removed, so a
    # header the address parser misreads cannot smuggle a third party through.
    leftover = [v.lower().replace(own, "") for v in values]
    if not addrs or any(a != own for a in addrs) or any("@" in v for v in leftover):
        raise UserError(
            "refused: the summary may be addressed to the practitioner only",
            ["check the summary's recipients and the practitioner's address"],
        )
    return own
