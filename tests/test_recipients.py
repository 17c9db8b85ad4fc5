"""Whom a reply draft is addressed to (issue 18, item 1).

Reply-To where present; never a no-reply address (the directory's contact for the matter, or
no recipient and a note saying why); never the practice's own addresses or staff; a forward
answered to the original sender inside it (inline in the three clients' shapes, or attached as
message/rfc822). Unit tests on parsed messages, then the whole pipeline over a real Maildir.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.letters.recipients import OwnAddresses, choose_recipient, forwarded_senders, is_no_reply
from bot.mail.mime import parse_message
from bot.sync.runtime import Runtime
from tests.conftest import deliver

OWN = OwnAddresses.of(
    ["dr@practice.example", "billing@elsewhere-host.example"], ["practice.example"]
)


def message(
    body: str, sender: str = "Rosa Staff <rosa@practice.example>", extra: str = ""
) -> bytes:
    return (
        f"From: {sender}\nTo: dr@practice.example\nSubject: Fwd: notice\n"
        "Message-ID: <m1@practice.example>\nDate: Mon, 02 Nov 2026 10:00:00 +0000\n"
        f"{extra}\n{body}\n"
    ).encode()


GMAIL_FORWARD = """Dr - see below.

---------- Forwarded message ---------
From: Claims Desk <claims@plan.example>
Date: Thu, 29 Oct 2026 at 11:02
Subject: Claim 12345
To: billing@practice.example

Claim denied.
"""
OUTLOOK_FORWARD = """FYI

-----Original Message-----
From: Hanna Referrer [mailto:hanna@clinic.example]
Sent: Thursday, October 29, 2026 4:41 PM
To: office@practice.example
Subject: New patient

Please see this patient.
"""
APPLE_FORWARD = """Forwarding this one.

Begin forwarded message:

> From: "Legal Team" <team@lawfirm.example>
> Reply-To: instructions@lawfirm.example
> Subject: Letter of instruction
> Date: 29 October 2026 at 15:58:00 GMT
>
> We instruct you.
"""


@pytest.mark.parametrize(
    ("body", "to", "name"),
    [
        (GMAIL_FORWARD, "claims@plan.example", "Claims Desk"),
        (OUTLOOK_FORWARD, "hanna@clinic.example", "Hanna Referrer"),
        # The forward shows a Reply-To: replies go there.
        (APPLE_FORWARD, "instructions@lawfirm.example", "Legal Team"),
    ],
)
def test_a_colleagues_forward_is_answered_to_its_original_sender(
    body: str, to: str, name: str
) -> None:
    chosen = choose_recipient(parse_message(message(body), "m"), OWN)
    assert chosen.address == to and chosen.how == "forwarded"
    assert chosen.name == name
    assert chosen.sent is not None and chosen.sent.day == 29  # "your notice of" its own day
    assert to in chosen.note


def test_an_attached_message_is_a_forward_too() -> None:
    """A message forwarded as an attachment (message/rfc822) is answered to its sender."""
    outer = EmailMessage()
    outer["From"] = "Front Desk <desk@practice.example>"
    outer["To"] = "dr@practice.example"
    outer["Subject"] = "Fwd: referral"
    outer["Date"] = "Mon, 02 Nov 2026 10:00:00 +0000"
    outer.set_content("Attached.")
    inner = email.message_from_bytes(
        b"From: Dr Osteo <osteo@bones.example>\nSubject: Referral\n"
        b"Date: Fri, 30 Oct 2026 09:00:00 +0000\n\nPlease see.\n",
        policy=email.policy.default,
    )
    outer.add_attachment(inner)
    parsed = parse_message(outer.as_bytes(), "m")
    assert "From: Dr Osteo <osteo@bones.example>" in parsed.attached
    assert "osteo@bones.example" not in parsed.text  # the rules read the body as it shows
    chosen = choose_recipient(parsed, OWN)
    assert (chosen.address, chosen.how, chosen.name) == (
        "osteo@bones.example",
        "forwarded",
        "Dr Osteo",
    )


def test_a_chain_of_forwards_inside_the_practice_reaches_the_outside_sender() -> None:
    body = (
        "See below.\n\n---------- Forwarded message ---------\n"
        "From: Billing <billing@practice.example>\nDate: Fri, 30 Oct 2026 at 09:00\n\n"
        "Forwarding.\n\n---------- Forwarded message ---------\n"
        "From: Payer <appeals@payer.example>\nDate: Thu, 29 Oct 2026 at 11:02\n\nDenied.\n"
    )
    chosen = choose_recipient(parse_message(message(body), "m"), OWN)
    assert chosen.address == "appeals@payer.example"


def test_own_staff_with_no_outside_sender_gets_no_recipient() -> None:
    chosen = choose_recipient(parse_message(message("Can you look at this?"), "m"), OWN)
    assert chosen.address is None and "add the recipient" in chosen.note
    # An own address listed by itself (not on an own domain) counts as the practice's too.
    alone = message("Hello", sender="Biller <billing@elsewhere-host.example>")
    assert choose_recipient(parse_message(alone, "m"), OWN).address is None


@pytest.mark.parametrize(
    "addr",
    [
        "no-reply@notifications.plan.example",
        "noreply@plan.example",
        "donotreply@plan.example",
        "do-not-reply@plan.example",
        "precert-noreply@plan.example",
        "precert.notifications@plan.example",
        "notifications@plan.example",
        "MAILER-DAEMON@plan.example",
    ],
)
def test_no_reply_addresses_are_recognised(addr: str) -> None:
    assert is_no_reply(addr.lower())


@pytest.mark.parametrize(
    "addr", ["claims@plan.example", "notify-team@plan.example", "noel@x.example"]
)
def test_ordinary_addresses_are_not_no_reply(addr: str) -> None:
    assert not is_no_reply(addr)


def test_a_no_reply_sender_gets_the_directory_contact_or_a_note() -> None:
    raw = message(
        "Please fax the records to 1-866-555-0101 or upload them on the provider portal.",
        sender="Plan <no-reply@plan.example>",
    )
    parsed = parse_message(raw, "m")
    bare = choose_recipient(parsed, OWN, lambda addr: ("Example Plan", None))
    assert bare.address is None and bare.how == "none"
    assert "Example Plan sends from an address that reads no replies" in bare.note
    assert "fax 1-866-555-0101" in bare.note and "portal" in bare.note
    contact = choose_recipient(parsed, OWN, lambda addr: ("Example Plan", "pa-desk@plan.example"))
    assert contact.address == "pa-desk@plan.example" and contact.how == "directory"
    # A directory contact that is itself a no-reply address is no better.
    worse = choose_recipient(parsed, OWN, lambda addr: ("Example Plan", "noreply@plan.example"))
    assert worse.address is None


def test_reply_to_wins_unless_it_reads_nothing() -> None:
    raw = message("Hi", sender="Desk <desk@plan.example>", extra="Reply-To: cases@plan.example")
    assert choose_recipient(parse_message(raw, "m"), OWN).address == "cases@plan.example"
    raw = message("Hi", sender="Desk <desk@plan.example>", extra="Reply-To: noreply@plan.example")
    assert choose_recipient(parse_message(raw, "m"), OWN).address == "desk@plan.example"


def test_forwarded_senders_reads_no_address_from_prose() -> None:
    assert forwarded_senders("From: the desk of the manager, with thanks") == []


# --- through the pipeline ---------------------------------------------------------------------

RULES = """\
pack: test
rules:
  - id: test.referral.new
    category: referral
    case_kind: referral
    event: new_referral
    priority: 500
    match: {text_any: ['referring']}
    actions:
      - case: {status: received, open: true}
      - draft: {template: referral/referral_ack.j2}
  - id: test.prior_auth.pended
    category: payer
    case_kind: prior_auth
    event: pended
    priority: 500
    match: {from_party: payer, text_any: ['pended']}
    extract: {pa_ref: 'auth\\s*#\\s*:?\\s*([A-Z0-9-]{6,20})'}
    actions:
      - case: {key: pa_ref, status: pended, open: true}
      - draft: {template: payer/prior_auth_chase.j2}
