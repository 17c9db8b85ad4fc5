#!/usr/bin/env python3
"""Build the shared sample mailbox (``examples/mailbox/new``) and its labels.

One Maildir serves three fictional practices:

* Riverside Sports Medicine (US sports medicine, Dr Nathaniel Brandt), riverside-sportsmed.example
* Meadowbank Occupational Therapy (UK independent OT, Harriet Pemberton), meadowbank-ot.example
* Lotus Integrative Health (integrative medicine, Dr Selene Okafor; Portland clinic and a small
  London satellite), lotus-integrative.example

Every person, patient, date of birth, reference number, firm, school, club and clinic in here is
invented. Real organisation domains (payers, councils, labs, licensing bodies, nhs.net) appear
only as the sending organisation, with invented mailbox names and invented content.

The script is deterministic: no clock, no randomness, fixed MIME boundaries. Running it twice
gives byte-identical files. It writes:

* ``examples/mailbox/new/NNNN-slug``: one RFC 5322 message per file, numbered by date;
* ``examples/mailbox-labels.csv``: ``file,category,case_kind,event`` (empty for noise).

Usage: ``python examples/build_sample_mailbox.py [--out DIR] [--labels FILE]``
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as _default_policy
from email.utils import format_datetime, formataddr
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
POLICY = _default_policy.clone(linesep="\n", max_line_length=78)

TZ = {
    "PT": ZoneInfo("America/Los_Angeles"),
    "MT": ZoneInfo("America/Denver"),
    "CT": ZoneInfo("America/Chicago"),
    "ET": ZoneInfo("America/New_York"),
    "UK": ZoneInfo("Europe/London"),
    "UTC": ZoneInfo("UTC"),
}

# --------------------------------------------------------------------------- the practices
RSM = ("Dr. Nathaniel Brandt", "nbrandt@riverside-sportsmed.example")
RSM_BILL = ("Riverside Sports Medicine Billing", "billing@riverside-sportsmed.example")
RSM_PM = ("Rosa Delgado", "rdelgado@riverside-sportsmed.example")
RSM_FRONT = ("Front Desk", "frontdesk@riverside-sportsmed.example")
MOT = ("Harriet Pemberton", "harriet@meadowbank-ot.example")
MOT_ADMIN = ("Gwen Tillotson", "admin@meadowbank-ot.example")
LOTUS = ("Dr. Selene Okafor", "selene@lotus-integrative.example")
LOTUS_OFF = ("Tomasz Wiśniewski", "office@lotus-integrative.example")


@dataclass
class Spec:
    slug: str
    when: str  # "YYYY-MM-DD HH:MM" local time of the sender
    tz: str  # key of TZ
    frm: tuple[str, str]
    to: list[tuple[str, str]]
    subject: str
    body: str | None = None  # text/plain
    html: str | None = None  # text/html
    label: tuple[str, str, str] = ("", "", "")
    parent: str | None = None  # slug of the message this one replies to
    quote: str | None = None  # None, "gmail", "outlook" or "apple": quote the parent
    fmt: str = "plain"  # plain | qp | b64 | html | alt
    pdfs: list[str] = field(default_factory=list)
    ics: str | None = None
    ics_style: str = "inline"  # inline (alternative part) | attach (invite.ics attachment)
    cc: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    fwd: dict[str, str] | None = None  # a forwarded message: frm, date, subject, to, body
    fwd_style: str = "gmail"

    @property
    def dt(self) -> datetime:
        naive = datetime.strptime(self.when, "%Y-%m-%d %H:%M")
        return naive.replace(tzinfo=TZ[self.tz])

    @property
    def domain(self) -> str:
        return self.frm[1].rpartition("@")[2]

    @property
    def message_id(self) -> str:
        digest = hashlib.sha256(("sample:" + self.slug).encode()).hexdigest()
        stamp = self.dt.astimezone(UTC).strftime("%Y%m%d%H%M%S")
        return f"<{stamp}.{digest[:16]}@{self.domain}>"


SPECS: dict[str, Spec] = {}


def add(slug: str, when: str, tz: str, frm: tuple[str, str], to, subject: str, body=None,
        label: tuple[str, str, str] = ("", "", ""), **kw) -> Spec:
    if slug in SPECS:
        raise ValueError(f"duplicate slug {slug}")
    if isinstance(to, tuple):
        to = [to]
    if body is not None:
        body = textwrap.dedent(body).strip("\n") + "\n"
    html = kw.pop("html", None)
    if html is not None:
        html = textwrap.dedent(html).strip("\n") + "\n"
    spec = Spec(slug=slug, when=when, tz=tz, frm=frm, to=list(to), subject=subject, body=body,
                html=html, label=label, **kw)
    SPECS[slug] = spec
    return spec


# --------------------------------------------------------------------------- building blocks
def fake_pdf(title: str) -> bytes:
    """A tiny, well-formed one-page PDF whose only text is ``title`` (ASCII)."""
    safe = "".join(ch for ch in title if 32 <= ord(ch) < 127 and ch not in "()\\")
    stream = f"BT /F1 12 Tf 72 720 Td ({safe}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


_VTZ = {
    "America/Los_Angeles": (
        "BEGIN:VTIMEZONE\nTZID:America/Los_Angeles\n"
        "BEGIN:DAYLIGHT\nTZOFFSETFROM:-0800\nTZOFFSETTO:-0700\nTZNAME:PDT\n"
        "DTSTART:19700308T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nEND:DAYLIGHT\n"
        "BEGIN:STANDARD\nTZOFFSETFROM:-0700\nTZOFFSETTO:-0800\nTZNAME:PST\n"
        "DTSTART:19701101T020000\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nEND:STANDARD\n"
        "END:VTIMEZONE"
    ),
    "Europe/London": (
        "BEGIN:VTIMEZONE\nTZID:Europe/London\n"
        "BEGIN:DAYLIGHT\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0100\nTZNAME:BST\n"
        "DTSTART:19700329T010000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nEND:DAYLIGHT\n"
        "BEGIN:STANDARD\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0000\nTZNAME:GMT\n"
        "DTSTART:19701025T020000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nEND:STANDARD\n"
        "END:VTIMEZONE"
    ),
}


def invite(uid: str, summary: str, location: str, start: str, end: str, organizer: tuple[str, str],
           attendees: list[tuple[str, str]], tzid: str | None = None, sequence: int = 0,
           description: str = "", stamp: str = "20260901T000000Z") -> str:
    """An iTIP REQUEST with one VEVENT. ``start``/``end`` are ``YYYYMMDDTHHMMSS`` (local to
    ``tzid``) or end in ``Z`` for UTC."""
    lines = ["BEGIN:VCALENDAR", "PRODID:-//Sample Mailbox//Practice Chief//EN", "VERSION:2.0",
             "CALSCALE:GREGORIAN", "METHOD:REQUEST"]
    if tzid:
        lines.extend(_VTZ[tzid].split("\n"))
    lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}"]
    if tzid:
        lines += [f"DTSTART;TZID={tzid}:{start}", f"DTEND;TZID={tzid}:{end}"]
    else:
        lines += [f"DTSTART:{start}", f"DTEND:{end}"]
    lines += [f"SEQUENCE:{sequence}", f"SUMMARY:{_ics_escape(summary)}",
              f"LOCATION:{_ics_escape(location)}"]
    if description:
        lines.append(f"DESCRIPTION:{_ics_escape(description)}")
    lines.append(f"ORGANIZER;CN={_ics_escape(organizer[0])}:mailto:{organizer[1]}")
    for name, addr in attendees:
        lines.append(f"ATTENDEE;CN={_ics_escape(name)};ROLE=REQ-PARTICIPANT;"
                     f"PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{addr}")
    lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, cur = [], ""
    for ch in line:
        if len((cur + ch).encode("utf-8")) > (75 if not parts else 74):
            parts.append(cur)
            cur = ""
        cur += ch
    parts.append(cur)
    return "\r\n ".join(parts)


def _quote_header(parent: Spec, style: str) -> str:
    dt = parent.dt
    name, addr = parent.frm
    if style == "outlook":
        return (f"From: {name} <{addr}>\nSent: {dt.strftime('%A, %B')} {dt.day}, "
                f"{dt.strftime('%Y %I:%M %p')}\nTo: {', '.join(a for _, a in parent.to)}\n"
                f"Subject: {parent.subject}\n")
    if style == "apple":
        return f"On {dt.day} {dt.strftime('%b %Y')}, at {dt.strftime('%H:%M')}, {name} <{addr}> wrote:\n"
    return (f"On {dt.strftime('%a')}, {dt.day} {dt.strftime('%b %Y')} at {dt.strftime('%H:%M')}, "
            f"{name} <{addr}> wrote:\n")


def _plain_of(spec: Spec) -> str:
    if spec.body is not None:
        return spec.body
    import re

    text = re.sub(r"<br\s*/?>|</p>|</tr>|</h[1-4]>|</li>", "\n", spec.html or "")
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("&amp;", "&").replace("&nbsp;", " ").replace("&pound;", "£")
    return re.sub(r"\n\s*\n+", "\n\n", "\n".join(t.strip() for t in text.split("\n"))).strip() + "\n"


def full_text(spec: Spec) -> str:
    """The plain text of a message as sent: own words, then any quote or forward."""
    text = _plain_of(spec)
    if spec.fwd:
        f = spec.fwd
        if spec.fwd_style == "outlook":
            text += (f"\n-----Original Message-----\nFrom: {f['frm']}\nSent: {f['date']}\n"
                     f"To: {f['to']}\nSubject: {f['subject']}\n\n"
                     + textwrap.dedent(f["body"]).strip("\n") + "\n")
        else:
            text += (f"\n---------- Forwarded message ---------\nFrom: {f['frm']}\n"
                     f"Date: {f['date']}\nSubject: {f['subject']}\nTo: {f['to']}\n\n"
                     + textwrap.dedent(f["body"]).strip("\n") + "\n")
    if spec.quote and spec.parent:
        parent = SPECS[spec.parent]
        quoted = full_text(parent)
        if spec.quote == "outlook":
            text += "\n________________________________\n" + _quote_header(parent, "outlook") + "\n"
            text += quoted
        else:
            text += "\n" + _quote_header(parent, spec.quote)
            text += "".join(("> " + ln if ln.strip() else ">") + "\n"
                            for ln in quoted.rstrip("\n").split("\n"))
    return text


def build(spec: Spec) -> bytes:
    msg = EmailMessage(policy=POLICY)
    msg["Return-Path"] = f"<{spec.frm[1]}>"
    msg["From"] = formataddr(spec.frm) if spec.frm[0] else spec.frm[1]
    msg["To"] = ", ".join(formataddr(t) if t[0] else t[1] for t in spec.to)
    if spec.cc:
        msg["Cc"] = ", ".join(formataddr(t) if t[0] else t[1] for t in spec.cc)
    msg["Subject"] = spec.subject
    msg["Date"] = format_datetime(spec.dt)
    msg["Message-ID"] = spec.message_id
    if spec.parent:
        chain: list[str] = []
        cur: Spec | None = SPECS[spec.parent]
        while cur is not None:
            chain.insert(0, cur.message_id)
            cur = SPECS[cur.parent] if cur.parent else None
        msg["In-Reply-To"] = SPECS[spec.parent].message_id
        msg["References"] = " ".join(chain)
    for key, value in spec.headers.items():
        msg[key] = value

    text = full_text(spec)
    if spec.fmt == "html":
        msg.set_content(spec.html or "", subtype="html")
    elif spec.fmt == "qp":
        msg.set_content(text, cte="quoted-printable")
    elif spec.fmt == "b64":
        msg.set_content(text, cte="base64")
    else:
        msg.set_content(text)
    if spec.fmt == "alt":
        msg.add_alternative(spec.html or "", subtype="html")
    if spec.ics:
        if spec.ics_style == "inline":
            if msg.get_content_type() != "multipart/alternative":
                msg.make_alternative()
            msg.add_alternative(spec.ics, subtype="calendar", params={"method": "REQUEST"})
        else:
            msg.add_attachment(spec.ics.encode("utf-8"), maintype="application", subtype="ics",
                               filename="invite.ics")
    for name in spec.pdfs:
        msg.add_attachment(fake_pdf(name), maintype="application", subtype="pdf", filename=name)

    # Fixed boundaries: the stdlib would pick random ones.
    seed = hashlib.sha256(spec.slug.encode()).hexdigest()[:12]
    for i, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"----=_Part_{seed}_{i}")
    return msg.as_bytes(policy=POLICY)


# =========================================================================== the messages
# Each section adds its messages with add(); labels are (category, case_kind, event).

# --------------------------------------------------------------------------- payers (US)
AETNA = ("Aetna Provider Services", "precert-noreply@aetna.com")
AETNA_CLAIMS = ("Aetna Claims", "claims-notify@aetna.com")
UHC = ("UnitedHealthcare Provider Notifications", "no-reply@notifications.uhc.com")
EVICORE = ("eviCore healthcare", "donotreply@evicore.com")
CIGNA = ("Cigna Healthcare", "precert.notifications@cigna.com")
CIGNA_CLAIMS = ("Cigna Healthcare Claims", "claim.notices@cigna.com")
HUMANA = ("Humana Clinical Intake Team", "clinicalintake@humana.com")
HUMANA_CLAIMS = ("Humana Claims Review", "claims.review@humana.com")
ANTHEM_UM = ("Anthem Blue Cross Utilization Management", "um.notices@anthem.com")
ANTHEM_CLAIMS = ("Anthem Blue Cross Provider Claims", "provider.claims@anthem.com")
NORIDIAN = ("Noridian JE Part B", "jeb-notices@noridian.com")
CARELON = ("Carelon Medical Benefits Management", "noreply@carelon.com")

PAYER_FOOTER = """
This message was sent from an unmonitored mailbox. Please do not reply to this email.
CONFIDENTIALITY NOTICE: This communication may contain protected health information (PHI).
If you are not the intended recipient, please delete it and notify the sender."""


def payers_us() -> None:
    # Thread 1: Aetna precert requested -> pended -> approved
    add("aetna-pa-received", "2026-09-03 10:14", "ET", AETNA, RSM_BILL,
        "Precertification request received - Authorization #: PA-2026-0412345",
        """
        Dear Provider,

        We have received your precertification request. Details are below.

        Authorization #: PA-2026-0412345
        Member: Marisol Quintanar-Bly   DOB: 11/02/1988
        Member ID: W284417731
        Requesting provider: Nathaniel Brandt, MD (NPI on file)
        Service requested: CPT 20611 - arthrocentesis/injection, major joint, with ultrasound
        guidance, permanent recording and reporting (right knee)
        Date received: 09/03/2026
        Request type: Standard pre-service

        A determination will be made within 15 calendar days of receipt. You can check the status
        at any time on Availity under Authorizations & Referrals > Auth/Referral Inquiry.

        Aetna Precertification Unit
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"))

    add("aetna-pa-pended", "2026-09-08 15:40", "ET", AETNA, RSM_BILL,
        "Precertification pended - additional information needed - Authorization #: PA-2026-0412345",
        """
        Dear Provider,

        The precertification request below has been PENDED. Additional clinical information is
        needed before a determination can be made.

        Authorization #: PA-2026-0412345
        Member: Marisol Quintanar-Bly   DOB: 11/02/1988
        Service: CPT 20611 (right knee)

        Information needed:
          1. Office notes from the two most recent visits
          2. Documentation of at least 6 weeks of conservative therapy (physical therapy,
             NSAIDs, activity modification) and the response to it
          3. Reports of any prior imaging of the right knee

        Please upload the records on Availity or fax them to 1-800-555-0142 no later than
        September 22, 2026. If we do not receive the information by then the request may be
        administratively closed and a new request will be required.

        Aetna Precertification Unit
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "pended"), parent="aetna-pa-received")

    add("aetna-pa-approved", "2026-09-16 11:02", "ET", AETNA, RSM_BILL,
        "Precertification approved - Authorization #: PA-2026-0412345",
        """
        Dear Provider,

        Good news: the precertification request below has been approved.

        Authorization #: PA-2026-0412345
        Status: APPROVED
        Member: Marisol Quintanar-Bly   DOB: 11/02/1988
        Approved service: CPT 20611 x 1 unit, right knee
        Valid from 09/16/2026 through 12/15/2026
        Servicing provider: Riverside Sports Medicine

        Please include the authorization number on the claim. Approval is based on the
        information provided and is not a guarantee of payment; benefits are subject to the
        member's eligibility and plan terms on the date of service.

        Aetna Precertification Unit
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "approved"), parent="aetna-pa-pended")

    # Thread 2: UHC PRP request -> denied -> appeal upheld
    add("uhc-pa-received", "2026-09-09 09:31", "CT", UHC, RSM_BILL,
        "We received your prior authorization request (Reference: UHC-PA-7731920)",
        """
        UnitedHealthcare | Provider Notification

        Thank you. We received your prior authorization request on 09/09/2026.

        Reference: UHC-PA-7731920
        Patient: Dashiell Ortfeld   DOB: 07/23/1975
        Plan: UnitedHealthcare Choice Plus (employer group)
        Procedure: 0232T - injection(s), platelet rich plasma, any site, including image
        guidance, harvesting and preparation when performed
        Diagnosis: M77.11 lateral epicondylitis, right elbow

        What happens next: a clinician will review the request. For standard requests we
        will notify you of our decision within 15 calendar days. Track this request in the
        UnitedHealthcare Provider Portal > Prior Authorizations.

        UnitedHealthcare
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"))

    add("uhc-pa-denied", "2026-09-15 16:05", "CT", UHC, RSM_BILL,
        "Prior authorization determination: Denied - Reference: UHC-PA-7731920",
        """
        UnitedHealthcare | Notice of Adverse Benefit Determination

        Reference: UHC-PA-7731920
        Patient: Dashiell Ortfeld   DOB: 07/23/1975
        Procedure: 0232T (platelet rich plasma injection, right elbow)
        Decision: DENIED

        Reason for decision: We reviewed the request against the member's benefit plan and
        our medical policy for platelet rich plasma injections. PRP for tendinopathy is
        considered unproven and not medically necessary because the clinical evidence is
        not sufficient to show improved health outcomes. This is an adverse determination
        made by a physician reviewer.

        Peer to peer: the requesting physician may discuss this decision with the reviewer by
        calling 1-800-555-0199 within 14 calendar days of this notice.

        Your appeal rights: you or the member may request an appeal within 180 days of the
        date of this notice. Send the appeal with any supporting documentation to the address
        in the attached letter or submit it through the Provider Portal.

        UnitedHealthcare
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "denied"), parent="uhc-pa-received",
        pdfs=["UHC-PA-7731920_adverse_determination.pdf"])

    add("uhc-pa-appeal-upheld", "2026-10-29 13:48", "CT", UHC, RSM_BILL,
        "Appeal decision - Reference: UHC-PA-7731920 - Appeal #: UHC-APL-5521078",
        """
        UnitedHealthcare | Appeal Decision

        Appeal #: UHC-APL-5521078
        Original reference: UHC-PA-7731920
        Patient: Dashiell Ortfeld   DOB: 07/23/1975
        Service: 0232T, right elbow

        Outcome: We have upheld our original decision.

        Your appeal was reviewed by a board-certified orthopaedic surgeon who was not involved
        in the original decision. The reviewer found that the submitted records (including
        the letter of medical necessity dated 10/02/2026) do not establish that PRP is proven
        for this condition. The denial stands.

        You may have the right to an external review by an independent review organization.
        A request for external review must be filed within 4 months of the date of this
        letter. Details are in the enclosed notice.

        UnitedHealthcare Appeals
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "appeal_upheld"), parent="uhc-pa-denied", quote="outlook")

    # Thread 3: eviCore MRI received -> pended -> denied -> reconsideration approved
    add("evicore-mri-received", "2026-09-10 08:22", "ET", EVICORE, RSM_BILL,
        "Case Received: EVC-2026-118842 - MRI Lower Extremity",
        """
        eviCore healthcare, on behalf of Cigna Healthcare

        Case number: EVC-2026-118842
        Patient: Imogen Tarrasch   DOB: 02/09/2004
        Procedure: 73721 MRI any joint of lower extremity without contrast (left knee)
        Ordering provider: Nathaniel Brandt MD
        Date received: 9/10/2026

        Your request for prior authorization has been received and is in clinical review.
        Please keep the case number for your records. Status can be checked 24/7 at the
        eviCore provider portal.
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"))

    add("evicore-mri-pended", "2026-09-14 12:10", "ET", EVICORE, RSM_BILL,
        "Additional Clinical Information Required - Case number EVC-2026-118842",
        """
        eviCore healthcare

        Case number: EVC-2026-118842
        Patient: Imogen Tarrasch   DOB: 02/09/2004
        Procedure: 73721 (left knee)

        ACTION REQUIRED. This case is pending. The clinical information received does not
        yet allow a determination. Please send:

          - The most recent office visit note with the knee examination findings
          - Plain film (X-ray) report, if performed
          - Duration and type of conservative treatment tried so far

        Fax: 1-866-555-0117, or attach to the case on the portal. If the information is not
        received within 2 business days the case will be reviewed with the information on file.
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "pended"), parent="evicore-mri-received")

    add("evicore-mri-denied", "2026-09-18 17:31", "ET", EVICORE, RSM_BILL,
        "Case Determination: Not Approved - Case number EVC-2026-118842",
        """
        eviCore healthcare

        Case number: EVC-2026-118842
        Patient: Imogen Tarrasch   DOB: 02/09/2004
        Procedure: 73721 MRI lower extremity joint without contrast
        Determination: NOT APPROVED (adverse determination)

        Rationale: Based on eviCore's musculoskeletal imaging guidelines, the request does not
        meet criteria. The records show knee pain for 3 weeks without documented mechanical
        symptoms, effusion or instability, and without a recent trial of conservative care
        of at least 6 weeks. MRI is therefore not medically necessary at this time.

        A peer-to-peer conversation can be scheduled within 14 days of this determination at
        1-800-555-0108. Appeals must be submitted to the member's health plan (Cigna
        Healthcare) within 180 days of this notice; see the enclosed letter for the address.
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "denied"), parent="evicore-mri-pended")

    add("evicore-mri-appeal-overturned", "2026-10-20 10:45", "ET", CIGNA, RSM_BILL,
        "Appeal outcome: overturned - Case EVC-2026-118842 / Appeal ID CGN-APL-2026-20417",
        """
        Dear Dr. Brandt,

        Re: Appeal ID CGN-APL-2026-20417 (original case number EVC-2026-118842)
        Patient: Imogen Tarrasch   DOB: 02/09/2004
        Service: 73721 MRI left knee without contrast

        We have completed our review of the appeal you submitted on 10/01/2026. The new
        information (a locking episode on 09/24/2026 and a documented effusion) supports the
        request. We have overturned the earlier adverse determination and the service is now
        approved. Authorization valid through 01/18/2027.

        Sincerely,
        Cigna Healthcare National Appeals Unit
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "appeal_overturned"), parent="evicore-mri-denied",
        quote="gmail")

    # Thread 4: Cigna precert acknowledged -> approved (HTML-only portal mail)
    add("cigna-pa-received", "2026-10-05 09:03", "ET", CIGNA, RSM_BILL,
        "Precertification request acknowledgement - Case ID: CGN-PA-4410983",
        """
        Cigna Healthcare - Precertification

        We've received your request.

        Case ID: CGN-PA-4410983
        Patient: Brennan Holloway-Sike  DOB: 12/01/1981
        Requested: CPT 20610 (arthrocentesis, major joint, without ultrasound guidance),
        left shoulder, and CPT 76881 (ultrasound, complete joint)
        Submitted by: Riverside Sports Medicine, 10/05/2026

        You'll get a decision by email and on CignaforHCP.com.
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"))

    add("cigna-pa-approved", "2026-10-08 14:26", "ET", CIGNA, RSM_BILL,
        "Precertification decision - Case ID: CGN-PA-4410983", None,
        html="""
        <html><head><style>td{padding:4px}</style></head><body>
        <table width="600"><tr><td><h2>Cigna Healthcare</h2></td></tr>
        <tr><td><p>Hello,</p>
        <p>The precertification request below <b>has been approved</b>.</p>
        <table>
        <tr><td>Case ID:</td><td>CGN-PA-4410983</td></tr>
        <tr><td>Patient:</td><td>Brennan Holloway-Sike</td></tr>
        <tr><td>DOB:</td><td>12/01/1981</td></tr>
        <tr><td>Approved:</td><td>20610 x1, 76881 x1</td></tr>
        <tr><td>Approval period:</td><td>10/08/2026 - 01/06/2027</td></tr>
        </table>
        <p>This approval is not a guarantee of payment.</p>
        <p style="font-size:10px">Please do not reply to this email. CONFIDENTIALITY NOTICE: this
        message may contain protected health information.</p>
        </td></tr></table></body></html>
        """,
        fmt="html", label=("payer", "prior_auth", "approved"), parent="cigna-pa-received")

    # Thread 5: Humana Medicare Advantage expedited request -> approved within 72 hours
    add("humana-pa-expedited", "2026-10-12 18:40", "ET", HUMANA, RSM_BILL,
        "Expedited pre-service request received - Authorization number: HUM-PA-2026-5530127",
        """
        Humana Clinical Intake

        We received an EXPEDITED (urgent) prior authorization request for a Humana Medicare
        Advantage member.

        Authorization number: HUM-PA-2026-5530127
        Member: Priscilla Vantongeren   DOB: 06/18/1959
        Service: 20611 (right shoulder) with 76882 limited ultrasound
        Received: 10/12/2026 6:22 PM ET

        Expedited requests are decided as quickly as the member's health requires and no later
        than 72 hours after receipt. If we need more information we will call the requesting
        office at the number on the request.

        Humana Clinical Intake Team
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"))

    add("humana-pa-approved", "2026-10-14 11:15", "ET", HUMANA, RSM_BILL,
        "Authorization approved - HUM-PA-2026-5530127",
        """
        Humana Clinical Intake

        Authorization number: HUM-PA-2026-5530127
        Member: Priscilla Vantongeren   DOB: 06/18/1959
        Decision: Approved (expedited review)
        Approved services: 20611 x1; 76882 x1
        Effective 10/14/2026 - 11/13/2026

        Humana Clinical Intake Team
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "approved"), parent="humana-pa-expedited")

    add("anthem-pa-denied", "2026-10-19 15:52", "PT", ANTHEM_UM, RSM_BILL,
        "Notice of Adverse Determination - Reference #: ANT-UM-26-0098813",
        """
        Anthem Blue Cross
        Utilization Management

        NOTICE OF ADVERSE DETERMINATION

        Reference #: ANT-UM-26-0098813
        Member: Rafferty Obuya   DOB: 09/30/1968
        Requesting provider: Nathaniel Brandt, MD
        Service requested: CPT 20611, right knee, 2nd injection

        We are unable to approve this request. The service is not medically necessary as
        requested: the records show a corticosteroid injection of the same joint on
        08/14/2026, and a repeat injection within 3 months does not meet our clinical criteria
        without documentation of a meaningful response lasting at least 6 weeks.

        This decision was made by Dr. L. Ferrante, a physician reviewer. You may request a
        copy of the criteria used free of charge.

        APPEAL RIGHTS: You may request an appeal within 180 days of the date of this notice.
        Expedited appeals are available when a delay could seriously jeopardize the member's
        health.
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "denied"))

    # Thread 6: Anthem claim denied CO-197 -> appeal overturned
    add("anthem-claim-denied-co197", "2026-09-22 07:58", "PT", ANTHEM_CLAIMS, RSM_BILL,
        "Claim denied - Claim number: CLM-88412307",
        """
        Anthem Blue Cross - Claim status notification

        Claim number: CLM-88412307
        Patient: Teodor Małecki-Hart   DOB: 03/03/1979
        Date of service: 08/27/2026
        Billed: CPT 20611 RT   $412.00
        Allowed: $0.00   Paid: $0.00

        Claim adjustment reason code: CO-197 - precertification / authorization /
        notification absent.
        Remark code: N54 - claim information is inconsistent with pre-certified service.

        If you believe this denial is incorrect you may submit a provider appeal with the
        authorization number and supporting records within 180 days of this notice.
        """ + PAYER_FOOTER,
        label=("payer", "claim", "denied"), fmt="qp")

    add("anthem-claim-appeal-overturned", "2026-11-10 09:20", "PT", ANTHEM_CLAIMS, RSM_BILL,
        "Re: Claim denied - Claim number: CLM-88412307 - appeal outcome",
        """
        Hello,

        Claim number: CLM-88412307
        Appeal reference: ANT-APL-3390021
        Patient: Teodor Małecki-Hart   DOB: 03/03/1979

        Your provider appeal has been reviewed. The authorization submitted with the appeal
        (ANT-UM-26-0087452) covers the date of service, so the denial has been reversed. The
        claim has been reprocessed and a payment of $268.40 will be issued with the next
        remittance cycle.

        Thank you,
        Provider Appeals, Anthem Blue Cross
        """ + PAYER_FOOTER,
        label=("payer", "claim", "appeal_overturned"), parent="anthem-claim-denied-co197",
        quote="gmail", fmt="qp")

    # Thread 7: Noridian claim denied CO-50 -> redetermination unfavourable
    add("noridian-claim-co50", "2026-09-25 11:37", "CT", NORIDIAN, RSM_BILL,
        "Claim denial notification - Claim number: CLM-61204958",
        """
        Noridian Healthcare Solutions - Jurisdiction E Part B

        Beneficiary: Harlan Stecklow   DOB: 01/27/1953
        Claim number: CLM-61204958   (ICN 2226268431580)
        Date of service: 08/19/2026
        Line 1: 20610 LT   billed $198.00   paid $0.00
        Reason code: CO-50 - non-covered: not deemed a medical necessity by the payer
        Remark code: M25

        The documentation does not support the frequency of major joint injections billed
        under the applicable local coverage determination.

        To appeal, request a redetermination within 120 days of the date you receive the
        initial determination (notices are presumed received 5 days after their date). Use
        the Noridian Medicare Portal or the redetermination request form.
        """ + PAYER_FOOTER,
        label=("payer", "claim", "denied"))

    add("noridian-redetermination", "2026-11-18 10:03", "CT", NORIDIAN, RSM_BILL,
        "Redetermination decision: unfavorable - Claim number: CLM-61204958",
        """
        Noridian Healthcare Solutions - Jurisdiction E Part B

        MEDICARE REDETERMINATION NOTICE

        Beneficiary: Harlan Stecklow   DOB: 01/27/1953
        Claim number: CLM-61204958
        Appeal number: NOR-RD-26-774219

        Decision: UNFAVORABLE. Our original decision is affirmed. The medical records
        submitted do not show a change in the beneficiary's condition that would support a
        repeat injection within the interval billed.

        If you disagree, you may request a reconsideration by a Qualified Independent
        Contractor (QIC) within 180 days of receiving this notice.
        """ + PAYER_FOOTER,
        label=("payer", "claim", "appeal_upheld"), parent="noridian-claim-co50")

    # UHC claim acknowledgement -> EOB
    add("uhc-claim-ack", "2026-09-04 06:12", "CT", UHC, RSM_BILL,
        "Claim acknowledgement - Claim #: CLM-77120394",
        """
        UnitedHealthcare | Claim Acknowledgement

        Claim #: CLM-77120394
        Patient: Lucía Ferreño-Vask   DOB: 05/14/1992
        Date of service: 08/31/2026
        Total billed: $356.00 (99214, 20606 LT)
        Status: Accepted for processing (received 09/03/2026)

        No action is needed. We'll send the explanation of benefits when processing is
        complete.
        """ + PAYER_FOOTER,
        label=("payer", "claim", "acknowledged"), fmt="b64")

    add("uhc-claim-eob", "2026-09-24 05:50", "CT", UHC, RSM_BILL,
        "Your explanation of benefits is ready - Claim #: CLM-77120394",
        """
        UnitedHealthcare | Provider Remittance Advice

        Claim #: CLM-77120394
        Patient: Lucía Ferreño-Vask   DOB: 05/14/1992
        Date of service: 08/31/2026

        Line  Code   Billed    Allowed   Paid      Adj.
        1     99214  $196.00   $142.11   $102.11   CO-45 $53.89; PR-3 $40.00
        2     20606  $160.00   $84.41    $84.41    CO-45 $75.59

        Total paid amount: $186.52
        Patient responsibility: $40.00 (copay)
        Payment: EFT trace 1UHC0926553310 on 09/24/2026
        """ + PAYER_FOOTER,
        label=("payer", "claim", "paid"), parent="uhc-claim-ack")

    add("cigna-claim-co29", "2026-10-01 08:44", "ET", CIGNA_CLAIMS, RSM_BILL,
        "Claim denial - timely filing - Claim number: CLM-90233871",
        """
        Cigna Healthcare | Claim Determination

        Claim number: CLM-90233871
        Patient: Zadie Merriweather-Kline   DOB: 08/08/2007
        Date of service: 04/02/2026   Received: 09/18/2026
        Billed: 99203, 20604   $289.00

        Denied. Adjustment reason CO-29: the time limit for filing has expired.
        Claims must be received within 90 days of the date of service for participating
        providers.

        If you have proof that the claim was submitted on time (for example an accepted
        clearinghouse report), you may request a reconsideration within 180 days.
        """ + PAYER_FOOTER,
        label=("payer", "claim", "denied"))

    add("aetna-claim-ack", "2026-10-07 07:01", "ET", AETNA_CLAIMS, RSM_BILL,
        "We received your claim - Claim ID: CLM-55310267",
        """
        Aetna - claim received

        Claim ID: CLM-55310267
        Member: Marisol Quintanar-Bly   DOB: 11/02/1988
        Date of service: 09/29/2026
        Services: 20611 RT (Authorization #: PA-2026-0412345), 99213-25

        Your claim was received on 10/06/2026 and is being processed.
        """ + PAYER_FOOTER,
        label=("payer", "claim", "acknowledged"))

    add("aetna-remittance", "2026-10-21 04:30", "ET", AETNA_CLAIMS, RSM_BILL,
        "Aetna payment issued - remittance advice available",
        """
        Aetna - Electronic Remittance Advice

        Payee: Riverside Sports Medicine
        Payment date: 10/21/2026   EFT trace number: 1AET2026102188
        Total payment amount: $431.62

        Claim ID: CLM-55310267   Member: Marisol Quintanar-Bly   DOB: 11/02/1988
          20611 RT   billed $412.00   allowed $231.18   paid $231.18   CO-45 $180.82
          99213-25   billed $168.00   allowed $92.40    paid $72.40    PR-3 $20.00
        Claim ID: CLM-55314480   Member: Brennan Holloway-Sike   DOB: 12/01/1981
          99212      billed $110.00   allowed $64.21    paid $64.21    CO-45 $45.79
          97110      billed $88.00    allowed $63.83    paid $63.83    CO-45 $24.17

        View the full explanation of benefits on Availity.
        """ + PAYER_FOOTER,
        label=("payer", "claim", "paid"))

    add("humana-claim-records", "2026-10-26 13:12", "ET", HUMANA_CLAIMS, RSM_BILL,
        "Request for medical records - Claim number: CLM-43018876",
        """
        Humana Claims Review

        Claim number: CLM-43018876
        Member: Priscilla Vantongeren   DOB: 06/18/1959
        Date of service: 10/16/2026   Services: 20611, 76882

        Additional documentation is required before this claim can be processed. Please send
        the procedure note, the ultrasound images report and the office visit note for the
        date of service.

        Respond no later than December 10, 2026. If we do not receive the records by then the
        claim will be denied for lack of documentation.

        Upload at Availity > Claim Status > Attachments, or fax 1-877-555-0136 with the
        enclosed cover sheet.
        """ + PAYER_FOOTER,
        label=("payer", "claim", "info_requested"), pdfs=["Humana_records_request_cover.pdf"])

    add("uhc-claim-co16", "2026-11-03 06:05", "CT", UHC, RSM_BILL,
        "Claim denied - missing information - Claim #: CLM-77298410",
        """
        UnitedHealthcare | Claim Determination

        Claim #: CLM-77298410
        Patient: Caleb Wintermoor   DOB: 04/17/2009
        Date of service: 10/20/2026
        Billed: 99214, 76882 RT   $331.00

        This claim was denied.
        Reason: CO-16 - claim lacks information or has submission/billing error(s).
        Remark: N286 - missing/incomplete/invalid referring provider primary identifier.

        Correct and resubmit the claim with the referring provider NPI. Corrected claims must
        be received within the timely filing limit.
        """ + PAYER_FOOTER,
        label=("payer", "claim", "denied"))

    add("anthem-eop", "2026-11-12 05:45", "PT", ANTHEM_CLAIMS, RSM_BILL,
        "Your Explanation of Payment is ready - Claim number: CLM-88640115",
        """
        Anthem Blue Cross - Explanation of Payment

        Claim number: CLM-88640115
        Patient: Rafferty Obuya   DOB: 09/30/1968
        Date of service: 10/27/2026 - 99213
        Paid amount: $97.26
        Patient responsibility: $25.00 (copay)
        """ + PAYER_FOOTER,
        html="""
        <html><body style="font-family:Arial">
        <p><img src="https://www.anthem.com/logo.png" alt="Anthem Blue Cross"></p>
        <h3>Explanation of Payment</h3>
        <table border="0">
        <tr><td>Claim number:</td><td>CLM-88640115</td></tr>
        <tr><td>Patient:</td><td>Rafferty Obuya &nbsp; DOB: 09/30/1968</td></tr>
        <tr><td>Date of service:</td><td>10/27/2026 - 99213</td></tr>
        <tr><td>Paid amount:</td><td><b>$97.26</b></td></tr>
        <tr><td>Patient responsibility:</td><td>$25.00 (copay)</td></tr>
        </table>
        <p style="color:#666;font-size:11px">This message was sent from an unmonitored
        mailbox. CONFIDENTIALITY NOTICE: this message may contain protected health
        information.</p>
        </body></html>
        """,
        fmt="alt", label=("payer", "claim", "paid"))

    add("carelon-pa-received", "2026-11-16 09:14", "CT", CARELON, RSM_BILL,
        "Order request received - Reference number: CRL-2026-7740215",
        """
        Carelon Medical Benefits Management (for Anthem Blue Cross)

        Reference number: CRL-2026-7740215
        Patient: Lucía Ferreño-Vask   DOB: 05/14/1992
        Exam requested: 73221 MRI upper extremity joint without contrast (right shoulder)
        Ordering provider: Nathaniel Brandt, MD

        We have received this prior authorization request. Most requests are decided within
        2 business days once all clinical information is received.
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"))

    add("carelon-pa-pended", "2026-11-19 15:33", "CT", CARELON, RSM_BILL,
        "Additional information needed - Reference number: CRL-2026-7740215",
        """
        Carelon Medical Benefits Management

        Reference number: CRL-2026-7740215
        Patient: Lucía Ferreño-Vask   DOB: 05/14/1992
        Exam: 73221 (right shoulder)

        Your request is pending additional clinical information. Please provide the
        shoulder examination findings (strength testing, impingement signs) and the results
        of any radiographs. Submit within 3 business days at ProviderPortal or by fax to
        1-866-555-0181; otherwise the case will go to physician review on the information we
        have.
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "pended"), parent="carelon-pa-received", quote="outlook")

    add("fwd-noridian-remit", "2026-10-09 12:48", "PT", RSM_PM, RSM,
        "Fwd: Medicare remittance - Claim number: CLM-61188302 - line denied",
        """
        Nate - FYI below. Noridian denied the 76942 line again because it was billed with
        20611 on the same day. That's the third one this quarter. Can we talk Friday about
        stopping the ultrasound guidance line on these? I'd like to file a reopening for the
        ones where 20610 + 76942 was the right coding.

        Rosa

        Rosa Delgado | Practice Manager
        Riverside Sports Medicine | (951) 555-0170
        """,
        fwd={"frm": "Noridian JE Part B <jeb-notices@noridian.com>",
             "date": "Thu, 8 Oct 2026 at 11:02",
             "subject": "Medicare remittance - Claim number: CLM-61188302",
             "to": "billing@riverside-sportsmed.example",
             "body": """
             Noridian Healthcare Solutions - Jurisdiction E Part B

             Beneficiary: Harlan Stecklow   DOB: 01/27/1953
             Claim number: CLM-61188302
             Date of service: 09/10/2026
             Line 1: 20611 RT  billed $248.00  paid $109.57
             Line 2: 76942     billed $140.00  paid $0.00
               Reason code CO-97: the benefit for this service is included in the payment for
               another service already adjudicated. Line denied.

             Redetermination requests must be received within 120 days of receipt of this
             notice.
             """},
        label=("payer", "claim", "denied"))

    add("aetna-appeal-received", "2026-11-06 10:30", "ET", AETNA_CLAIMS, RSM_BILL,
        "Appeal received - Appeal ID: APL-2026-330981",
        """
        Aetna Provider Appeals

        We received your request for a provider appeal.

        Appeal ID: APL-2026-330981
        Claim ID: CLM-55290014
        Member: Brennan Holloway-Sike   DOB: 12/01/1981
        Date received: 11/04/2026

        We will send our decision within 60 calendar days of receipt.
        """ + PAYER_FOOTER,
        label=("payer", "claim", "appeal_received"))

    add("aetna-pa-required", "2026-11-20 08:55", "ET", AETNA, RSM_BILL,
        "Precertification required before service - Authorization #: PA-2026-0498812",
        """
        Dear Provider,

        A claim-time review shows that the scheduled service below requires precertification
        and no request is on file. We have opened a precertification request for you;
        please upload clinical documentation so that it can be reviewed.

        Authorization #: PA-2026-0498812
        Member: Brennan Holloway-Sike   DOB: 12/01/1981
        Service: CPT 0232T (PRP injection, left shoulder), scheduled 12/02/2026
        Request type: Standard pre-service

        Aetna Precertification Unit
        """ + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"))


# --------------------------------------------------------------------------- payers (UK)
BUPA = ("Bupa Provider Team", "provider.authorisations@bupa.co.uk")
BUPA_PAY = ("Bupa Provider Payments", "provider.payments@bupa.co.uk")
AXA = ("AXA Health Claims Team", "claims.team@axahealth.co.uk")
AVIVA = ("Aviva Health Claims", "health.claims@aviva.co.uk")
VITALITY = ("VitalityHealth Claims", "claims@vitality.co.uk")

UK_INSURER_FOOTER = """
This e-mail and any attachments are confidential and intended solely for the addressee.
If you have received it in error please notify the sender and delete it. Calls may be
recorded."""


def payers_uk() -> None:
    add("bupa-preauth-request", "2026-09-11 10:20", "UK", BUPA, MOT_ADMIN,
        "Pre-authorisation request - occupational therapy - Authorisation no: BUPA-PA-6638201",
        """
        Dear Meadowbank Occupational Therapy,

        Your patient has contacted us about occupational therapy treatment with you.

        Authorisation no: BUPA-PA-6638201
        Patient: Peregrine Ashworth   DOB: 12/12/1958
        Membership no: 8830 1142 07
        Referred by: Mr T. Okonjo-Hale, Consultant Hand Surgeon

        So that we can confirm cover, please send us your proposed treatment plan: the
        number of sessions, the session fees and the expected outcome. Please reply within
        10 working days. Treatment carried out before we confirm pre-authorisation may not be
        covered under the member's policy.

        Kind regards

        Provider Authorisations Team
        Bupa Insurance
        """ + UK_INSURER_FOOTER,
        label=("payer", "insured_treatment", "requested"))

    add("bupa-preauth-approved", "2026-09-17 14:05", "UK", BUPA, MOT_ADMIN,
        "RE: Pre-authorisation request - occupational therapy - Authorisation no: BUPA-PA-6638201",
        """
        Dear Gwen,

        Thank you for the treatment plan. We have authorised the following for Mr Ashworth:

        Authorisation no: BUPA-PA-6638201
        Patient: Peregrine Ashworth   DOB: 12/12/1958
        Treatment authorised: 6 sessions of occupational therapy (post-operative hand
        therapy, including thermoplastic splinting)
        Fee limit: up to £95.00 per session
        Authorisation valid until 17 December 2026

        Please quote the authorisation number on every invoice. If further sessions are
        needed, send a progress report before the authorised sessions are used up.

        Kind regards
        Priya (Provider Authorisations)
        """ + UK_INSURER_FOOTER,
        label=("payer", "insured_treatment", "approved"), parent="bupa-preauth-request",
        quote="outlook")

    add("axa-info-needed", "2026-10-02 09:41", "UK", AXA, MOT,
        "Further information required - Authorisation ref: AXA-AUTH-774120",
        """
        Dear Ms Pemberton

        Authorisation ref: AXA-AUTH-774120
        Claim reference: AXA-CL-20948713
        Member: Clementine Farrow-Beck   Date of birth: 06/07/1987

        We have received your request to provide occupational therapy following the member's
        wrist fracture. Before we can authorise treatment we need your initial assessment
        report, including functional goals and the number of sessions you expect to need.

        Please send this by 16 October 2026.

        Yours sincerely

        Claims Team
        AXA Health
        """ + UK_INSURER_FOOTER,
        label=("payer", "insured_treatment", "info_requested"))

    add("axa-authorised", "2026-10-13 11:18", "UK", AXA, MOT,
        "Treatment authorised - Authorisation ref: AXA-AUTH-774120",
        """
        Dear Ms Pemberton

        Authorisation ref: AXA-AUTH-774120
        Member: Clementine Farrow-Beck   Date of birth: 06/07/1987

        Thank you for your assessment report. We're pleased to confirm that we have
        authorised 4 sessions of occupational therapy, to be completed by 31 January 2027.
        Please invoice us directly, quoting the claim reference AXA-CL-20948713.

        Yours sincerely
        Claims Team, AXA Health
        """ + UK_INSURER_FOOTER,
        label=("payer", "insured_treatment", "approved"), parent="axa-info-needed", quote="apple")

    add("aviva-declined", "2026-10-22 15:02", "UK", AVIVA, MOT_ADMIN,
        "Your patient's claim - Aviva authorisation ref: AV-HC-55012938",
        """
        Dear Sir/Madam

        Aviva authorisation ref: AV-HC-55012938
        Patient: Maël Tregarthen   DOB: 19/03/1976

        We have reviewed the request for occupational therapy for the above patient. Unfortunately
        we are unable to authorise this treatment. The condition described (long-standing
        lower back pain with fatigue) is a chronic condition, and the policy excludes the
        treatment of chronic conditions (section 4.2 of the policy terms).

        We have written to the patient to explain our decision. If you have further medical
        information that shows the condition is acute, please send it to us and we will look
        at the claim again.

        Yours faithfully
        Health Claims, Aviva
        """ + UK_INSURER_FOOTER,
        label=("payer", "insured_treatment", "denied"))

    add("vitality-preauth-confirmed", "2026-11-05 08:36", "UK", VITALITY, MOT_ADMIN,
        "Pre-authorisation confirmed - Authorisation code: VIT-8823104", None,
        html="""
        <html><body>
        <div style="background:#e5007d;color:#fff;padding:8px">VitalityHealth</div>
        <p>Hello Meadowbank Occupational Therapy,</p>
        <p>We've confirmed cover for the treatment below.</p>
        <p>Authorisation code: <b>VIT-8823104</b><br>
        Patient: Lowenna Trethewey &nbsp; DOB: 08/01/1994<br>
        Treatment: occupational therapy - 5 sessions (vocational rehabilitation)<br>
        Authorised until: 28 February 2027</p>
        <p>Please invoice us through the provider portal and quote the authorisation code.</p>
        <p>VitalityHealth Claims Team</p>
        <p style="font-size:9px">This e-mail and any attachments are confidential.
        VitalityHealth is a trading name of an insurer authorised and regulated in the UK.</p>
        </body></html>
        """,
        fmt="html", label=("payer", "insured_treatment", "approved"))

    add("bupa-remittance", "2026-10-28 06:00", "UK", BUPA_PAY, MOT_ADMIN,
        "Bupa payment remittance advice",
        """
        Bupa Provider Payments - remittance advice

        Payee: Meadowbank Occupational Therapy
        Payment date: 28/10/2026
        Payment method: BACS

        Claim number: BUPA-CL-3381760
        Patient: Peregrine Ashworth   DOB: 12/12/1958
        Authorisation no: BUPA-PA-6638201
        Invoice MOT-2026-118 - 3 sessions - £285.00 - paid £285.00

        Total amount paid: £285.00
        """ + UK_INSURER_FOOTER,
        label=("payer", "claim", "paid"))

    add("axa-invoice-rejected", "2026-11-20 12:30", "UK", AXA, MOT,
        "Invoice rejected - Claim reference: AXA-CL-20948713",
        """
        Dear Ms Pemberton

        Claim reference: AXA-CL-20948713
        Member: Clementine Farrow-Beck   Date of birth: 06/07/1987
        Invoice: MOT-2026-131 (£380.00)

        We are unable to pay this invoice. It includes a 5th session but only 4 sessions
        were authorised (Authorisation ref: AXA-AUTH-774120). We have rejected the invoice in
        full. Please send a corrected invoice for the 4 authorised sessions, or a progress
        report if you are asking us to authorise more treatment.

        Yours sincerely
        Claims Team, AXA Health
        """ + UK_INSURER_FOOTER,
        label=("payer", "claim", "denied"))


# --------------------------------------------------------------------------- solicitors
HL = ("Jessica Sandford", "j.sandford@harcourtlyle.example")
HL_TRAINEE = ("Oliver Brannigan", "o.brannigan@harcourtlyle.example")
PG = ("Catrin Nicholls", "catrin.nicholls@penhallowgrieve.example")
MML = ("Meridian Medico-Legal Instructions", "instructions@meridian-medicolegal.example")
MTL = ("Ailsa Becker", "records@mercertolland.example")
KIL = ("Dominic Pryce", "dpryce@kestrel-injury.example")
AES = ("Apex Expert Services", "newinstructions@apexexperts.example")
BC = ("Lorraine Baptiste", "lbaptiste@baptistecrowe-law.example")

HL_SIG = """
Jessica Sandford
Associate Solicitor | Personal Injury
Harcourt Lyle LLP
14 Quarry Street, Guildford GU1 3XX
DX 0000 Guildford | T 01483 555 012

Harcourt Lyle LLP is a limited liability partnership authorised and regulated by the
Solicitors Regulation Authority (SRA number 800001). This email is confidential and may be
legally privileged. If you have received it in error, please tell us and delete it.
CYBER-CRIME WARNING: we will never change our bank details by email. Always call us to
confirm before sending money."""

PG_SIG = """
Catrin Nicholls
Solicitor, Employers' Liability Team
Penhallow & Grieve Solicitors

Penhallow & Grieve is the trading name of Penhallow & Grieve LLP, authorised and regulated by
the Solicitors Regulation Authority. The information in this email is confidential."""


def solicitors() -> None:
    add("hl-expert-enquiry", "2026-09-02 11:47", "UK", HL, MOT,
        "Expert enquiry - care and OT needs report - Our ref: HL/4471/JS",
        """
        Dear Ms Pemberton

        Our client: Gareth Pennywhistle   DOB: 15/08/1983
        Our ref: HL/4471/JS

        We act for the above named Claimant in a claim for personal injury arising out of a
        road traffic accident on 3 February 2025. Our client sustained a fractured pelvis and
        a left tibial plateau fracture and remains limited in his activities of daily living.

        We are looking to instruct an independent occupational therapist to prepare a report
        on our client's care and assistance needs, past and future, including aids, equipment
        and housing, for use in court proceedings. Liability has been admitted.

        Could you please let us know:
          - whether you have any conflict of interest (the Defendant's insurer is a large
            motor insurer; the Defendant is a private individual);
          - your availability to see our client at home in October;
          - your fee estimate for the report and for any subsequent Part 35 questions.

        We look forward to hearing from you.

        Kind regards
        """ + HL_SIG,
        label=("solicitor", "medico_legal", "enquiry"))

    add("hl-letter-of-instruction", "2026-09-10 16:20", "UK", HL, MOT,
        "RE: Expert enquiry - care and OT needs report - Our ref: HL/4471/JS",
        """
        Dear Harriet

        Thank you for confirming that you have no conflict and for your fee estimate, which is
        agreed.

        Please find attached our formal letter of instruction, together with the paginated
        medical records bundle and our client's witness statement. We instruct you to prepare a
        report in accordance with CPR Part 35 and Practice Direction 35 on our client's care,
        occupational therapy, aids and equipment and accommodation needs.

        Our client: Gareth Pennywhistle   DOB: 15/08/1983
        Our ref: HL/4471/JS

        We would be grateful to receive your report by 30 November 2026. Please contact our
        client directly to arrange the home visit (contact details are in the letter).

        Kind regards
        """ + HL_SIG,
        label=("solicitor", "medico_legal", "instruction"), parent="hl-expert-enquiry",
        pdfs=["HL-4471-JS Letter of Instruction.pdf", "HL-4471-JS Records Bundle.pdf"])

    add("hl-chaser-1", "2026-10-15 09:05", "UK", HL_TRAINEE, MOT,
        "RE: Expert enquiry - care and OT needs report - Our ref: HL/4471/JS",
        """
        Dear Ms Pemberton

        Our ref: HL/4471/JS - Gareth Pennywhistle

        We wrote to you on 10 September enclosing our letter of instruction. We have not yet
        heard whether an appointment has been arranged with our client. We would be grateful
        if you could confirm receipt of our instructions and let us know the date of the home
        visit.

        Many thanks

        Oliver Brannigan
        Trainee Solicitor, for and on behalf of Harcourt Lyle LLP
        """,
        label=("solicitor", "medico_legal", "chaser"), parent="hl-letter-of-instruction",
        quote="outlook", cc=[HL])

    add("hl-chaser-2", "2026-11-09 14:32", "UK", HL, MOT,
        "URGENT - RE: Expert enquiry - care and OT needs report - Our ref: HL/4471/JS",
        """
        Harriet

        Further to Oliver's email below, could you let us have an update on the report? The
        court has ordered that the Claimant's expert evidence be served by 18 December 2026
        and we need time to review the report and take our client's instructions on it.

        Please call me if there is a problem.

        Jess
        """ + HL_SIG,
        label=("solicitor", "medico_legal", "chaser"), parent="hl-chaser-1", quote="gmail")

    add("pg-letter-of-instruction", "2026-09-18 12:10", "UK", PG, MOT,
        "Letter of instruction - Siobhan Larkspur-Reid - Our ref: PG/CN/22871",
        """
        Dear Ms Pemberton,

        Our ref: PG/CN/22871
        Your ref: TBC
        Our client: Siobhan Larkspur-Reid   DOB: 03/10/1990

        We are instructed by the above client in a claim against her former employer
        following an accident at work on 12 November 2024, when her right (dominant) hand was
        caught in a conveyor. Breach of duty is denied.

        We write to instruct you, on the basis agreed with your office, to examine our client
        and prepare a report dealing with:
          (a) her functional limitations and the assistance she has needed since the accident;
          (b) her likely future needs for care, therapy, aids and equipment;
          (c) any adaptations she needs to her home or to return to work.

        Your report must comply with Part 35 of the Civil Procedure Rules, its Practice
        Direction and the Guidance for the Instruction of Experts in Civil Claims. Please
        address it to the court and include the statement of truth and declaration required.

        We enclose the GP records, hospital records and the pleadings. Please return your
        report within 8 weeks of the examination. Your fees will be paid within 30 days of
        receipt of your invoice, irrespective of outcome.

        Yours sincerely,
        """ + PG_SIG,
        label=("solicitor", "medico_legal", "instruction"),
        pdfs=["PG-CN-22871 instruction letter.pdf"])

    add("pg-part35-questions", "2026-11-02 10:55", "UK", PG, MOT,
        "RE: Letter of instruction - Siobhan Larkspur-Reid - Our ref: PG/CN/22871 - Part 35 questions",
        """
        Dear Ms Pemberton,

        Our ref: PG/CN/22871
        Our client: Siobhan Larkspur-Reid   DOB: 03/10/1990

        Thank you for your report dated 19 October 2026, which we have now served.

        The Defendant's solicitors have put written questions to you pursuant to CPR 35.6; a
        copy of their letter is attached. The questions are for the purpose of clarifying
        your report. Please answer them within 28 days, by 30 November 2026, and send your
        answers to both parties. Your reasonable fees for answering are payable by the
        Defendant in the first instance.

        Yours sincerely,
        """ + PG_SIG,
        label=("solicitor", "medico_legal", "part35_questions"), parent="pg-letter-of-instruction",
        pdfs=["Defendant CPR 35.6 questions.pdf"])

    add("mml-new-instruction", "2026-09-23 08:15", "UK", MML, MOT,
        "New instruction - Ref MML-260923-OT - Mr Oluwaseun Brightwater", None,
        html="""
        <html><body style="font-family:Calibri,sans-serif">
        <p><b>Meridian Medico-Legal</b> | Expert Instructions</p>
        <p>Dear Harriet,</p>
        <p>We have a new instruction for you on behalf of our client solicitors.</p>
        <table cellpadding="3">
        <tr><td>Our ref:</td><td>MML-260923-OT</td></tr>
        <tr><td>Claimant:</td><td>Mr Oluwaseun Brightwater</td></tr>
        <tr><td>Date of birth:</td><td>21/05/1972</td></tr>
        <tr><td>Type:</td><td>Care and occupational therapy needs (employer's liability)</td></tr>
        <tr><td>Instructing firm:</td><td>Marlow Beckett Solicitors</td></tr>
        <tr><td>Report due:</td><td>20 December 2026</td></tr>
        </table>
        <p>The letter of instruction and the records are available in the Meridian expert
        portal. Please <b>accept the instruction</b> and offer three appointment dates within
        the next 14 days.</p>
        <p>Kind regards,<br>Instructions Team<br>Meridian Medico-Legal Ltd</p>
        <p style="font-size:9px">Meridian Medico-Legal Ltd is a medical reporting organisation.
        This email is confidential.</p>
        </body></html>
        """,
        fmt="html", label=("solicitor", "medico_legal", "instruction"))

    add("mml-appointment-chaser", "2026-10-06 13:40", "UK", MML, MOT,
        "Reminder: appointment dates outstanding - Ref MML-260923-OT",
        """
        Dear Harriet,

        Our ref: MML-260923-OT - Mr Oluwaseun Brightwater

        This is a gentle reminder that we are still waiting for appointment dates for the
        above instruction, sent to you on 23 September. The instructing solicitors have asked
        us for an update. Could you please log in to the portal and offer dates, or let us know
        if you are unable to accept the instruction?

        Kind regards,
        Instructions Team, Meridian Medico-Legal Ltd
        """,
        label=("solicitor", "medico_legal", "chaser"), parent="mml-new-instruction")

    add("mml-fee-paid", "2026-11-17 07:30", "UK", MML, MOT,
        "Payment advice - invoice INV-MOT-0931",
        """
        Dear Harriet,

        Payment advice

        Our ref: MML-250611-OT
        Invoice: INV-MOT-0931
        Amount paid: £1,450.00
        Method: BACS, value date 17/11/2026

        This payment settles your invoice in full. Thank you.

        Accounts Team, Meridian Medico-Legal Ltd
        """,
        label=("solicitor", "medico_legal", "fee_payment"))

    add("mtl-records-request", "2026-09-29 15:12", "UK", MTL, MOT_ADMIN,
        "Request for copy clinical records - Mrs Beatrix Hollowell - Our ref: MTL.PI.90312.AB",
        """
        Dear Sirs

        Our client: Mrs Beatrix Hollowell   DOB: 09/02/1961
        Our ref: MTL.PI.90312.AB

        We act for the above named in connection with a claim for personal injury following a
        fall on 18 March 2026. We understand that our client received occupational therapy
        from your practice between April and July 2026.

        We enclose our client's signed form of authority and would be grateful if you would
        provide a complete copy of her clinical records, including assessment notes,
        treatment records and correspondence. We undertake to pay your reasonable copying
        charges.

        Yours faithfully

        Ailsa Becker
        Records Assistant
        Mercer Tolland Law
        """,
        label=("solicitor", "medico_legal", "records_request"),
        pdfs=["Form of authority - Hollowell.pdf"])

    add("mtl-records-chaser", "2026-11-02 09:20", "UK", MTL, MOT_ADMIN,
        "RE: Request for copy clinical records - Mrs Beatrix Hollowell - Our ref: MTL.PI.90312.AB",
        """
        Dear Sirs

        Our ref: MTL.PI.90312.AB

        We refer to our letter of 29 September, a copy of which is below. We have not yet
        received the records requested and should be grateful if you would let us have them
        within the next 7 days, or let us know when we might expect them.

        Yours faithfully

        Ailsa Becker, Mercer Tolland Law
        """,
        label=("solicitor", "medico_legal", "chaser"), parent="mtl-records-request",
        quote="outlook")

    add("kil-hearing-date", "2026-10-08 17:02", "UK", KIL, MOT,
        "Trial window - Ms Delphine Ashcombe - Our ref: KIL/RTA/3390/DP",
        """
        Dear Harriet,

        Our client: Ms Delphine Ashcombe   DOB: 27/11/1995
        Our ref: KIL/RTA/3390/DP

        The court has listed this matter for a 3-day trial commencing 9 February 2027 at the
        County Court at Guildford. You may be required to attend to give evidence, although we
        hope the experts' joint statement will narrow the issues.

        Please confirm by return your availability for the trial window and let us have any
        dates to avoid between January and March 2027.

        Best wishes

        Dominic Pryce
        Senior Litigation Executive
        Kestrel Injury Lawyers
        ---
        Kestrel Injury Lawyers Limited is authorised and regulated by the Solicitors Regulation
        Authority. This message is confidential and may be privileged.
        """,
        label=("solicitor", "medico_legal", "hearing"))

    add("kil-settlement", "2026-11-13 12:44", "UK", KIL, MOT,
        "RE: Trial window - Ms Delphine Ashcombe - Our ref: KIL/RTA/3390/DP",
        """
        Hi Harriet,

        Good news - this matter has now settled at a joint settlement meeting yesterday, so the
        trial has been vacated and you will not need to attend in February.

        Please send us your final invoice (including the time spent on the joint statement)
        and we will arrange payment.

        Thanks for all your help with this one.

        Dominic
        """,
        label=("solicitor", "medico_legal", "settlement"), parent="kil-hearing-date", quote="apple")

    add("aes-instruction-enquiry", "2026-10-20 10:01", "UK", AES, MOT,
        "Instruction enquiry - paediatric OT expert (clinical negligence) - Our ref: AES/55102",
        """
        Dear Expert,

        Our ref: AES/55102
        Our client: Master Jasper Oakridge-Fell   DOB: 04/04/2016
        Case type: Clinical negligence (birth injury), Claimant
        Report type: Condition and prognosis - care and OT

        We have been asked to source a paediatric occupational therapy expert for the above
        case. Please let us know by 27 October 2026 if you are able to accept this instruction,
        together with your earliest appointment date, fee for the report and any conflicts.

        Apex Expert Services Ltd
        Expert Sourcing Team
        T: 0161 555 0198
        """,
        label=("solicitor", "medico_legal", "enquiry"))

    add("fwd-aes-letter-of-instruction", "2026-10-27 16:22", "UK", MOT_ADMIN, MOT,
        "Fwd: Letter of instruction - Our ref: AES/55102 - Jasper Oakridge-Fell",
        """
        Harriet - the formal instructions for the Apex paediatric case came in to the admin
        inbox, forwarded below. I've saved the bundle to the case folder. Do you want me to
        offer the 10th or 17th November for the assessment?

        Gwen
        """,
        fwd={"frm": "Apex Expert Services <newinstructions@apexexperts.example>",
             "date": "Tue, 27 Oct 2026 at 15:58",
             "subject": "Letter of instruction - Our ref: AES/55102",
             "to": "admin@meadowbank-ot.example",
             "body": """
             Dear Ms Pemberton,

             Our ref: AES/55102
             Our client: Master Jasper Oakridge-Fell   DOB: 04/04/2016

             Thank you for agreeing to accept this instruction. We now formally instruct you,
             on behalf of the Claimant's solicitors, to prepare a report on the child's
             condition, prognosis and care and occupational therapy needs in accordance with
             CPR Part 35. The letter of instruction and paginated records are attached.

             Please report within 10 weeks of the assessment.

             Apex Expert Services Ltd
             """},
        label=("solicitor", "medico_legal", "instruction"),
        pdfs=["AES-55102 Letter of Instruction.pdf"])

    add("bc-records-request-us", "2026-10-14 14:09", "PT", BC, RSM_FRONT,
        "Records request - HIPAA authorization enclosed - Brennan Holloway-Sike",
        """
        To the Custodian of Records, Riverside Sports Medicine:

        Our client: Brennan Holloway-Sike   DOB: 12/01/1981
        Our ref: BC-PI-2026-0417
        Dates of treatment: 01/01/2026 to present

        This office represents the above-named client in a personal injury matter arising
        from a motor vehicle collision on 12/18/2025. Enclosed is a HIPAA-compliant
        authorization signed by our client.

        Please provide certified copies of all medical records, imaging reports and an
        itemized billing ledger for the dates above within 30 days. Please include your
        invoice for copying fees, which we will pay promptly.

        Thank you for your assistance.

        Lorraine Baptiste, Paralegal
        Baptiste & Crowe LLP, Attorneys at Law
        This e-mail may contain attorney-client privileged and confidential information.
        """,
        label=("solicitor", "medico_legal", "records_request"),
        pdfs=["HIPAA authorization - Holloway-Sike.pdf"])

    add("pg-fee-payment", "2026-11-20 11:05", "UK", PG, MOT,
        "Your invoice INV-MOT-0944 - Our ref: PG/CN/22871",
        """
        Dear Ms Pemberton,

        Our ref: PG/CN/22871

        Thank you for your invoice INV-MOT-0944 for your report in this matter. We confirm
        that payment of £1,200.00 has been made today by BACS to the account ending 4417.

        Yours sincerely,
        """ + PG_SIG,
        label=("solicitor", "medico_legal", "fee_payment"))


# --------------------------------------------------------------------------- local authorities
SURREY = ("SEN Assessment Team (South West)", "sen.assessment.sw@surreycc.gov.uk")
HANTS = ("Hampshire SEN Service", "sen.service@hants.gov.uk")
WSX = ("Lucy Amberley", "lucy.amberley@westsussex.gov.uk")
WSX_ASC = ("Adult Social Care OT Service", "asc.ot.referrals@westsussex.gov.uk")
NORFOLK = ("Norfolk SEND Statutory Assessment Team", "send.assessments@norfolk.gov.uk")
BRISTOL = ("Bristol SEND Annual Reviews", "send.annualreviews@bristol.gov.uk")
KENT = ("Kent SEN Assessment", "sen.advice@kent.gov.uk")
BHCC = ("Brighton & Hove SEN Casework", "sen.casework@brighton-hove.gov.uk")
RBWM = ("Ruairí Ó Floinn", "sen.team@rbwm.gov.uk")
WAVERLEY = ("Private Sector Housing Team", "dfg@waverley.gov.uk")
GUILDFORD = ("Home Improvement Agency", "home.improvement@guildford.gov.uk")

COUNCIL_FOOTER = """
This email and any files transmitted with it are confidential and intended solely for the
use of the individual or entity to whom they are addressed. Any views or opinions expressed
are those of the author and do not necessarily represent those of the Council. The Council
may monitor email traffic data and content."""


def local_authorities() -> None:
    add("surrey-ehc-advice", "2026-09-07 13:30", "UK", SURREY, MOT,
        "EHC needs assessment - request for advice - EHCP ref: EHC/2026/01234",
        """
        Dear Harriet Pemberton

        EHC needs assessment - request for advice
        EHCP ref: EHC/2026/01234
        Child: Amelia Fictional-Hart   DOB: 14/03/2012
        School: Ashcombe Vale Academy (Year 10)

        Surrey County Council has agreed to carry out an Education, Health and Care (EHC)
        needs assessment for the above child. Under regulation 6(1) of the Special Educational
        Needs and Disability Regulations 2014 we are seeking occupational therapy advice and
        information. You were named by the family as the professional currently working
        with Amelia.

        Please return your advice by 19 October 2026, using the attached advice template.
        Your advice should set out Amelia's needs, the outcomes sought and the provision
        required to meet them, and should be specific and quantified where possible.

        If you are unable to provide advice, or if the family has not yet been seen, please
        tell us as soon as possible.

        Kind regards

        Saoirse Whitlam
        EHC Coordinator, SEN Assessment Team (South West)
        Surrey County Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "advice_request"),
        pdfs=["EHC_2026_01234 professional advice template.pdf"])

    add("surrey-advice-overdue", "2026-10-21 10:12", "UK", SURREY, MOT,
        "RE: EHC needs assessment - request for advice - EHCP ref: EHC/2026/01234 - OVERDUE",
        """
        Dear Harriet

        EHCP ref: EHC/2026/01234 - Amelia Fictional-Hart

        Our records show that we have not yet received your occupational therapy advice for
        this assessment, which was due on 19 October 2026. The statutory timescale for the
        assessment is now at risk. Could you please send your advice as a matter of urgency,
        or let me know when you expect to be able to do so?

        Many thanks

        Saoirse Whitlam
        EHC Coordinator
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "chaser"), parent="surrey-ehc-advice", quote="outlook")

    add("hants-advice-request", "2026-09-21 09:02", "UK", HANTS, MOT,
        "Request for occupational therapy advice - EHC needs assessment - Our Ref: SEN/EHC/2026/0781",
        """
        Dear Colleague,

        Our Ref: SEN/EHC/2026/0781
        Name of child: Rowan Ashdown-Pike   Date of birth: 22/07/2015

        Hampshire County Council is undertaking an Education, Health and Care needs
        assessment for the above child and requests your advice as the occupational therapist
        involved with Rowan. Advice must be provided within 6 weeks of the date of this
        request (SEN and Disability Regulations 2014, regulation 8).

        Please send your advice, marked with our reference, to this mailbox.

        Yours faithfully,

        SEN Service - North Team
        Children's Services, Hampshire County Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "advice_request"))

    add("hants-draft-plan", "2026-11-16 15:44", "UK", HANTS, MOT,
        "Draft EHC plan for comment - Our Ref: SEN/EHC/2026/0781",
        """
        Dear Ms Pemberton,

        Our Ref: SEN/EHC/2026/0781
        Name of child: Rowan Ashdown-Pike   Date of birth: 22/07/2015

        Thank you for your advice for this assessment. Please find attached the draft EHC plan
        for Rowan, which has been issued to the family today. We would welcome any comments on
        sections B, F and G insofar as they relate to your advice.

        The family has 15 days to comment on the draft plan and request a school. Please send
        any comments by 1 December 2026 so that they can be taken into account.

        Kind regards,

        SEN Service - North Team, Hampshire County Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "draft_plan"), parent="hants-advice-request",
        pdfs=["Draft EHC plan SEN-EHC-2026-0781.pdf"])

    ar_ics = invite(
        "wscc-ar-04412-20261124@westsussex.gov.uk",
        "Annual review meeting - EHCP WSCC-EHC-2019-04412",
        "Microsoft Teams meeting",
        "20261124T100000", "20261124T113000", WSX,
        [MOT, ("Parent", "parent.calloway@homemail.example")], tzid="Europe/London",
        description="Annual review of the EHC plan. Advice due two weeks before the meeting.",
        stamp="20261005T101500Z")
    add("wsx-annual-review-invite", "2026-10-05 11:15", "UK", WSX, MOT,
        "Annual review invitation - Esmé Calloway-Strand - EHCP ref: WSCC-EHC-2019-04412",
        """
        Dear Harriet,

        EHCP ref: WSCC-EHC-2019-04412
        Child: Esmé Calloway-Strand   DOB: 05/11/2013

        You are invited to contribute to the annual review of Esmé's Education, Health and
        Care plan. The annual review meeting will take place on 24 November 2026 at 10:00 by
        Microsoft Teams (invitation attached).

        Please send your written report to me by 10 November 2026, two weeks before the
        meeting, so that it can be circulated to everyone attending. If you cannot attend,
        your written advice is still important.

        Best wishes,

        Lucy Amberley
        SEN Casework Officer | SEN Assessment Team (West)
        West Sussex County Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "annual_review"), ics=ar_ics, ics_style="attach",
        fmt="qp")

    add("norfolk-advice-request", "2026-10-12 08:50", "UK", NORFOLK, MOT,
        "EHC needs assessment - request for advice - Case reference: NCC-EHC-26-01544",
        """
        Dear Professional,

        EHC needs assessment - request for advice
        Case reference: NCC-EHC-26-01544
        Young person: Kacper Żelazny-Brook   DOB: 02/06/2014

        Norfolk County Council has decided to carry out an EHC needs assessment. We request
        your occupational therapy advice under regulation 6 of the SEND Regulations 2014.

        Please return your advice by 23 November 2026.

        Advice should describe the young person's needs, the outcomes sought and the special
        educational provision required. Please use plain English and avoid jargon, as the
        family will receive a copy.

        Norfolk SEND Statutory Assessment Team
        County Hall, Norwich
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "advice_request"), fmt="b64")

    add("norfolk-advice-reminder", "2026-11-18 09:30", "UK", NORFOLK, MOT,
        "Reminder: advice due - Case reference: NCC-EHC-26-01544",
        """
        Dear Professional,

        Case reference: NCC-EHC-26-01544
        Young person: Kacper Żelazny-Brook

        This is a reminder that your advice for the above EHC needs assessment is due by
        23 November 2026. If you have already sent it, thank you, and please ignore this
        message.

        Norfolk SEND Statutory Assessment Team
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "chaser"), parent="norfolk-advice-request")

    add("bristol-annual-review", "2026-09-15 12:00", "UK", BRISTOL, MOT,
        "EHCP annual review - invitation - BCC/EHC/2021/00877",
        """
        Dear Harriet

        EHCP ref: BCC/EHC/2021/00877
        Child: Tobias Wrenfield   DOB: 30/01/2017

        Tobias's annual review meeting has been arranged. Meeting date: 13 October 2026 at
        13:30, at Hollybrook Primary School, Bristol.

        Please send any report to the school SENCo and to this team at least two weeks before
        the meeting, by 29 September 2026.

        Regards

        SEND Annual Reviews Team, Bristol City Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "annual_review"))

    add("bristol-amended-plan", "2026-11-06 14:27", "UK", BRISTOL, MOT,
        "Proposed amended EHC plan - BCC/EHC/2021/00877",
        """
        Dear Harriet

        EHCP ref: BCC/EHC/2021/00877
        Child: Tobias Wrenfield   DOB: 30/01/2017

        Following the annual review on 13 October 2026, the local authority has decided to
        amend Tobias's EHC plan. Please find attached the amendment notice and the proposed
        amended plan. Section F now includes the occupational therapy provision from your
        report.

        The family has 15 days to comment. If you have comments on the OT provision please
        send them by 21 November 2026.

        Regards

        SEND Annual Reviews Team, Bristol City Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "amended_plan"), parent="bristol-annual-review",
        pdfs=["Amendment notice BCC-EHC-2021-00877.pdf"])

    add("kent-advice-request", "2026-10-26 10:05", "UK", KENT, MOT,
        "Request for advice - EHC needs assessment - KCC/EHC/2026/10452", None,
        html="""
        <html><body style="font-family:Arial;font-size:11pt">
        <p><img src="cid:kcc-logo" alt="Kent County Council"></p>
        <p>Dear Ms Pemberton,</p>
        <p><b>Request for advice - Education, Health and Care needs assessment</b></p>
        <p>EHCP ref: KCC/EHC/2026/10452<br>
        Child: Ffion Marchbank &nbsp; DOB: 11/12/2016</p>
        <p>Kent County Council is carrying out an EHC needs assessment for the above child and
        requests your occupational therapy advice (SEN and Disability Regulations 2014,
        regulation 6(1)(c)). Please submit your advice through the professionals' portal
        <b>no later than 7 December 2026</b>.</p>
        <p>Yours sincerely,</p>
        <p>SEN Assessment and Placement Service (South Kent)<br>Kent County Council</p>
        <hr><p style="font-size:8pt">This email and any files transmitted with it are
        confidential. Kent County Council may monitor email traffic data and content.</p>
        </body></html>
        """,
        fmt="html", label=("local_authority", "ehcp", "advice_request"))

    add("bhcc-tribunal-evidence", "2026-11-04 16:18", "UK", BHCC, MOT,
        "SEND Tribunal appeal - request for updated OT evidence - BHCC-EHC-2024-0319",
        """
        Dear Ms Pemberton,

        EHCP ref: BHCC-EHC-2024-0319
        Young person: Ibrahim Castellane   DOB: 07/04/2010

        The family has lodged an appeal with the First-tier Tribunal (Special Educational
        Needs and Disability) against sections B, F and I of Ibrahim's EHC plan. The hearing
        is listed for 12 January 2027.

        The Tribunal has directed that the local authority's evidence be filed by
        4 December 2026. We would be grateful for an updated occupational therapy report, or
        confirmation that your report of March 2026 remains accurate, by 25 November 2026.

        Kind regards,

        Aleksander Nowacki
        SEN Casework Officer, Brighton & Hove City Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "tribunal"))

    add("surrey-final-plan", "2026-11-20 11:40", "UK", SURREY, MOT,
        "Final EHC plan issued - EHCP ref: EHC/2026/00419",
        """
        Dear Harriet Pemberton

        EHCP ref: EHC/2026/00419
        Child: Ottilie Brackwater   DOB: 17/05/2013

        We are writing to let you know that the final EHC plan for the above child was issued
        today. Thank you for your advice, which has been included in Appendix 4. A copy of the
        final plan is attached for your records.

        Kind regards

        SEN Assessment Team (South West), Surrey County Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "final_plan"),
        pdfs=["Final EHC plan EHC-2026-00419.pdf"])

    add("rbwm-annual-review", "2026-11-09 12:25", "UK", RBWM, MOT,
        "Annual review of EHC plan - Niamh Dunleavy-Orr - RBWM-EHC-2020-0156",
        """
        Dear Harriet,

        EHCP ref: RBWM-EHC-2020-0156
        Child: Niamh Dunleavy-Orr   DOB: 19/09/2011

        Niamh's annual review meeting will take place on 7 December 2026 at 09:30 at
        Windsor Oaks School. As Niamh moves to Year 11 next year, the review will also look at
        preparation for post-16.

        Your advice should reach us two weeks before the meeting. Please let us know whether
        you will attend in person.

        Thanks,

        Ruairí Ó Floinn
        SEN Officer, Royal Borough of Windsor and Maidenhead
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "annual_review"))

    add("kent-annual-review", "2026-11-19 09:10", "UK", KENT, MOT,
        "Annual review - Barnaby Quenby - EHCP ref: KCC/EHC/2022/03318",
        """
        Dear Ms Pemberton,

        EHCP ref: KCC/EHC/2022/03318
        Child: Barnaby Quenby   DOB: 23/08/2012

        Barnaby's school has arranged his annual review meeting. Meeting date: 15 January 2027
        at 14:00 at Seabrook Valley School. Please provide updated OT advice to the school at
        least two weeks before the meeting.

        SEN Assessment and Placement Service, Kent County Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "annual_review"))

    add("waverley-dfg-request", "2026-09-24 14:40", "UK", WAVERLEY, MOT,
        "Disabled Facilities Grant - OT assessment request - Ref: DFG/26/0142",
        """
        Dear Harriet,

        Ref: DFG/26/0142
        Applicant: Mr Alfred Penrose-Vane   DOB: 02/02/1949
        Address: (on file)

        We have received an enquiry for a Disabled Facilities Grant from the above applicant,
        who is finding it increasingly difficult to use the stairs and the bath. Before we can
        consider the application we need an occupational therapy assessment setting out the
        adaptations that are necessary and appropriate, for example a level-access shower and
        a stairlift or through-floor lift.

        Could you let us know whether you can carry out the assessment, and your fee? We would
        aim to have the recommendations by the end of October.

        Kind regards

        Marcus Feeney
        Grants Officer, Private Sector Housing Team
        Waverley Borough Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "adaptation", "request"))

    add("guildford-dfg-approved", "2026-11-11 10:30", "UK", GUILDFORD, MOT,
        "DFG approval - Ref: DFG/GBC/26/0088 - level access shower",
        """
        Dear Ms Pemberton,

        Ref: DFG/GBC/26/0088
        Client: Mrs Winifred Castellow   DOB: 08/09/1944

        I am pleased to tell you that the Disabled Facilities Grant for the above client has
        been approved in the sum of £18,400.00, in line with your recommendations of
        2 September (level access shower, grab rails, widened doorway). The contractor
        expects to start on site on 4 January 2027.

        Please could you confirm the final specification for the shower seat height and the
        grab rail positions before the pre-start meeting?

        Regards,

        Home Improvement Agency
        Guildford Borough Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "adaptation", "approved"))

    add("wsx-home-adaptation", "2026-10-30 13:55", "UK", WSX_ASC, MOT,
        "Home adaptation - request for OT recommendations - Ref: HA-2026-3318",
        """
        Hello Harriet,

        Ref: HA-2026-3318
        Client: Mr Desmond Arkwright-Lyle   DOB: 14/05/1952

        We are commissioning an independent occupational therapist to assess the above client
        for major home adaptations (ramped access and a ground-floor bathroom extension)
        under our housing adaptations pathway, as our own waiting list is currently 14 weeks.

        If you are able to take this on, please reply with your earliest date. A purchase
        order will follow once you accept.

        Kind regards,

        Adult Social Care OT Service, West Sussex County Council
        """ + COUNCIL_FOOTER,
        label=("local_authority", "adaptation", "request"))
