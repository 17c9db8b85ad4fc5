"""The one draft digest (connectors.base.draft_digest): what tells chief's untouched draft from
one the practitioner edited, for a correction's withdrawal and a report's replacement alike. It
must survive a provider rebuilding the message (Outlook writes its own MIME; line ends, transfer
encodings, Date and Message-ID change) and still see every edit: the wording anywhere in a long
report, the subject, the recipients, an attachment.
"""

from __future__ import annotations

import email.policy
from email.message import EmailMessage

from bot.letters.headers import OUTGOING_POLICY, finish_draft
from connectors.base import draft_digest

REPORT = "\n\n".join(f"Paragraph {n}: findings as examined, in some detail." for n in range(2500))
assert len(REPORT) > 128 * 1024  # longer than the text a classifier reads of a message


def chiefs(
    text: str = REPORT, to: str = "claims@insurer.example", subject: str = "Report"
) -> bytes:
    msg = EmailMessage(policy=OUTGOING_POLICY)
    msg["From"] = "Dr Test <dr@practice.example>"
    msg["To"] = to
    msg["Subject"] = subject
    return finish_draft(msg, "dr@practice.example", text, "digest-key-0001")


def rebuilt(text: str = REPORT, cc: str | None = None, attach: bytes | None = None) -> bytes:
    """The same draft as a provider writes it back: its own headers, base64, LF ends."""
    msg = EmailMessage(policy=email.policy.default)
    msg["From"] = "dr@practice.example"
    msg["To"] = "Claims <CLAIMS@insurer.example>"
    msg["Subject"] = "Report"
    msg["Message-ID"] = "<AAMkAD1234@outlook.example>"
    msg["Date"] = "Wed, 25 Nov 2026 10:00:00 +0000"
    if cc:
        msg["Cc"] = cc
    msg.set_content(text.replace("\n\n", "\n\n "), cte="base64")
    if attach is not None:
        msg.add_attachment(attach, maintype="application", subtype="pdf", filename="scan.pdf")
    return bytes(msg).replace(b"\r\n", b"\n")


def test_a_rebuilt_copy_of_chiefs_draft_is_untouched() -> None:
    assert draft_digest(rebuilt()) == draft_digest(chiefs())
    assert draft_digest(chiefs().replace(b"\r\n", b"\n")) == draft_digest(chiefs())


def test_every_kind_of_edit_is_seen() -> None:
    mine = draft_digest(chiefs())
    assert draft_digest(chiefs(REPORT + " Seen again.")) != mine  # at the end of a long text
    assert draft_digest(chiefs(REPORT.replace("Paragraph 3:", "Para 3:", 1))) != mine
    assert draft_digest(chiefs(subject="Report (final)")) != mine
    assert draft_digest(chiefs(to="other@insurer.example")) != mine
    assert draft_digest(rebuilt(cc="solicitor@firm.example")) != mine
    assert draft_digest(rebuilt(attach=b"%PDF-1.4 scan")) != mine