"""
PARTIES = """\
kind: payer
parties:
  - name: Example Plan
    domains: [plan.example]
    attributes: {contact_prior_auth: pa-desk@plan.example}
"""


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    home = practice_dir({"test.yaml": RULES, "parties/payer.yaml": PARTIES})
    toml = home / "chief.toml"
    toml.write_text(
        toml.read_text().replace(
            'email = "dr@practice.example"\n',
            'email = "dr@practice.example"\nown_domains = ["practice.example"]\n',
        )
    )
    return home


def drafts(home: Path) -> dict[str, EmailMessage]:
    out = {}
    for path in (home / "Maildir" / ".Drafts" / "cur").iterdir():
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        out[str(msg["In-Reply-To"])] = msg
    return out


def test_pipeline_addresses_forwards_no_reply_and_own_staff(home: Path) -> None:
    forward = (
        "Booked her in.\n\n---------- Forwarded message ---------\n"
        "From: Dr Hanna Referrer <hanna@clinic.example>\nDate: Thu, 29 Oct 2026 at 16:41\n"
        "Subject: New patient\n\nI am referring the patient below.\n"
    )
    deliver(home, "1", message(forward))
    deliver(
        home,
        "2",
        message(
            "Auth #: PA-200001 pended. Please send the office notes.",
            sender="Example Plan <no-reply@plan.example>",
        ).replace(b"<m1@practice.example>", b"<m2@plan.example>"),
    )
    deliver(
        home,
        "3",
        message("I am referring a patient; can you see her?").replace(
            b"<m1@practice.example>", b"<m3@practice.example>"
        ),
    )
    sync(Runtime.from_config(load_config(home / "chief.toml")))
    written = drafts(home)
    forwarded = written["<m1@practice.example>"]
    assert forwarded["To"] == "hanna@clinic.example"
    body = forwarded.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    # (a US practice: the date reads the US way)
    assert "Dear Dr Hanna Referrer," in body and "referral of October 29, 2026" in body
    # The plan's notice came from a no-reply address: its directory contact for prior auths.
    assert written["<m2@plan.example>"]["To"] == "pa-desk@plan.example"
    # A colleague's own question, no outside sender in it: no recipient, and the draft says so.
    own = written["<m3@practice.example>"]
    assert own["To"] is None
    text = own.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "practice's own address" in text
