#!/usr/bin/env python3
"""Build the three demo practices' sample mailboxes, calendars and labels.

Each demo practice (``examples/practices/<practice>/``) gets its own week and more of mail,
addressed to its own practitioner, and its own calendar:

* ``sports-medicine-us``: Riverside Sports Medicine (US), riverside-sportsmed.example: payers and
  imaging benefit managers, teams and schools, DEA, CAQH, the state board;
* ``occupational-therapy-uk``: Meadowbank Occupational Therapy (England), meadowbank-ot.example:
  councils and EHCPs, solicitors and medico-legal agencies, NHS and GP referrals, case managers,
  HCPC, UK insurers;
* ``integrative-medicine``: Lotus Integrative Health (Portland, Oregon),
  lotus-integrative.example: specialist labs, dispensaries and recalls, allied practitioners,
  journals, CME.

Whom the mail is addressed to comes from each practice's ``chief.toml`` (``[practice]
practitioner``, ``email`` and ``own_domains``): the configuration is the one source of truth,
and a message belongs to the practice whose own domain it is addressed (or delivered) to.

Every person, patient, date of birth, reference number, firm, school, club and clinic in here is
invented. Real organisation domains (payers, councils, labs, licensing bodies, nhs.net) appear
only as the sending organisation, with invented mailbox names and invented content.

The script is deterministic: no clock, no randomness, fixed MIME boundaries. Running it twice
gives byte-identical files. It writes, for each practice:

* ``<out>/<practice>/mailbox/new/NNNN-slug``: one RFC 5322 message per file, numbered by date;
* ``<out>/<practice>/calendar.ics``: the practitioner's own calendar (clinic days, team
  fixtures, home visits, appointments);

and ``<labels>``: ``practice,file,category,case_kind,event`` (empty for noise).

Usage: ``python examples/build_sample_mailbox.py [--out DIR] [--labels FILE]``
(defaults: ``examples/practices`` and ``examples/mailbox-labels.csv``)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as _default_policy
from email.utils import format_datetime, formataddr
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
POLICY = _default_policy.clone(linesep="\n", max_line_length=78)  # for writing: headers fold at 78
_BUILD_POLICY = POLICY.clone(max_line_length=998)  # bodies keep their own lines unless told

TZ = {
    "PT": ZoneInfo("America/Los_Angeles"),
    "MT": ZoneInfo("America/Denver"),
    "CT": ZoneInfo("America/Chicago"),
    "ET": ZoneInfo("America/New_York"),
    "UK": ZoneInfo("Europe/London"),
    "UTC": ZoneInfo("UTC"),
}

# --------------------------------------------------------------------------- the practices
PRACTICES_DIR = HERE / "practices"
PRACTICE_NAMES = ("sports-medicine-us", "occupational-therapy-uk", "integrative-medicine")


def _practice_section(practice: str) -> dict:
    """The ``[practice]`` table of a demo practice's chief.toml."""
    text = (PRACTICES_DIR / practice / "chief.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["practice"]


def _practitioner(practice: str) -> tuple[str, str]:
    """Whom the practice's mail is addressed to: its configured practitioner and address."""
    section = _practice_section(practice)
    return section["practitioner"], section["email"]


# The domains each practice calls its own, from its chief.toml: a message belongs to the
# practice whose domain it is addressed or delivered to.
OWN_DOMAINS = {
    domain.lower(): practice
    for practice in PRACTICE_NAMES
    for domain in (
        *_practice_section(practice).get("own_domains", ()),
        _practitioner(practice)[1].rpartition("@")[2],
    )
}

RSM = _practitioner("sports-medicine-us")
RSM_BILL = ("Riverside Sports Medicine Billing", "billing@riverside-sportsmed.example")
RSM_PM = ("Rosa Delgado", "rdelgado@riverside-sportsmed.example")
RSM_FRONT = ("Front Desk", "frontdesk@riverside-sportsmed.example")
MOT = _practitioner("occupational-therapy-uk")
MOT_ADMIN = ("Gwen Tillotson", "admin@meadowbank-ot.example")
LOTUS = _practitioner("integrative-medicine")
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


def _unindent(text: str) -> str:
    """Remove the source indentation (that of the first non-blank line) from every line; a
    footer appended without indentation is left alone."""
    lines = text.strip("\n").split("\n")
    first = next((ln for ln in lines if ln.strip()), "")
    width = len(first) - len(first.lstrip(" "))
    out = []
    for ln in lines:
        lead = len(ln) - len(ln.lstrip(" "))
        out.append(ln[min(lead, width) :].rstrip())
    return "\n".join(out) + "\n"


def add(
    slug: str,
    when: str,
    tz: str,
    frm: tuple[str, str],
    to,
    subject: str,
    body=None,
    label: tuple[str, str, str] = ("", "", ""),
    **kw,
) -> Spec:
    if slug in SPECS:
        raise ValueError(f"duplicate slug {slug}")
    if isinstance(to, tuple):
        to = [to]
    if body is not None:
        body = _unindent(body)
    html = kw.pop("html", None)
    if html is not None:
        html = _unindent(html)
    spec = Spec(
        slug=slug,
        when=when,
        tz=tz,
        frm=frm,
        to=list(to),
        subject=subject,
        body=body,
        html=html,
        label=label,
        **kw,
    )
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
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
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


def invite(
    uid: str,
    summary: str,
    location: str,
    start: str,
    end: str,
    organizer: tuple[str, str],
    attendees: list[tuple[str, str]],
    tzid: str | None = None,
    sequence: int = 0,
    description: str = "",
    stamp: str = "20260901T000000Z",
) -> str:
    """An iTIP REQUEST with one VEVENT. ``start``/``end`` are ``YYYYMMDDTHHMMSS`` (local to
    ``tzid``) or end in ``Z`` for UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Sample Mailbox//Practice Chief//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
    ]
    if tzid:
        lines.extend(_VTZ[tzid].split("\n"))
    lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}"]
    if tzid:
        lines += [f"DTSTART;TZID={tzid}:{start}", f"DTEND;TZID={tzid}:{end}"]
    else:
        lines += [f"DTSTART:{start}", f"DTEND:{end}"]
    lines += [
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{_ics_escape(summary)}",
        f"LOCATION:{_ics_escape(location)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{_ics_escape(description)}")
    lines.append(f"ORGANIZER;CN={_ics_escape(organizer[0])}:mailto:{organizer[1]}")
    for name, addr in attendees:
        lines.append(
            f"ATTENDEE;CN={_ics_escape(name)};ROLE=REQ-PARTICIPANT;"
            f"PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{addr}"
        )
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
        return (
            f"From: {name} <{addr}>\nSent: {dt.strftime('%A, %B')} {dt.day}, "
            f"{dt.strftime('%Y %I:%M %p')}\nTo: {', '.join(a for _, a in parent.to)}\n"
            f"Subject: {parent.subject}\n"
        )
    if style == "apple":
        when = f"{dt.day} {dt.strftime('%b %Y')}, at {dt.strftime('%H:%M')}"
        return f"On {when}, {name} <{addr}> wrote:\n"
    return (
        f"On {dt.strftime('%a')}, {dt.day} {dt.strftime('%b %Y')} at {dt.strftime('%H:%M')}, "
        f"{name} <{addr}> wrote:\n"
    )


def _plain_of(spec: Spec) -> str:
    if spec.body is not None:
        return spec.body
    import re

    text = re.sub(r"<br\s*/?>|</p>|</tr>|</h[1-4]>|</li>", "\n", spec.html or "")
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("&amp;", "&").replace("&nbsp;", " ").replace("&pound;", "£")
    return (
        re.sub(r"\n\s*\n+", "\n\n", "\n".join(t.strip() for t in text.split("\n"))).strip() + "\n"
    )


def full_text(spec: Spec) -> str:
    """The plain text of a message as sent: own words, then any quote or forward."""
    text = _plain_of(spec)
    if spec.fwd:
        f = spec.fwd
        if spec.fwd_style == "outlook":
            text += (
                f"\n-----Original Message-----\nFrom: {f['frm']}\nSent: {f['date']}\n"
                f"To: {f['to']}\nSubject: {f['subject']}\n\n" + _unindent(f["body"])
            )
        else:
            text += (
                f"\n---------- Forwarded message ---------\nFrom: {f['frm']}\n"
                f"Date: {f['date']}\nSubject: {f['subject']}\nTo: {f['to']}\n\n"
                + _unindent(f["body"])
            )
    if spec.quote and spec.parent:
        parent = SPECS[spec.parent]
        quoted = full_text(parent)
        if spec.quote == "outlook":
            text += "\n________________________________\n" + _quote_header(parent, "outlook") + "\n"
            text += quoted
        else:
            text += "\n" + _quote_header(parent, spec.quote)
            text += "".join(
                ("> " + ln if ln.strip() else ">") + "\n" for ln in quoted.rstrip("\n").split("\n")
            )
    return text


def build(spec: Spec) -> bytes:
    msg = EmailMessage(policy=_BUILD_POLICY)
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
            msg.add_attachment(
                spec.ics.encode("utf-8"),
                maintype="application",
                subtype="ics",
                filename="invite.ics",
            )
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
    add(
        "aetna-pa-received",
        "2026-09-03 10:14",
        "ET",
        AETNA,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"),
    )

    add(
        "aetna-pa-pended",
        "2026-09-08 15:40",
        "ET",
        AETNA,
        RSM_BILL,
        "Precertification pended - additional information needed - "
        "Authorization #: PA-2026-0412345",
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "pended"),
        parent="aetna-pa-received",
    )

    add(
        "aetna-pa-approved",
        "2026-09-16 11:02",
        "ET",
        AETNA,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "approved"),
        parent="aetna-pa-pended",
    )

    # Thread 2: UHC PRP request -> denied -> appeal upheld
    add(
        "uhc-pa-received",
        "2026-09-09 09:31",
        "CT",
        UHC,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"),
    )

    add(
        "uhc-pa-denied",
        "2026-09-15 16:05",
        "CT",
        UHC,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "denied"),
        parent="uhc-pa-received",
        pdfs=["UHC-PA-7731920_adverse_determination.pdf"],
    )

    add(
        "uhc-pa-appeal-upheld",
        "2026-10-29 13:48",
        "CT",
        UHC,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "appeal_upheld"),
        parent="uhc-pa-denied",
        quote="outlook",
    )

    # Thread 3: eviCore MRI received -> pended -> denied -> reconsideration approved
    add(
        "evicore-mri-received",
        "2026-09-10 08:22",
        "ET",
        EVICORE,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"),
    )

    add(
        "evicore-mri-pended",
        "2026-09-14 12:10",
        "ET",
        EVICORE,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "pended"),
        parent="evicore-mri-received",
    )

    add(
        "evicore-mri-denied",
        "2026-09-18 17:31",
        "ET",
        EVICORE,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "denied"),
        parent="evicore-mri-pended",
    )

    add(
        "evicore-mri-appeal-overturned",
        "2026-10-20 10:45",
        "ET",
        CIGNA,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "appeal_overturned"),
        parent="evicore-mri-denied",
        quote="gmail",
    )

    # Thread 4: Cigna precert acknowledged -> approved (HTML-only portal mail)
    add(
        "cigna-pa-received",
        "2026-10-05 09:03",
        "ET",
        CIGNA,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"),
    )

    add(
        "cigna-pa-approved",
        "2026-10-08 14:26",
        "ET",
        CIGNA,
        RSM_BILL,
        "Precertification decision - Case ID: CGN-PA-4410983",
        None,
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
        fmt="html",
        label=("payer", "prior_auth", "approved"),
        parent="cigna-pa-received",
    )

    # Thread 5: Humana Medicare Advantage expedited request -> approved within 72 hours
    add(
        "humana-pa-expedited",
        "2026-10-12 18:40",
        "ET",
        HUMANA,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"),
    )

    add(
        "humana-pa-approved",
        "2026-10-14 11:15",
        "ET",
        HUMANA,
        RSM_BILL,
        "Authorization approved - HUM-PA-2026-5530127",
        """
        Humana Clinical Intake

        Authorization number: HUM-PA-2026-5530127
        Member: Priscilla Vantongeren   DOB: 06/18/1959
        Decision: Approved (expedited review)
        Approved services: 20611 x1; 76882 x1
        Effective 10/14/2026 - 11/13/2026

        Humana Clinical Intake Team
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "approved"),
        parent="humana-pa-expedited",
    )

    add(
        "anthem-pa-denied",
        "2026-10-19 15:52",
        "PT",
        ANTHEM_UM,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "denied"),
    )

    # Thread 6: Anthem claim denied CO-197 -> appeal overturned
    add(
        "anthem-claim-denied-co197",
        "2026-09-22 07:58",
        "PT",
        ANTHEM_CLAIMS,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "denied"),
        fmt="qp",
    )

    add(
        "anthem-claim-appeal-overturned",
        "2026-11-10 09:20",
        "PT",
        ANTHEM_CLAIMS,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "appeal_overturned"),
        parent="anthem-claim-denied-co197",
        quote="gmail",
        fmt="qp",
    )

    # Thread 7: Noridian claim denied CO-50 -> redetermination unfavourable
    add(
        "noridian-claim-co50",
        "2026-09-25 11:37",
        "CT",
        NORIDIAN,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "denied"),
    )

    add(
        "noridian-redetermination",
        "2026-11-18 10:03",
        "CT",
        NORIDIAN,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "appeal_upheld"),
        parent="noridian-claim-co50",
    )

    # UHC claim acknowledgement -> EOB
    add(
        "uhc-claim-ack",
        "2026-09-04 06:12",
        "CT",
        UHC,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "acknowledged"),
        fmt="b64",
    )

    add(
        "uhc-claim-eob",
        "2026-09-24 05:50",
        "CT",
        UHC,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "paid"),
        parent="uhc-claim-ack",
    )

    add(
        "cigna-claim-co29",
        "2026-10-01 08:44",
        "ET",
        CIGNA_CLAIMS,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "denied"),
    )

    add(
        "aetna-claim-ack",
        "2026-10-07 07:01",
        "ET",
        AETNA_CLAIMS,
        RSM_BILL,
        "We received your claim - Claim ID: CLM-55310267",
        """
        Aetna - claim received

        Claim ID: CLM-55310267
        Member: Marisol Quintanar-Bly   DOB: 11/02/1988
        Date of service: 09/29/2026
        Services: 20611 RT (Authorization #: PA-2026-0412345), 99213-25

        Your claim was received on 10/06/2026 and is being processed.
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "acknowledged"),
    )

    add(
        "aetna-remittance",
        "2026-10-21 04:30",
        "ET",
        AETNA_CLAIMS,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "paid"),
    )

    add(
        "humana-claim-records",
        "2026-10-26 13:12",
        "ET",
        HUMANA_CLAIMS,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "info_requested"),
        pdfs=["Humana_records_request_cover.pdf"],
    )

    add(
        "uhc-claim-co16",
        "2026-11-03 06:05",
        "CT",
        UHC,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "denied"),
    )

    add(
        "anthem-eop",
        "2026-11-12 05:45",
        "PT",
        ANTHEM_CLAIMS,
        RSM_BILL,
        "Your Explanation of Payment is ready - Claim number: CLM-88640115",
        """
        Anthem Blue Cross - Explanation of Payment

        Claim number: CLM-88640115
        Patient: Rafferty Obuya   DOB: 09/30/1968
        Date of service: 10/27/2026 - 99213
        Paid amount: $97.26
        Patient responsibility: $25.00 (copay)
        """
        + PAYER_FOOTER,
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
        fmt="alt",
        label=("payer", "claim", "paid"),
    )

    add(
        "carelon-pa-received",
        "2026-11-16 09:14",
        "CT",
        CARELON,
        RSM_BILL,
        "Order request received - Reference number: CRL-2026-7740215",
        """
        Carelon Medical Benefits Management (for Anthem Blue Cross)

        Reference number: CRL-2026-7740215
        Patient: Lucía Ferreño-Vask   DOB: 05/14/1992
        Exam requested: 73221 MRI upper extremity joint without contrast (right shoulder)
        Ordering provider: Nathaniel Brandt, MD

        We have received this prior authorization request. Most requests are decided within
        2 business days once all clinical information is received.
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"),
    )

    add(
        "carelon-pa-pended",
        "2026-11-19 15:33",
        "CT",
        CARELON,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "pended"),
        parent="carelon-pa-received",
        quote="outlook",
    )

    add(
        "fwd-noridian-remit",
        "2026-10-09 12:48",
        "PT",
        RSM_PM,
        RSM,
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
        fwd={
            "frm": "Noridian JE Part B <jeb-notices@noridian.com>",
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
             """,
        },
        label=("payer", "claim", "denied"),
    )

    add(
        "aetna-appeal-received",
        "2026-11-06 10:30",
        "ET",
        AETNA_CLAIMS,
        RSM_BILL,
        "Appeal received - Appeal ID: APL-2026-330981",
        """
        Aetna Provider Appeals

        We received your request for a provider appeal.

        Appeal ID: APL-2026-330981
        Claim ID: CLM-55290014
        Member: Brennan Holloway-Sike   DOB: 12/01/1981
        Date received: 11/04/2026

        We will send our decision within 60 calendar days of receipt.
        """
        + PAYER_FOOTER,
        label=("payer", "claim", "appeal_received"),
    )

    add(
        "aetna-pa-required",
        "2026-11-20 08:55",
        "ET",
        AETNA,
        RSM_BILL,
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
        """
        + PAYER_FOOTER,
        label=("payer", "prior_auth", "requested"),
    )


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
    add(
        "bupa-preauth-request",
        "2026-09-11 10:20",
        "UK",
        BUPA,
        MOT_ADMIN,
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
        """
        + UK_INSURER_FOOTER,
        label=("payer", "insured_treatment", "requested"),
    )

    add(
        "bupa-preauth-approved",
        "2026-09-17 14:05",
        "UK",
        BUPA,
        MOT_ADMIN,
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
        """
        + UK_INSURER_FOOTER,
        label=("payer", "insured_treatment", "approved"),
        parent="bupa-preauth-request",
        quote="outlook",
    )

    add(
        "axa-info-needed",
        "2026-10-02 09:41",
        "UK",
        AXA,
        MOT,
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
        """
        + UK_INSURER_FOOTER,
        label=("payer", "insured_treatment", "info_requested"),
    )

    add(
        "axa-authorised",
        "2026-10-13 11:18",
        "UK",
        AXA,
        MOT,
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
        """
        + UK_INSURER_FOOTER,
        label=("payer", "insured_treatment", "approved"),
        parent="axa-info-needed",
        quote="apple",
    )

    add(
        "aviva-declined",
        "2026-10-22 15:02",
        "UK",
        AVIVA,
        MOT_ADMIN,
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
        """
        + UK_INSURER_FOOTER,
        label=("payer", "insured_treatment", "denied"),
    )

    add(
        "vitality-preauth-confirmed",
        "2026-11-05 08:36",
        "UK",
        VITALITY,
        MOT_ADMIN,
        "Pre-authorisation confirmed - Authorisation code: VIT-8823104",
        None,
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
        fmt="html",
        label=("payer", "insured_treatment", "approved"),
    )

    add(
        "bupa-remittance",
        "2026-10-28 06:00",
        "UK",
        BUPA_PAY,
        MOT_ADMIN,
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
        """
        + UK_INSURER_FOOTER,
        label=("payer", "claim", "paid"),
    )

    add(
        "axa-invoice-rejected",
        "2026-11-20 12:30",
        "UK",
        AXA,
        MOT,
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
        """
        + UK_INSURER_FOOTER,
        label=("payer", "claim", "denied"),
    )


# --------------------------------------------------------------------------- solicitors
HL = ("Jessica Sandford", "j.sandford@harcourtlyle.example")
HL_TRAINEE = ("Oliver Brannigan", "o.brannigan@harcourtlyle.example")
HL_ACCOUNTS = ("Harcourt Lyle Accounts", "accounts@harcourtlyle.example")
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
    add(
        "hl-expert-enquiry",
        "2026-09-02 11:47",
        "UK",
        HL,
        MOT,
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
        """
        + HL_SIG,
        label=("solicitor", "medico_legal", "enquiry"),
    )

    add(
        "hl-letter-of-instruction",
        "2026-09-10 16:20",
        "UK",
        HL,
        MOT,
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
        """
        + HL_SIG,
        label=("solicitor", "medico_legal", "instruction"),
        parent="hl-expert-enquiry",
        pdfs=["HL-4471-JS Letter of Instruction.pdf", "HL-4471-JS Records Bundle.pdf"],
    )

    add(
        "hl-chaser-1",
        "2026-10-15 09:05",
        "UK",
        HL_TRAINEE,
        MOT,
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
        label=("solicitor", "medico_legal", "chaser"),
        parent="hl-letter-of-instruction",
        quote="outlook",
        cc=[HL],
    )

    add(
        "hl-chaser-2",
        "2026-11-09 14:32",
        "UK",
        HL,
        MOT,
        "URGENT - RE: Expert enquiry - care and OT needs report - Our ref: HL/4471/JS",
        """
        Harriet

        Further to Oliver's email below, could you let us have an update on the report? The
        court has ordered that the Claimant's expert evidence be served by 18 December 2026
        and we need time to review the report and take our client's instructions on it.

        Please call me if there is a problem.

        Jess
        """
        + HL_SIG,
        label=("solicitor", "medico_legal", "chaser"),
        parent="hl-chaser-1",
        quote="gmail",
    )

    add(
        "pg-letter-of-instruction",
        "2026-09-18 12:10",
        "UK",
        PG,
        MOT,
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
        """
        + PG_SIG,
        label=("solicitor", "medico_legal", "instruction"),
        pdfs=["PG-CN-22871 instruction letter.pdf"],
    )

    add(
        "pg-part35-questions",
        "2026-11-02 10:55",
        "UK",
        PG,
        MOT,
        "RE: Letter of instruction - Siobhan Larkspur-Reid - Our ref: PG/CN/22871 - "
        "Part 35 questions",
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
        """
        + PG_SIG,
        label=("solicitor", "medico_legal", "part35_questions"),
        parent="pg-letter-of-instruction",
        pdfs=["Defendant CPR 35.6 questions.pdf"],
    )

    add(
        "mml-new-instruction",
        "2026-09-23 08:15",
        "UK",
        MML,
        MOT,
        "New instruction - Ref MML-260923-OT - Mr Oluwaseun Brightwater",
        None,
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
        fmt="html",
        label=("solicitor", "medico_legal", "instruction"),
    )

    add(
        "mml-appointment-chaser",
        "2026-10-06 13:40",
        "UK",
        MML,
        MOT,
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
        label=("solicitor", "medico_legal", "chaser"),
        parent="mml-new-instruction",
    )

    add(
        "mml-fee-paid",
        "2026-11-17 07:30",
        "UK",
        MML,
        MOT,
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
        label=("solicitor", "medico_legal", "fee_payment"),
    )

    add(
        "mtl-records-request",
        "2026-09-29 15:12",
        "UK",
        MTL,
        MOT_ADMIN,
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
        pdfs=["Form of authority - Hollowell.pdf"],
    )

    add(
        "mtl-records-chaser",
        "2026-11-02 09:20",
        "UK",
        MTL,
        MOT_ADMIN,
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
        label=("solicitor", "medico_legal", "chaser"),
        parent="mtl-records-request",
        quote="outlook",
    )

    add(
        "kil-hearing-date",
        "2026-10-08 17:02",
        "UK",
        KIL,
        MOT,
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
        label=("solicitor", "medico_legal", "hearing"),
    )

    add(
        "kil-settlement",
        "2026-11-13 12:44",
        "UK",
        KIL,
        MOT,
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
        label=("solicitor", "medico_legal", "settlement"),
        parent="kil-hearing-date",
        quote="apple",
    )

    add(
        "aes-instruction-enquiry",
        "2026-10-20 10:01",
        "UK",
        AES,
        MOT,
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
        label=("solicitor", "medico_legal", "enquiry"),
    )

    add(
        "fwd-aes-letter-of-instruction",
        "2026-10-27 16:22",
        "UK",
        MOT_ADMIN,
        MOT,
        "Fwd: Letter of instruction - Our ref: AES/55102 - Jasper Oakridge-Fell",
        """
        Harriet - the formal instructions for the Apex paediatric case came in to the admin
        inbox, forwarded below. I've saved the bundle to the case folder. Do you want me to
        offer the 10th or 17th November for the assessment?

        Gwen
        """,
        fwd={
            "frm": "Apex Expert Services <newinstructions@apexexperts.example>",
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
             """,
        },
        label=("solicitor", "medico_legal", "instruction"),
        pdfs=["AES-55102 Letter of Instruction.pdf"],
    )

    add(
        "bc-records-request-us",
        "2026-10-14 14:09",
        "PT",
        BC,
        RSM_FRONT,
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
        pdfs=["HIPAA authorization - Holloway-Sike.pdf"],
    )

    add(
        "pg-fee-payment",
        "2026-11-20 11:05",
        "UK",
        PG,
        MOT,
        "Your invoice INV-MOT-0944 - Our ref: PG/CN/22871",
        """
        Dear Ms Pemberton,

        Our ref: PG/CN/22871

        Thank you for your invoice INV-MOT-0944 for your report in this matter. We confirm
        that payment of £1,200.00 has been made today by BACS to the account ending 4417.

        Yours sincerely,
        """
        + PG_SIG,
        label=("solicitor", "medico_legal", "fee_payment"),
    )

    # An invoice acknowledged but not yet paid: an outstanding fee in the payment positions.
    add(
        "hl-invoice-received",
        "2026-11-23 09:15",
        "UK",
        HL_ACCOUNTS,
        MOT,
        "Your invoice INV-MOT-0907 - Our ref: HL/4471/JS",
        """
        Dear Ms Pemberton,

        Our ref: HL/4471/JS

        Thank you for your invoice INV-MOT-0907 dated 2 October 2026 for £1,850.00 for your
        care and occupational therapy needs report in this matter.

        The invoice has been passed to our accounts team. Under our agreement with the client's
        insurer, expert fees are paid on receipt of the insurer's funds, and we will let you
        know when the fee is paid.

        Kind regards,

        Accounts Department
        Harcourt Lyle LLP
        """,
        label=("solicitor", "medico_legal", "correspondence"),
    )


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
    add(
        "surrey-ehc-advice",
        "2026-09-07 13:30",
        "UK",
        SURREY,
        MOT,
        "EHC needs assessment – request for advice – EHCP ref: EHC/2026/01234",
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "advice_request"),
        pdfs=["EHC_2026_01234 professional advice template.pdf"],
    )

    add(
        "surrey-advice-overdue",
        "2026-10-21 10:12",
        "UK",
        SURREY,
        MOT,
        "RE: EHC needs assessment – request for advice – EHCP ref: EHC/2026/01234 - OVERDUE",
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "chaser"),
        parent="surrey-ehc-advice",
        quote="outlook",
    )

    add(
        "hants-advice-request",
        "2026-09-21 09:02",
        "UK",
        HANTS,
        MOT,
        "Request for occupational therapy advice - EHC needs assessment - "
        "Our Ref: SEN/EHC/2026/0781",
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "advice_request"),
    )

    add(
        "hants-draft-plan",
        "2026-11-16 15:44",
        "UK",
        HANTS,
        MOT,
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "draft_plan"),
        parent="hants-advice-request",
        pdfs=["Draft EHC plan SEN-EHC-2026-0781.pdf"],
    )

    ar_ics = invite(
        "wscc-ar-04412-20261124@westsussex.gov.uk",
        "Annual review meeting - EHCP WSCC-EHC-2019-04412",
        "Microsoft Teams meeting",
        "20261124T100000",
        "20261124T113000",
        WSX,
        [MOT, ("Parent", "parent.calloway@homemail.example")],
        tzid="Europe/London",
        description="Annual review of the EHC plan. Advice due two weeks before the meeting.",
        stamp="20261005T101500Z",
    )
    add(
        "wsx-annual-review-invite",
        "2026-10-05 11:15",
        "UK",
        WSX,
        MOT,
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "annual_review"),
        ics=ar_ics,
        ics_style="attach",
        fmt="qp",
    )

    add(
        "norfolk-advice-request",
        "2026-10-12 08:50",
        "UK",
        NORFOLK,
        MOT,
        "EHC needs assessment – request for advice – Case reference: NCC-EHC-26-01544",
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "advice_request"),
        fmt="b64",
    )

    add(
        "norfolk-advice-reminder",
        "2026-11-18 09:30",
        "UK",
        NORFOLK,
        MOT,
        "Reminder: advice due - Case reference: NCC-EHC-26-01544",
        """
        Dear Professional,

        Case reference: NCC-EHC-26-01544
        Young person: Kacper Żelazny-Brook

        This is a reminder that your advice for the above EHC needs assessment is due by
        23 November 2026. If you have already sent it, thank you, and please ignore this
        message.

        Norfolk SEND Statutory Assessment Team
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "chaser"),
        parent="norfolk-advice-request",
    )

    add(
        "bristol-annual-review",
        "2026-09-15 12:00",
        "UK",
        BRISTOL,
        MOT,
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "annual_review"),
    )

    add(
        "bristol-amended-plan",
        "2026-11-06 14:27",
        "UK",
        BRISTOL,
        MOT,
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "amended_plan"),
        parent="bristol-annual-review",
        pdfs=["Amendment notice BCC-EHC-2021-00877.pdf"],
    )

    add(
        "kent-advice-request",
        "2026-10-26 10:05",
        "UK",
        KENT,
        MOT,
        "Request for advice - EHC needs assessment - KCC/EHC/2026/10452",
        None,
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
        fmt="html",
        label=("local_authority", "ehcp", "advice_request"),
    )

    add(
        "bhcc-tribunal-evidence",
        "2026-11-04 16:18",
        "UK",
        BHCC,
        MOT,
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "tribunal"),
    )

    add(
        "surrey-final-plan",
        "2026-11-20 11:40",
        "UK",
        SURREY,
        MOT,
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "final_plan"),
        pdfs=["Final EHC plan EHC-2026-00419.pdf"],
    )

    add(
        "rbwm-annual-review",
        "2026-11-09 12:25",
        "UK",
        RBWM,
        MOT,
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "annual_review"),
    )

    add(
        "kent-annual-review",
        "2026-11-19 09:10",
        "UK",
        KENT,
        MOT,
        "Annual review - Barnaby Quenby - EHCP ref: KCC/EHC/2022/03318",
        """
        Dear Ms Pemberton,

        EHCP ref: KCC/EHC/2022/03318
        Child: Barnaby Quenby   DOB: 23/08/2012

        Barnaby's school has arranged his annual review meeting. Meeting date: 15 January 2027
        at 14:00 at Seabrook Valley School. Please provide updated OT advice to the school at
        least two weeks before the meeting.

        SEN Assessment and Placement Service, Kent County Council
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "ehcp", "annual_review"),
    )

    add(
        "waverley-dfg-request",
        "2026-09-24 14:40",
        "UK",
        WAVERLEY,
        MOT,
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "adaptation", "request"),
    )

    add(
        "guildford-dfg-approved",
        "2026-11-11 10:30",
        "UK",
        GUILDFORD,
        MOT,
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "adaptation", "approved"),
    )

    add(
        "wsx-home-adaptation",
        "2026-10-30 13:55",
        "UK",
        WSX_ASC,
        MOT,
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
        """
        + COUNCIL_FOOTER,
        label=("local_authority", "adaptation", "request"),
    )


# --------------------------------------------------------------------------- referrals
GP_MAINWARING = ("Dr Hollis Mainwaring", "hollis.mainwaring@nhs.net")
ORTHO = ("Malcolm Feverel, MD", "mfeverel@inland-ortho.example")
NORTHGATE = ("Northgate Physical Therapy", "referrals@northgate-pt.example")
BRIDGEWAY = ("Fenella Curwen", "fenella.curwen@bridgeway-cm.example")
COACH = ("Dmitri Varga", "coach.dmitri.varga@coachmail.example")
WILLOW = ("Willow Point Acupuncture", "hello@willowpoint-acu.example")
HARBOURSIDE = ("Gethin Morgan-Price", "gethin@harbourside-osteo.example")
ROOTED = ("Saffron Ellery, RDN", "saffron@rootednutrition.example")
RHEUM = ("Dr Aurelia Stokeswood", "aurelia.stokeswood@nhs.net")
CARDIO = ("Yusuf Kaltenbach, MD", "ykaltenbach@pacificheart.example")
TRAINER = ("Jordan Pike", "jordan@ironpulse-training.example")
GP_BEAUMONT = ("Dr Lavinia Beaumont-Quayle", "lavinia.beaumont-quayle@nhs.net")
TV_PHYSIO = ("Thames Valley Physio", "clinic@thamesvalleyphysio.example")


def referrals() -> None:
    add(
        "gp-referral-handwriting",
        "2026-09-04 12:31",
        "UK",
        GP_MAINWARING,
        MOT_ADMIN,
        "Referral: paediatric OT assessment - fine motor and handwriting",
        """
        Dear Colleague

        Re: Wilfred Stanhope-Ley   DOB: 12/10/2016
        NHS No: 999 123 4567
        Referral ref: RWV-26-0911

        Thank you for seeing this 9 year old boy whose parents are requesting a private
        occupational therapy assessment. School report difficulties with handwriting speed,
        fatigue when writing and poor pencil grip; there are also concerns about dressing
        (buttons, laces). He was born at term; developmental milestones were slightly delayed
        for motor skills. No significant past medical history. No medication.

        The NHS community paediatric OT waiting list is currently over 40 weeks and the family
        would prefer to be seen sooner. I would be grateful for your assessment and advice.

        Yours sincerely

        Dr Hollis Mainwaring MBBS MRCGP
        Wellstead Surgery, Farnham
        This email is sent via NHSmail. Confidential: contains patient identifiable data.
        """,
        label=("referral", "referral", "new"),
        pdfs=["Referral letter - RWV-26-0911.pdf"],
    )

    add(
        "gp-referral-update",
        "2026-10-07 08:49",
        "UK",
        GP_MAINWARING,
        MOT_ADMIN,
        "RE: Referral: paediatric OT assessment - fine motor and handwriting",
        """
        Dear Harriet

        Re: Wilfred Stanhope-Ley   DOB: 12/10/2016

        Thank you for your letter following your assessment. I note your recommendation for
        a block of 6 sessions and a sensory questionnaire for school. His mother also asked me
        to let you know that he has now been referred to the community paediatrician about
        possible developmental coordination disorder, so you may receive a request for your
        report from that team.

        Kind regards

        Hollis Mainwaring
        """,
        label=("referral", "referral", "update"),
        parent="gp-referral-handwriting",
        quote="outlook",
    )

    add(
        "ortho-referral-acl",
        "2026-09-14 17:20",
        "PT",
        ORTHO,
        RSM,
        "Referral - Caleb Wintermoor - ACL reconstruction, return-to-sport oversight",
        """
        Nate,

        Referring Caleb to you for return-to-sport oversight after his left ACL
        reconstruction (BTB autograft, 06/03/2026).

        Patient: Caleb Wintermoor   DOB: 04/17/2009
        Sport: high school football (RB) and track
        Referral ref: IOA-RF-40913

        He's 15 weeks out, doing well in PT, quad index about 70%. Family is pushing for a
        spring track return; I'd like objective RTS testing at 6 and 9 months and your
        read on his readiness. Op note and last two clinic notes attached.

        Thanks,
        Malcolm

        Malcolm Feverel, MD
        Inland Orthopaedic Associates | Sports & Arthroscopy
        """,
        label=("referral", "referral", "new"),
        pdfs=["Wintermoor op note.pdf"],
    )

    add(
        "ortho-update-acl",
        "2026-10-26 07:55",
        "PT",
        ORTHO,
        RSM,
        "Re: Referral - Caleb Wintermoor - ACL reconstruction, return-to-sport oversight",
        """
        Thanks for seeing Caleb and for the detailed note. Agree with holding cutting
        drills until his hop symmetry is >90%. I saw him yesterday: graft feels solid, no
        effusion. Next visit with me is in January. Clinic note attached.

        M.
        """,
        label=("referral", "referral", "update"),
        parent="ortho-referral-acl",
        quote="gmail",
        pdfs=["Wintermoor clinic note 2026-10-25.pdf"],
    )

    add(
        "pt-referral-plantar",
        "2026-09-30 10:02",
        "PT",
        NORTHGATE,
        RSM_FRONT,
        "New patient referral: Octavia Brambleby (plantar fasciopathy)",
        """
        Hello Riverside team,

        Please schedule the following patient with Dr. Brandt for evaluation and possible
        injection / ultrasound assessment.

        Patient: Octavia Brambleby   DOB: 03/22/1990
        Referral ref: NPT-2026-1187
        Dx: Right plantar fasciopathy, 7 months, no improvement after 8 weeks of PT
        (stretching, loading program, night splint).
        Insurance: Cigna PPO (card copy attached)

        Patient prefers morning appointments. Thank you!

        Northgate Physical Therapy
        Front office | Fax 951-555-0163
        """,
        label=("referral", "referral", "new"),
        pdfs=["Brambleby insurance card.pdf"],
    )

    add(
        "cm-referral-ina",
        "2026-09-22 15:30",
        "UK",
        BRIDGEWAY,
        MOT,
        "New referral - OT assessment - Hamish Calderbrook",
        """
        Dear Harriet,

        I am the case manager for the client below and would like to refer him to you for an
        occupational therapy initial needs assessment.

        Client: Hamish Calderbrook   DOB: 28/06/1979
        Referral ref: BCM-0926-114
        Injury: moderate traumatic brain injury (cycle v car, May 2026)
        Funding: interim payment via the claimant's solicitors

        Main concerns: fatigue, planning and organisation, return to work as a surveyor,
        kitchen safety. He lives with his partner in a two-storey house.

        I'd be grateful if you could let me know your availability and fee for the
        assessment. I'm happy to join the first visit.

        Best wishes,

        Fenella Curwen RGN
        Case Manager, Bridgeway Case Management
        """,
        label=("referral", "referral", "new"),
    )

    add(
        "cm-update-funding",
        "2026-11-19 11:08",
        "UK",
        BRIDGEWAY,
        MOT,
        "Re: New referral - OT assessment - Hamish Calderbrook",
        """
        Hi Harriet,

        Quick update: the insurer has agreed funding for the 10 sessions of OT you recommended
        in your INA report. Please go ahead and book with Hamish directly. Invoices to me as
        before, please.

        Best wishes,
        Fenella
        """,
        label=("referral", "referral", "update"),
        parent="cm-referral-ina",
    )

    add(
        "coach-referral-runner",
        "2026-10-03 19:42",
        "PT",
        COACH,
        RSM,
        "can you see one of my runners?",
        """
        hey doc - one of my varsity girls has had shin pain for 3 wks, worse on hills, now
        hurts walking to class. parents asked who to see and i said you.

        Athlete: Tamsin Yardley  DOB: 05/05/2008
        mom's cell is 951-555-0148

        thanks!! - coach V

        Sent from my phone
        """,
        label=("referral", "referral", "new"),
    )

    add(
        "acu-referral-fatigue",
        "2026-10-09 11:25",
        "PT",
        WILLOW,
        LOTUS,
        "Referral – Renée Duchamp-Wilde – integrative work-up for fatigue and GI symptoms",
        """
        Dear Dr. Okafor,

        I'd like to refer a client of mine for an integrative medical evaluation.

        Patient: Renée Duchamp-Wilde   DOB: 04/25/1978

        Renée has been seeing me for acupuncture since June for fatigue, bloating and
        irregular sleep. Her energy has improved modestly but the GI symptoms persist, and
        she hasn't had any lab work in over two years. She'd like a comprehensive work-up,
        including thyroid and iron studies, and to discuss diet.

        She has consented to me sharing my treatment notes, attached.

        Warmly,
        Mei-Lin Arceneaux, L.Ac.
        Willow Point Acupuncture
        """,
        label=("referral", "referral", "new"),
        fmt="qp",
        pdfs=["Treatment summary.pdf"],
    )

    add(
        "osteo-referral-ergonomic",
        "2026-10-16 13:12",
        "UK",
        HARBOURSIDE,
        MOT,
        "Referral for workplace assessment",
        """
        Hi Harriet

        I'm referring a patient who I think would benefit from a workplace / ergonomic OT
        assessment alongside my treatment.

        Patient: Delia Fairweather-Nunn   DOB: 14/01/1985
        Works as a sound engineer, long hours at a mixing desk; recurrent neck and right
        shoulder pain, pins and needles in the right hand at the end of the day.
        Self-funding; happy for you to contact her directly (consent given).

        Cheers
        Gethin

        Gethin Morgan-Price M.Ost
        Harbourside Osteopathy
        Registered with the General Osteopathic Council
        """,
        label=("referral", "referral", "new"),
    )

    add(
        "nutrition-referral-sibo",
        "2026-10-23 09:48",
        "PT",
        ROOTED,
        LOTUS,
        "Referral: Anselm Kettering - please assess for SIBO",
        """
        Hi Dr. Okafor,

        I'm referring a client for medical assessment of suspected SIBO.

        Client: Anselm Kettering   DOB: 09/09/1966
        Symptoms: post-prandial bloating, alternating bowel habit, 4 kg weight loss over
        6 months. Low-FODMAP elimination helped partially.

        I haven't ordered any testing. Given the weight loss I'd appreciate your assessment
        before we go further with dietary changes.

        Thank you!
        Saffron Ellery, RDN
        Rooted Nutrition Co.
        """,
        label=("referral", "referral", "new"),
    )

    add(
        "rheum-referral-splinting",
        "2026-11-02 14:16",
        "UK",
        RHEUM,
        MOT,
        "Private referral for hand therapy and splinting",
        """
        Dear Ms Pemberton

        Patient name: Marjorie Ellingham-Stroud
        Date of birth: 30/09/1956
        NHS No: 999 876 5432

        I would be grateful if you would see this 70 year old lady with rheumatoid arthritis
        affecting both hands (MCP synovitis, early ulnar drift on the right). She would like
        to be seen privately for joint protection advice and resting splints while she waits
        for NHS hand therapy. Current treatment: methotrexate 20 mg weekly, folic acid.

        Yours sincerely

        Dr Aurelia Stokeswood MD FRCP
        Consultant Rheumatologist
        Sent from NHSmail
        """,
        label=("referral", "referral", "new"),
    )

    add(
        "cardio-clearance-update",
        "2026-10-29 16:40",
        "PT",
        CARDIO,
        RSM,
        "Imogen Tarrasch - cardiology follow-up, cleared",
        """
        Dr. Brandt,

        Patient: Imogen Tarrasch   DOB: 02/09/2004

        Thank you for referring Ms. Tarrasch after her exertional palpitations at preseason
        screening. Echocardiogram normal, 14-day monitor showed only isolated PACs, exercise
        test normal. No restriction from a cardiology standpoint; she is cleared to return to
        full training and competition. Full consult note attached.

        Best regards,
        Yusuf Kaltenbach, MD, FACC
        Pacific Heart Partners
        """,
        label=("referral", "referral", "update"),
        pdfs=["Tarrasch cardiology consult.pdf"],
    )

    add(
        "fwd-chiro-referral",
        "2026-11-06 09:05",
        "PT",
        LOTUS_OFF,
        LOTUS,
        "Fwd: New patient referral - Marguerite Oyelaran",
        """
        Dr. O - referral from Cedar Ridge below. I've called the patient and booked her a new
        patient visit on 11/18 at 2 pm. Intake forms sent.

        Tomasz
        """,
        fwd={
            "frm": "Dr. Haskell Brandvold <office@cedarridge-chiro.example>",
            "date": "Thu, Nov 5, 2026 at 4:41 PM",
            "subject": "New patient referral - Marguerite Oyelaran",
            "to": "office@lotus-integrative.example",
            "body": """
             Hello,

             I am referring the patient below for an integrative medicine consultation.

             Patient: Marguerite Oyelaran   DOB: 02/14/1970
             Concerns: chronic widespread pain, poor sleep, perimenopausal symptoms.
             She is interested in a nutritional and hormonal assessment.

             Thank you,
             Dr. Haskell Brandvold, DC
             Cedar Ridge Chiropractic
             """,
        },
        label=("referral", "referral", "new"),
    )

    add(
        "physio-discharge-update",
        "2026-11-17 17:02",
        "UK",
        TV_PHYSIO,
        MOT,
        "Discharge summary - Hamish Calderbrook",
        """
        Dear Harriet,

        Client: Hamish Calderbrook   DOB: 28/06/1979

        For your information, we have discharged Hamish from physiotherapy after 12 sessions.
        Balance and gait are now within normal limits; he is independent with a home exercise
        programme. Ongoing fatigue remains his main barrier to returning to work, which we
        understand you are addressing. Discharge summary attached.

        Kind regards,
        Thames Valley Physio
        """,
        label=("referral", "referral", "update"),
        pdfs=["Calderbrook discharge summary.pdf"],
    )

    add(
        "trainer-referral-shoulder",
        "2026-11-18 20:15",
        "PT",
        TRAINER,
        RSM_FRONT,
        "Referral - client with shoulder pain",
        None,
        html="""
        <div dir="ltr">Hi there,<br><br>I'm a personal trainer at Iron Pulse. I'd like to refer a
        client for a sports medicine evaluation.<br><br>
        <b>Client:</b> Gideon Marchetti-Roe &nbsp;<b>DOB:</b> 10/14/1977<br>
        Right shoulder pain with overhead pressing for ~2 months, now painful at night.
        We've stopped all pressing. He has Anthem PPO.<br><br>
        Could someone call him to book? 951-555-0191.<br><br>
        Thanks,<br>Jordan Pike, CSCS<br>Iron Pulse Training</div>
        """,
        fmt="html",
        label=("referral", "referral", "new"),
    )

    add(
        "gp-referral-sensory",
        "2026-11-21 10:44",
        "UK",
        GP_BEAUMONT,
        MOT_ADMIN,
        "Referral for OT - sensory processing - Posy Athelstan",
        """
        Dear Colleague

        Patient: Posy Athelstan   DOB: 08/08/2019
        NHS No: 999 246 8013

        I would be grateful if you could assess this 7 year old girl whose parents describe
        marked sensory sensitivities (noise, clothing textures), difficulty with toileting and
        meltdowns after school. She is awaiting an autism assessment (waiting time 18 months).
        Her parents are keen to access private OT advice in the meantime.

        With thanks

        Dr Lavinia Beaumont-Quayle
        Salisbury Road Medical Practice
        """,
        label=("referral", "referral", "new"),
    )


# --------------------------------------------------------------------------- sports teams
RCHS_AD = ("Coach Terrence Oyelowo-Banks", "toyelowo-banks@rchs.riverside-usd.example")
RCHS_AT = ("Kelsey Drummond, ATC", "kdrummond@rchs.riverside-usd.example")
RCHS_DISTRICT = ("Riverside USD Contracts Office", "contracts@riverside-usd.example")
ROVERS = ("Riverside Rovers FC - Club Secretary", "secretary@riversiderovers.example")
ROVERS_PHYSIO = ("Ana Lucía Peña", "physio@riversiderovers.example")
CPU_SM = ("Cascade Pacific Sports Medicine", "sportsmed@athletics.cascadepacific.example")
CPU_OPS = ("Bram Whitcombe", "bwhitcombe@athletics.cascadepacific.example")


def teams() -> None:
    add(
        "rchs-fall-schedule",
        "2026-09-01 08:05",
        "PT",
        RCHS_AD,
        RSM,
        "Fall 2026 football schedule - sideline physician coverage",
        """
        Dr. Brandt,

        Thanks again for covering our home games this season. Here is the fall 2026 varsity
        football schedule. We'd love physician coverage for all home games (marked H).

          Fri 09/11  H  vs Canyon Springs       7:00 PM
          Fri 09/18  A  at Mesa Verde           7:00 PM
          Fri 09/25  H  vs Arlington Heights    7:00 PM
          Fri 10/02  H  vs Norte Vista          7:00 PM (Homecoming)
          Fri 10/16  A  at Ramona Hills         7:00 PM
          Fri 10/23  H  vs La Sierra Valley     7:00 PM
          Fri 10/30  H  vs Poly North           7:00 PM (Senior night)

        Kelsey (our ATC) will be on the sideline for every game. I'll send calendar invites
        for each home game. Full fixture list for all fall sports is attached.

        Go Falcons!

        Terrence Oyelowo-Banks
        Athletic Director, Riverside Central High School
        """,
        label=("team", "team", "fixture_list"),
        pdfs=["RCHS Fall 2026 fixtures.pdf"],
    )

    add(
        "rchs-home-opener-invite",
        "2026-09-02 09:30",
        "PT",
        RCHS_AD,
        RSM,
        "Invitation: Home opener vs Canyon Springs - sideline coverage @ Fri Sep 11, 2026 7pm",
        """
        You have been invited to the following event.

        Home opener vs Canyon Springs - sideline coverage
        When: Fri Sep 11, 2026 7pm - 10pm (Pacific Time - Los Angeles)
        Where: Falcon Stadium, Riverside Central High School
        Organizer: toyelowo-banks@rchs.riverside-usd.example

        Please arrive by 6:15 pm for the pre-game medical meeting with the visiting ATC.

        Going? Yes - Maybe - No
        """,
        label=("team", "team", "event_request"),
        parent="rchs-fall-schedule",
        ics=invite(
            "rchs-fb-20260911@rchs.riverside-usd.example",
            "Home opener vs Canyon Springs - sideline coverage",
            "Falcon Stadium, Riverside Central High School",
            "20260911T190000",
            "20260911T220000",
            RCHS_AD,
            [RSM, RCHS_AT],
            tzid="America/Los_Angeles",
            stamp="20260902T163000Z",
            description="Physician sideline coverage. Pre-game medical meeting 6:15 pm.",
        ),
        ics_style="inline",
    )

    add(
        "rchs-kickoff-moved",
        "2026-09-08 14:02",
        "PT",
        RCHS_AD,
        RSM,
        "Updated invitation: Home opener vs Canyon Springs - kickoff moved to 6:30pm",
        """
        Heads up - because of the heat advisory, kickoff for Friday is moved up to 6:30 PM.
        Pre-game medical meeting at 5:45. Updated invite attached.

        Coach O
        """,
        label=("team", "team", "event_request"),
        parent="rchs-home-opener-invite",
        quote="gmail",
        ics=invite(
            "rchs-fb-20260911@rchs.riverside-usd.example",
            "Home opener vs Canyon Springs - sideline coverage",
            "Falcon Stadium, Riverside Central High School",
            "20260911T183000",
            "20260911T213000",
            RCHS_AD,
            [RSM, RCHS_AT],
            tzid="America/Los_Angeles",
            sequence=1,
            stamp="20260908T210200Z",
        ),
        ics_style="attach",
    )

    add(
        "rovers-preseason-screening",
        "2026-09-05 10:17",
        "PT",
        ROVERS,
        RSM,
        "Pre-season medical screening - 28 players - can we book you?",
        """
        Hi Dr Brandt,

        The Rovers are back in training on 14 September ahead of the winter league. Like last
        year, we need pre-season medical screening for the first-team squad (28 players),
        including the cardiac questionnaire and ECG review, before anyone plays a competitive
        match.

        Could you do a screening day at the club on Saturday 19 September? We can provide
        the clubhouse, two treatment rooms and volunteers for paperwork. Please let me know
        your fee and what you need from us.

        Cheers,
        Alan Kettridge
        Club Secretary, Riverside Rovers FC
        "Semi-pro since 1987"
        """,
        label=("team", "team", "screening"),
    )

    add(
        "rovers-screening-invite",
        "2026-09-09 12:44",
        "PT",
        ROVERS_PHYSIO,
        RSM,
        "Invitation: Pre-season screening day - Sat 19 Sep 2026",
        """
        Hola Dr Brandt,

        Great news that you can do the screening day. Invite attached with the times. I will
        send the player list and questionnaires by Wednesday. ECG tech is booked from 9.

        Ana Lucía Peña, PT, DPT
        Head Physio, Riverside Rovers FC
        """,
        label=("team", "team", "screening"),
        parent="rovers-preseason-screening",
        quote="apple",
        ics=invite(
            "rovers-screening-2026@riversiderovers.example",
            "Rovers pre-season medical screening",
            "Rovers Clubhouse, 400 Fairmount Park Rd, Riverside",
            "20260919T160000Z",
            "20260919T220000Z",
            ROVERS_PHYSIO,
            [RSM, ROVERS],
            stamp="20260909T194400Z",
            description="28 players. PPE + ECG review. Lunch provided.",
        ),
        ics_style="inline",
    )

    add(
        "rovers-fixtures",
        "2026-09-18 18:30",
        "PT",
        ROVERS,
        RSM,
        "Fixture list Oct-Nov - matchday doctor rota",
        """
        Hi all,

        Below are the Rovers' fixtures for October and November. League rules require a
        matchday doctor at home games. Please reply with the dates you can cover.

          Sat 03 Oct  HOME  v Inland Athletic       KO 19:00
          Sat 10 Oct  away  at Desert Sun SC        KO 19:30
          Sat 17 Oct  HOME  v San Gorgonio United   KO 19:00
          Sat 31 Oct  HOME  Cup semi-final (TBC)    KO 18:00
          Sat 07 Nov  away  at Coastal City FC      KO 19:00
          Sat 14 Nov  HOME  v Foothill Rangers      KO 19:00

        Thanks,
        Alan
        Club Secretary
        """,
        label=("team", "team", "fixture_list"),
    )

    add(
        "cpu-xc-coverage",
        "2026-09-26 11:05",
        "PT",
        CPU_SM,
        RSM,
        "Request for medical coverage - Cascade Pacific XC Invitational, Oct 10",
        """
        Good morning Dr. Brandt,

        We're hosting the Cascade Pacific Cross Country Invitational on Saturday, October 10
        (about 400 runners, collegiate and open races). We would like a physician on site at
        the finish-line medical tent from 7:30 to 12:30, alongside our athletic training staff
        and EMS. A calendar invitation is attached; please accept if you can cover.

        Event medical plan and the heat-illness protocol will follow next week.

        Thank you,
        Cascade Pacific University Sports Medicine
        Department of Athletics
        """,
        label=("team", "team", "event_request"),
        ics=invite(
            "cpu-xc-invitational-2026@athletics.cascadepacific.example",
            "XC Invitational - finish line medical tent",
            "Cascade Pacific University Cross Country Course",
            "20261010T073000",
            "20261010T123000",
            CPU_SM,
            [RSM],
            tzid="America/Los_Angeles",
            stamp="20260926T180500Z",
        ),
        ics_style="attach",
    )

    add(
        "cpu-injury-report",
        "2026-10-11 21:12",
        "PT",
        CPU_SM,
        RSM,
        "Injury report - Imogen Tarrasch - L knee (women's soccer)",
        """
        Dr. Brandt,

        Athlete: Imogen Tarrasch   DOB: 02/09/2004
        Sport: women's soccer
        Date of injury: 10/11/2026 (match vs. Lakeshore)

        Mechanism: non-contact pivot, felt a pop in the left knee. Immediate effusion,
        positive Lachman on the field (compare the MRI approved last month for the same knee).
        Ice, crutches, knee immobiliser. Could you see her Monday or Tuesday? She is due to
        travel with the team on Thursday; she will not travel.

        Thanks,
        Rachel Ng, MS, ATC
        Associate Athletic Trainer, Cascade Pacific University
        """,
        label=("team", "team", "injury_report"),
    )

    add(
        "rchs-concussion-report",
        "2026-10-17 15:50",
        "PT",
        RCHS_AT,
        RSM,
        "Concussion - volleyball - return-to-play clearance needed",
        """
        Hi Dr. Brandt,

        Athlete: Zadie Merriweather-Kline   DOB: 08/08/2007
        Sport/level: varsity volleyball
        Date/mechanism: 10/13/2026, struck in the head by a ball during practice, brief
        headache and dizziness, no LOC.

        She has been symptom free since 10/15 and completed steps 1-3 of our graduated
        return-to-sport protocol without symptoms. She needs your evaluation and written
        clearance before full-contact practice (step 5). Can we get her in next week?

        Kelsey Drummond, MS, ATC
        Head Athletic Trainer, Riverside Central HS
        """,
        label=("team", "team", "injury_report"),
    )

    add(
        "rovers-semifinal-invite",
        "2026-10-20 09:12",
        "PT",
        ROVERS,
        RSM,
        "Matchday doctor - Cup semi-final, Sat 31 Oct",
        """
        Dr B - we're in the semi! Home draw, Saturday 31 October, kick-off 18:00. Invite
        attached, hoping you can be matchday doctor again. Arrive 16:45 for the medical
        briefing with the referee and the away physio please.

        Alan
        """,
        label=("team", "team", "event_request"),
        ics=invite(
            "rovers-cup-sf-2026@riversiderovers.example",
            "Rovers v TBC - Cup semi-final - matchday doctor",
            "Fairmount Park Stadium, Riverside",
            "20261031T234500Z",
            "20261101T030000Z",
            ROVERS,
            [RSM, ROVERS_PHYSIO],
            stamp="20261020T161200Z",
        ),
        ics_style="inline",
    )

    add(
        "cpu-winter-physicals",
        "2026-10-28 10:30",
        "PT",
        CPU_OPS,
        RSM,
        "Pre-participation physicals - winter sports - Nov 7",
        """
        Dr. Brandt,

        We need to complete pre-participation physical examinations for the winter sport
        rosters (men's and women's basketball, wrestling, swimming - 74 athletes) before
        the first competition on November 13. Could you run a station-based PPE session on
        Saturday, November 7 in the Whitcombe Fieldhouse? Invite attached.

        Bram Whitcombe
        Director of Athletic Operations
        Cascade Pacific University
        """,
        label=("team", "team", "screening"),
        ics=invite(
            "cpu-ppe-winter-2026@athletics.cascadepacific.example",
            "Winter sports PPE - station physicals",
            "Whitcombe Fieldhouse, Cascade Pacific University",
            "20261107T080000",
            "20261107T140000",
            CPU_OPS,
            [RSM, CPU_SM],
            tzid="America/Los_Angeles",
            stamp="20261028T173000Z",
        ),
        ics_style="attach",
    )

    add(
        "rchs-services-agreement",
        "2026-11-04 13:37",
        "PT",
        RCHS_DISTRICT,
        RSM,
        "2027 team physician services agreement - renewal for signature",
        """
        Dear Dr. Brandt,

        Attached is the renewal of the Team Physician Services Agreement between Riverside
        Unified School District and Riverside Sports Medicine for calendar year 2027. Terms
        are unchanged except for the updated certificate-of-insurance requirement in
        section 9 ($1M/$3M professional liability).

        Please sign and return by December 4, 2026 so it can go to the Board on December 10.

        Regards,
        Contracts Office, Riverside Unified School District
        """,
        label=("team", "team", "agreement"),
        pdfs=["RUSD Team Physician Agreement 2027.pdf"],
    )

    add(
        "cpu-wrestling-invite",
        "2026-11-13 16:20",
        "PT",
        CPU_SM,
        RSM,
        "Invitation: Wrestling - Cascade Pacific Open - medical coverage, Sat Dec 5",
        """
        Dr. Brandt,

        Could you provide physician coverage for the Cascade Pacific Open wrestling tournament
        on Saturday, December 5 (weigh-ins 7:00, first bouts 9:00)? Skin checks at weigh-in
        are the main need; there will be about 220 wrestlers. Calendar invite attached.

        Thank you,
        Cascade Pacific University Sports Medicine
        """,
        label=("team", "team", "event_request"),
        ics=invite(
            "cpu-wrestling-open-2026@athletics.cascadepacific.example",
            "Cascade Pacific Open (wrestling) - physician coverage and skin checks",
            "Whitcombe Fieldhouse, Cascade Pacific University",
            "20261205T070000",
            "20261205T170000",
            CPU_SM,
            [RSM],
            tzid="America/Los_Angeles",
            stamp="20261114T002000Z",
        ),
        ics_style="inline",
    )


# --------------------------------------------------------------------------- labs
GENOVA = ("Genova Diagnostics Client Services", "clientservices@gdx.net")
QUEST = ("Quest Diagnostics", "noreply@questdiagnostics.com")
LABCORP = ("Labcorp Client Services", "clientservices@labcorp.com")
DDI = ("Doctor's Data, Inc.", "customerservice@doctorsdata.com")
DUTCH = ("Precision Analytical (DUTCH)", "clientcare@dutchtest.com")


def labs() -> None:
    add(
        "genova-kit-shipped",
        "2026-09-08 10:40",
        "ET",
        GENOVA,
        LOTUS_OFF,
        "Your test kit has shipped - Order #: GDX-5518832",
        """
        Genova Diagnostics

        The test kit for the order below has shipped directly to your patient.

        Order #: GDX-5518832
        Patient: Juniper Vasquez-Thorne   DOB: 10/06/1985
        Test: GI Effects Comprehensive Profile (stool, 3-day)
        Carrier: UPS Ground - tracking 1Z999AA10123456784
        Estimated delivery: 09/11/2026

        The patient's kit includes a prepaid return label. Samples must be received at the
        lab within 7 days of the first collection.

        Genova Diagnostics Client Services
        """,
        label=("lab", "lab_result", "kit_shipped"),
    )

    add(
        "genova-results-ready",
        "2026-09-29 13:22",
        "ET",
        GENOVA,
        LOTUS,
        "Results available - Order #: GDX-5518832",
        """
        Genova Diagnostics

        The final report for your patient is now available on the provider portal.

        Order #: GDX-5518832
        Patient: Juniper Vasquez-Thorne   DOB: 10/06/1985
        Test: GI Effects Comprehensive Profile
        Report status: FINAL (09/29/2026)

        Log in to view or download the report. A complimentary clinical consultation about
        these results can be booked through the portal.
        """,
        label=("lab", "lab_result", "results_ready"),
        parent="genova-kit-shipped",
    )

    add(
        "quest-results",
        "2026-09-16 06:10",
        "ET",
        QUEST,
        RSM,
        "New results available in Quanum",
        """
        Quest Diagnostics - result notification

        New results are available for the following patient:

        Patient: Dashiell Ortfeld   DOB: 07/23/1975
        Accession: QD-EN-5520918
        Tests: CBC with differential; comprehensive metabolic panel; ferritin; vitamin D,
        25-hydroxy
        Status: Final - 1 result outside reference range

        Sign in to Quanum to view results.
        """,
        html="""
        <html><body><table width="100%"><tr><td style="background:#2e8540;color:#fff">
        Quest Diagnostics</td></tr></table>
        <p>New results are available for the following patient:</p>
        <p>Patient: Dashiell Ortfeld &nbsp; DOB: 07/23/1975<br>Accession: QD-EN-5520918<br>
        Tests: CBC with differential; comprehensive metabolic panel; ferritin; vitamin D,
        25-hydroxy<br>Status: <b>Final</b> - 1 result outside reference range</p>
        <p><a href="https://quanum.example/results">Sign in to Quanum</a> to view results.</p>
        </body></html>
        """,
        fmt="alt",
        label=("lab", "lab_result", "results_ready"),
    )

    add(
        "labcorp-specimen-rejected",
        "2026-10-06 15:35",
        "ET",
        LABCORP,
        LOTUS_OFF,
        "Specimen issue - recollection required - Accession #: LC-26-2948817",
        """
        Labcorp Client Services

        Accession #: LC-26-2948817
        Patient: Marguerite Oyelaran   DOB: 02/14/1970
        Tests ordered: Comprehensive metabolic panel; lipid panel; hs-CRP; TSH

        We were unable to process the following test(s): Comprehensive metabolic panel
        (potassium) - specimen grossly hemolyzed. Please recollect. Other tests were
        completed and resulted.

        Call Client Services at 800-555-0129 with any questions.
        """,
        label=("lab", "lab_result", "specimen_issue"),
    )

    add(
        "labcorp-recollect-results",
        "2026-11-19 09:50",
        "ET",
        LABCORP,
        LOTUS_OFF,
        "Results ready - Accession #: LC-26-3310472 (recollection)",
        """
        Labcorp Client Services

        Accession #: LC-26-3310472 (recollection for LC-26-2948817)
        Patient: Marguerite Oyelaran   DOB: 02/14/1970
        Test: Comprehensive metabolic panel
        Status: final results are ready in Labcorp Link.
        """,
        label=("lab", "lab_result", "results_ready"),
        parent="labcorp-specimen-rejected",
    )

    add(
        "ddi-courier-pickup",
        "2026-10-14 11:02",
        "CT",
        DDI,
        LOTUS_OFF,
        "FedEx pickup scheduled - return shipment of specimens",
        """
        Doctor's Data

        A FedEx courier pickup has been scheduled for your clinic.

        Pickup date: Thursday, October 15, 2026, between 1:00 PM and 5:00 PM
        Confirmation: FDX-PU-82216
        Packages: 1 (specimen return box)

        Please have the box sealed with the requisition inside and the prepaid airbill
        attached.
        """,
        label=("lab", "lab_result", "courier"),
    )

    add(
        "ddi-results",
        "2026-10-30 08:15",
        "CT",
        DDI,
        LOTUS,
        "Report available - Anselm Kettering",
        """
        Doctor's Data

        A report is ready for your review.

        Patient: Anselm Kettering   DOB: 09/09/1966
        Test: Comprehensive stool analysis with parasitology x3
        Report date: 10/30/2026

        Log in to the Doctor's Data portal to view the report.
        """,
        label=("lab", "lab_result", "results_ready"),
    )

    add(
        "dutch-results",
        "2026-11-03 07:45",
        "MT",
        DUTCH,
        LOTUS,
        "DUTCH Complete results are ready",
        html="""
        <html><body>
        <p>Hi Dr. Okafor,</p>
        <p>Results are now available in your provider portal for the following patient:</p>
        <table>
        <tr><td>Patient:</td><td>Hettie Lanyon-Price</td></tr>
        <tr><td>DOB:</td><td>04/21/1983</td></tr>
        <tr><td>Test:</td><td>DUTCH Complete (dried urine hormones)</td></tr>
        <tr><td>Accession #:</td><td>PA-2026-448102</td></tr>
        <tr><td>Sample received:</td><td>10/28/2026</td></tr>
        </table>
        <p>Log in to review the report; book a complimentary clinician consult with our
        medical education team if you would like help interpreting it.</p>
        <p>Precision Analytical Client Care</p>
        </body></html>
        """,
        fmt="html",
        label=("lab", "lab_result", "results_ready"),
    )

    add(
        "quest-courier",
        "2026-11-10 12:05",
        "ET",
        QUEST,
        RSM_FRONT,
        "Courier pickup confirmation",
        """
        Quest Diagnostics - courier service

        Your request for a specimen pickup has been scheduled.
        Location: Riverside Sports Medicine
        Pickup window: 11/10/2026, 3:00 PM - 5:00 PM
        Reference: QC-7714502
        """,
        label=("lab", "lab_result", "courier"),
    )

    add(
        "genova-kit-shipped-2",
        "2026-11-21 10:00",
        "ET",
        GENOVA,
        LOTUS_OFF,
        "Your test kit has shipped - Order #: GDX-5620417",
        """
        Genova Diagnostics

        The test kit for the order below has shipped directly to your patient.

        Order #: GDX-5620417
        Patient: Marguerite Oyelaran   DOB: 02/14/1970
        Test: Comprehensive Adrenal (saliva)
        Carrier: UPS Ground
        Estimated delivery: 11/24/2026
        """,
        label=("lab", "lab_result", "kit_shipped"),
    )


# --------------------------------------------------------------------------- CME / CPD
AMSSM = ("AMSSM Education", "education@amssm.org")
ACSM = ("ACSM Continuing Education", "ce@acsm.org")
RCOT = ("RCOT Learning", "learning@rcot.co.uk")
MEDLEARN = ("MedLearn CME", "certificates@medlearn-cme.example")
IFM = ("The Institute for Functional Medicine", "registration@ifm.org")


def cme() -> None:
    add(
        "amssm-registration",
        "2026-09-03 14:55",
        "CT",
        AMSSM,
        RSM,
        "Registration confirmed: Sports Ultrasound Course, November 6-7, 2026",
        """
        Dear Dr. Brandt,

        Thank you for registering. This email confirms your place on the AMSSM Sports
        Ultrasound Course (intermediate), November 6-7, 2026.

        Registration ID: AMSSM-SU-26-0418
        Fee paid: $1,350.00

        This activity is approved for a maximum of 14.25 AMA PRA Category 1 Credits(TM).
        Course materials and pre-course modules will be emailed 3 weeks before the course.

        AMSSM Education Department
        """,
        label=("cme", "cme", "registration"),
    )

    add(
        "acsm-certificate",
        "2026-09-21 10:30",
        "ET",
        ACSM,
        RSM,
        "Your CME certificate - Team Physician Course Part I",
        """
        Dear Nathaniel Brandt,

        Congratulations on completing the Team Physician Course - Part I. Your certificate is
        attached.

        Credits earned: 6.5 AMA PRA Category 1 Credits(TM)
        Completion date: 09/19/2026

        Keep this certificate for your records; it may be requested for licence renewal or
        board certification.

        ACSM Continuing Education
        """,
        label=("cme", "cme", "certificate"),
        pdfs=["ACSM CME certificate.pdf"],
    )

    add(
        "rcot-webinar-booking",
        "2026-10-01 12:00",
        "UK",
        RCOT,
        MOT,
        "Booking confirmation: CPD webinar - Writing OT advice for EHC needs assessments",
        """
        Dear Harriet

        Thank you for booking. Your place is confirmed.

        CPD webinar: Writing occupational therapy advice for EHC needs assessments
        Date: Thursday 22 October 2026, 12:30 - 13:30 (UK time)
        Booking reference: RCOT-CPD-29571

        A calendar invitation is attached. The joining link will be sent the day before.
        Remember to record this activity in your CPD portfolio.

        RCOT Learning and Development
        Royal College of Occupational Therapists
        """,
        label=("cme", "cme", "registration"),
        ics=invite(
            "rcot-webinar-20261022@rcot.co.uk",
            "RCOT CPD webinar - OT advice for EHC needs assessments",
            "Online (Zoom)",
            "20261022T123000",
            "20261022T133000",
            RCOT,
            [MOT],
            tzid="Europe/London",
            stamp="20261001T110000Z",
        ),
        ics_style="attach",
    )

    add(
        "medlearn-certificate",
        "2026-10-15 18:22",
        "ET",
        MEDLEARN,
        LOTUS,
        "Certificate of completion - Iron deficiency without anaemia: a case-based review",
        """
        Hi Selene,

        Congratulations on completing "Iron deficiency without anaemia: a case-based review".

        Credits: 1.00 AMA PRA Category 1 Credit(TM)
        Date: 10/15/2026
        Certificate ID: MLC-26-9915043

        Download your certificate from My Activity. Your CME tracker has been updated.

        MedLearn CME
        You're receiving this because you have a MedLearn account.
        """,
        label=("cme", "cme", "certificate"),
    )

    add(
        "ifm-enrollment",
        "2026-10-07 16:45",
        "ET",
        IFM,
        LOTUS,
        "Enrollment confirmed: GI Advanced Practice Module",
        """
        Dear Dr. Okafor,

        Your enrollment in the GI Advanced Practice Module (online, self-paced, with live
        case sessions on November 14 and December 5, 2026) is confirmed.

        Order number: IFM-APM-77310
        CME: up to 20.5 AMA PRA Category 1 Credits(TM)

        You can access the course in the IFM learning portal.

        The Institute for Functional Medicine
        """,
        label=("cme", "cme", "registration"),
    )

    add(
        "amssm-certificate",
        "2026-11-09 09:40",
        "CT",
        AMSSM,
        RSM,
        "CME certificate available - Sports Ultrasound Course",
        """
        Dear Dr. Brandt,

        Thank you for attending the AMSSM Sports Ultrasound Course on November 6-7, 2026.
        Once you complete the course evaluation, your certificate for 14.25 AMA PRA
        Category 1 Credits(TM) will be available to download.

        Please complete the evaluation by December 9, 2026.

        AMSSM Education Department
        """,
        label=("cme", "cme", "certificate"),
        parent="amssm-registration",
    )

    add(
        "rcot-course-reminder",
        "2026-11-16 08:00",
        "UK",
        RCOT,
        MOT,
        "Reminder: your CPD course starts next week",
        """
        Dear Harriet

        This is a reminder that the RCOT CPD course "Assessing for major adaptations" starts
        on Tuesday 24 November 2026 (online, 3 half-day sessions). Pre-reading is now available
        in the learning platform.

        Booking reference: RCOT-CPD-30244

        RCOT Learning and Development
        """,
        label=("cme", "cme", "reminder"),
    )

    add(
        "acsm-transcript",
        "2026-11-22 07:00",
        "ET",
        ACSM,
        RSM,
        "Your 2026 continuing education credit statement",
        """
        Dear Nathaniel Brandt,

        Your 2026 credit statement is now available in your ACSM account.

        Activities completed in 2026: 3
        Total credits: 18.0 AMA PRA Category 1 Credits(TM)

        ACSM Continuing Education
        """,
        label=("cme", "cme", "certificate"),
    )


# --------------------------------------------------------------------------- credentialing
MBC = ("Medical Board of California", "licensing-notices@mbc.ca.gov")
DEA = ("DEA Diversion Control Division", "dearegistration.renewals@deadiversion.usdoj.gov")
CAQH = ("CAQH ProView", "proview-notifications@caqh.org")
ABEM = ("American Board of Emergency Medicine", "certification@abem.org")
HCPC = ("HCPC Registrations", "registrations@hcpc-uk.org")
STBRENDAN = ("Medical Staff Services", "medstaff@stbrendan-med.example")
KEYSTONE = ("Keystone Medical Indemnity", "renewals@keystone-indemnity.example")
HARTWELL = ("Hartwell Indemnity", "renewals@hartwell-indemnity.example")
OMB = ("Oregon Medical Board", "licensing@omb.oregon.gov")
AETNA_CRED = ("Aetna Provider Credentialing", "credentialing@aetna.com")


def credentialing() -> None:
    add(
        "mbc-renewal-notice",
        "2026-09-14 07:30",
        "PT",
        MBC,
        RSM,
        "License renewal notice - Physician's and Surgeon's License A 987654",
        """
        MEDICAL BOARD OF CALIFORNIA
        RENEWAL NOTICE

        Licensee: Nathaniel Brandt, M.D.
        License No.: A 987654
        License type: Physician's and Surgeon's
        Expiration date: December 31, 2026

        Your license expires on December 31, 2026. You may renew online through BreEZe.
        Renewal requires payment of the renewal fee and completion of at least 50 hours of
        approved continuing medical education in the two years before renewal, and the
        workforce survey.

        Practicing with an expired license is unlawful.

        Medical Board of California
        """,
        label=("credentialing", "credential", "renewal_due"),
    )

    add(
        "dea-renewal-notice",
        "2026-09-28 05:00",
        "ET",
        DEA,
        RSM,
        "DEA Registration Renewal Notification",
        """
        U.S. Department of Justice
        Drug Enforcement Administration - Diversion Control Division

        REGISTRATION RENEWAL NOTIFICATION

        Registrant: Nathaniel Brandt MD
        DEA Registration: FB1234563
        Business activity: Practitioner
        Expiration date: November 30, 2026

        Your DEA registration expires on November 30, 2026. Renewal applications may be
        submitted online. If your registration expires, you may not handle controlled
        substances until it is reinstated.

        This is an automated notice; do not reply.
        """,
        label=("credentialing", "credential", "renewal_due"),
    )

    add(
        "dea-renewed",
        "2026-11-05 10:12",
        "ET",
        DEA,
        RSM,
        "DEA Registration renewal - confirmation",
        """
        Drug Enforcement Administration - Diversion Control Division

        Your renewal application has been processed and your registration has been renewed.

        DEA Registration: FB1234563
        New expiration date: November 30, 2029

        You may print your certificate from the Registration Validation page.
        """,
        label=("credentialing", "credential", "renewed"),
    )

    add(
        "caqh-reattest",
        "2026-10-06 06:00",
        "ET",
        CAQH,
        RSM_PM,
        "Action required: re-attest your CAQH ProView profile",
        """
        CAQH ProView

        Provider: Nathaniel Brandt
        CAQH Provider ID: 15432987

        It's time to re-attest. Health plans rely on your attested information for
        credentialing and directories. Please review your profile and re-attest by
        October 21, 2026. If you do not re-attest by this date your profile status will change
        to Expired and participating organisations will not be able to view your information.

        Log in at proview.caqh.org to re-attest.
        """,
        label=("credentialing", "credential", "attestation_due"),
    )

    add(
        "caqh-reattest-reminder",
        "2026-10-16 06:00",
        "ET",
        CAQH,
        RSM_PM,
        "Reminder: 5 days left to re-attest your CAQH ProView profile",
        """
        CAQH ProView

        CAQH Provider ID: 15432987

        Your re-attestation is due by October 21, 2026 - 5 days from today. Complete it now
        to avoid an Expired status.
        """,
        label=("credentialing", "credential", "attestation_due"),
        parent="caqh-reattest",
    )

    add(
        "abem-certification",
        "2026-10-09 12:00",
        "ET",
        ABEM,
        RSM,
        "Your ABEM Sports Medicine certification expires December 31, 2026",
        """
        Dear Dr. Brandt,

        Our records show that your ABEM certification in Sports Medicine expires on
        December 31, 2026. To maintain certification you must complete the certification
        requirements, including the continuing certification assessment and the annual fee,
        before that date.

        ABEM ID: 200417

        Log in to your ABEM Personal Page to see your remaining requirements.

        American Board of Emergency Medicine
        """,
        label=("credentialing", "credential", "renewal_due"),
    )

    add(
        "hcpc-notice",
        "2026-11-12 09:00",
        "UK",
        HCPC,
        MOT,
        "Your HCPC registration - keeping your details up to date",
        """
        Dear Harriet Pemberton

        Registration number: OT54321
        Profession: Occupational therapist
        Registered until: 31 October 2027

        Your next renewal period opens on 1 August 2027. Please make sure your email and
        postal address are up to date in the HCPC portal so that you receive your renewal
        notice. When you renew you will need to confirm that you have met our standards for
        continuing professional development and that you hold appropriate professional
        indemnity.

        HCPC Registrations Team
        """,
        label=("credentialing", "credential", "notice"),
    )

    add(
        "caqh-reattest-lotus",
        "2026-11-19 06:00",
        "ET",
        CAQH,
        LOTUS_OFF,
        "Action required: re-attest your CAQH ProView profile",
        """
        CAQH ProView

        Provider: Selene Okafor
        CAQH Provider ID: 16620451

        It's time to re-attest. Health plans rely on your attested information for
        credentialing and directories. Please review your profile and re-attest by
        January 20, 2027. If you do not re-attest by this date your profile status will change
        to Expired and participating organizations will not be able to view your information.

        Log in at proview.caqh.org to re-attest.
        """,
        label=("credentialing", "credential", "attestation_due"),
    )

    add(
        "stbrendan-reappointment",
        "2026-10-23 14:25",
        "PT",
        STBRENDAN,
        RSM,
        "Reappointment application - clinical privileges",
        """
        Dear Dr. Brandt,

        Your medical staff appointment and clinical privileges at St. Brendan Regional
        Medical Center expire on February 28, 2027. Your reappointment application is now
        available in the credentialing portal.

        Please return your completed application, privilege delineation form and current
        certificate of insurance by December 15, 2026. Incomplete applications may result in
        a lapse in privileges.

        Medical Staff Services
        St. Brendan Regional Medical Center
        """,
        label=("credentialing", "credential", "renewal_due"),
    )

    add(
        "keystone-malpractice-renewal",
        "2026-11-02 11:00",
        "ET",
        KEYSTONE,
        RSM_PM,
        "Policy renewal - professional liability policy PL-2026-448812",
        """
        Dear Policyholder,

        Your professional liability policy expires on 01/01/2027.

        Policy number: PL-2026-448812
        Insured: Riverside Sports Medicine / Nathaniel Brandt, MD
        Limits: $1,000,000 / $3,000,000
        Renewal premium: $14,882.00

        Your renewal quote is attached. To renew without a gap in coverage, please sign the
        renewal application and return it by December 1, 2026.

        Keystone Medical Indemnity - Renewals
        """,
        label=("credentialing", "credential", "renewal_due"),
        pdfs=["PL-2026-448812 renewal quote.pdf"],
    )

    add(
        "hartwell-indemnity-renewal",
        "2026-11-09 08:20",
        "UK",
        HARTWELL,
        MOT,
        "Your professional indemnity insurance renews on 1 December 2026",
        """
        Dear Harriet

        Policy number: HIM-PI-0338271
        Cover: Professional indemnity and public liability (occupational therapist,
        including medico-legal work)

        Your policy is due for renewal on 1 December 2026. Your renewal premium is £412.60.
        If your turnover or activities have changed (for example more expert witness work),
        please tell us before the renewal date.

        Hartwell Indemnity
        """,
        label=("credentialing", "credential", "renewal_due"),
    )

    add(
        "mbc-renewed",
        "2026-11-20 16:03",
        "PT",
        MBC,
        RSM,
        "License renewed - A 987654",
        """
        MEDICAL BOARD OF CALIFORNIA

        License No.: A 987654
        Status: Renewed and current
        New expiration date: December 31, 2028

        Your license renewal has been processed. You can verify your license on the Board's
        website.
        """,
        label=("credentialing", "credential", "renewed"),
    )

    add(
        "omb-renewal",
        "2026-10-01 09:00",
        "PT",
        OMB,
        LOTUS,
        "License renewal reminder - renew by December 31, 2026",
        """
        Oregon Medical Board

        Licensee: Selene Okafor, MD
        License number: MD212345

        Your license renewal is now open. Your license expires on December 31, 2026. Complete
        the online renewal, including your continuing medical education attestation, before
        that date to avoid a lapse.

        Oregon Medical Board
        """,
        label=("credentialing", "credential", "renewal_due"),
    )

    add(
        "aetna-recredentialing",
        "2026-11-04 08:30",
        "ET",
        AETNA_CRED,
        RSM_PM,
        "Recredentialing - action required by December 1, 2026",
        """
        Dear Provider,

        Aetna recredentials participating practitioners every three years. Your
        recredentialing cycle has started.

        Practitioner: Nathaniel Brandt, MD
        CAQH Provider ID: 15432987

        Please make sure your CAQH ProView profile is complete, current and attested, and
        authorise Aetna to view it, by December 1, 2026. If we cannot complete
        recredentialing your network participation may end.

        Aetna Provider Credentialing
        """,
        label=("credentialing", "credential", "renewal_due"),
    )


# --------------------------------------------------------------------------- suppliers
FULLSCRIPT = ("Fullscript", "orders@fullscript.com")
THORNE = ("Thorne Professional", "professional@thorne.com")
METAGENICS = ("Metagenics Customer Care", "customercare@metagenics.com")
NORTHFIELD = ("Northfield Nutraceuticals Quality Team", "quality@northfield-nutra.example")
SUMMIT = ("Summit Medical Supply", "ar@summitmedsupply.example")
BROOKVALE = ("Brookvale Daily Living Aids", "orders@brookvale-aids.example")


def suppliers() -> None:
    add(
        "fullscript-order-placed",
        "2026-09-10 17:12",
        "ET",
        FULLSCRIPT,
        LOTUS_OFF,
        "Your patient placed an order - Order #: FS-2231987",
        """
        Fullscript

        Your patient placed an order from your recommendations.

        Order #: FS-2231987
        Patient: Juniper V.
        Items: Magnesium bisglycinate powder (1), Omega-3 liquid (1), Digestive enzymes (1)
        Order total: $118.40

        You'll receive a notification when the order ships.
        """,
        label=("supplier", "supplement_order", "order_confirmed"),
    )

    add(
        "fullscript-order-shipped",
        "2026-09-12 09:30",
        "ET",
        FULLSCRIPT,
        LOTUS_OFF,
        "Order shipped - Order #: FS-2231987",
        """
        Fullscript

        Good news - Order #: FS-2231987 has shipped.
        Carrier: USPS Priority - tracking 9400 1000 0000 0000 0000 00
        """,
        label=("supplier", "supplement_order", "shipped"),
        parent="fullscript-order-placed",
    )

    add(
        "thorne-invoice",
        "2026-09-30 11:45",
        "ET",
        THORNE,
        LOTUS_OFF,
        "Invoice INV-TH-0093318 - wholesale order",
        """
        Thorne Professional

        Invoice: INV-TH-0093318
        Order number: TH-7781204
        Account: Lotus Integrative Health (PRO-55210)
        Invoice total: $1,284.60
        Terms: Net 30 - payment due 10/30/2026

        Please find the invoice attached.
        """,
        label=("supplier", "supplement_order", "invoice"),
        pdfs=["INV-TH-0093318.pdf"],
    )

    add(
        "thorne-shipped",
        "2026-10-02 15:10",
        "ET",
        THORNE,
        LOTUS_OFF,
        "Your order has shipped - Order number: TH-7781204",
        """
        Thorne Professional

        Order number: TH-7781204 has shipped in 2 boxes.
        Carrier: FedEx Ground, estimated delivery 10/07/2026.
        """,
        label=("supplier", "supplement_order", "shipped"),
    )

    add(
        "metagenics-backorder",
        "2026-10-13 13:20",
        "PT",
        METAGENICS,
        LOTUS_OFF,
        "Backorder notice - Order #: MET-40877102",
        """
        Metagenics Customer Care

        Order #: MET-40877102

        One item on your order is temporarily out of stock and has been placed on backorder:
          SKU MG-PB50 - Probiotic blend 50B, 60 capsules (qty 12)
        Expected availability: week of November 2, 2026. The rest of your order shipped today.

        To cancel the backordered item or choose a substitute, reply to this email or call
        Customer Care.
        """,
        label=("supplier", "supplement_order", "stock"),
    )

    add(
        "northfield-recall",
        "2026-10-24 08:00",
        "ET",
        NORTHFIELD,
        LOTUS,
        "URGENT: Voluntary product recall - Magnesium Glycinate 120 ct, lot NN2608",
        """
        URGENT - VOLUNTARY RECALL NOTICE

        Dear Practitioner,

        Northfield Nutraceuticals is voluntarily recalling one lot of Magnesium Glycinate
        120 capsules, lot NN2608 (best before 08/2028), because a supplier ingredient may
        contain undeclared milk. People with a milk allergy could have a serious reaction.

        What to do:
          1. Stop dispensing lot NN2608 immediately and quarantine remaining stock.
          2. Contact patients who bought this lot since 08/15/2026.
          3. Return stock using the prepaid label in the attached recall form by
             November 20, 2026 for credit.

        No other lots are affected.

        Quality Assurance, Northfield Nutraceuticals
        """,
        label=("supplier", "supplement_order", "recall"),
        pdfs=["Recall form NN2608.pdf"],
    )

    add(
        "fullscript-back-in-stock",
        "2026-11-04 10:00",
        "ET",
        FULLSCRIPT,
        LOTUS_OFF,
        "Back in stock: an item in your patients' plans",
        """
        Fullscript

        An item that was out of stock in 3 of your patients' treatment plans is available
        again: Methylated B-complex, 60 capsules. Patients who were waiting have been
        notified.
        """,
        label=("supplier", "supplement_order", "stock"),
    )

    add(
        "metagenics-order-confirmation",
        "2026-11-11 14:30",
        "PT",
        METAGENICS,
        LOTUS_OFF,
        "Order confirmation - Order #: MET-40918821",
        None,
        html="""
        <html><body>
        <h2>Thank you for your order</h2>
        <p>Order #: <b>MET-40918821</b><br>Account: Lotus Integrative Health</p>
        <table border="1" cellspacing="0">
        <tr><th>SKU</th><th>Item</th><th>Qty</th></tr>
        <tr><td>MG-PB50</td><td>Probiotic blend 50B</td><td>12</td></tr>
        <tr><td>MG-GLU</td><td>Glutamine powder</td><td>6</td></tr>
        </table>
        <p>Order total: $846.00. Estimated ship date: 11/12/2026.</p>
        <p>Metagenics Customer Care</p>
        </body></html>
        """,
        fmt="html",
        label=("supplier", "supplement_order", "order_confirmed"),
    )

    add(
        "summit-invoice",
        "2026-10-19 09:25",
        "PT",
        SUMMIT,
        RSM_PM,
        "Invoice 558120 from Summit Medical Supply",
        """
        Hi Rosa,

        Attached is invoice 558120 for order number SMS-30417 (ultrasound gel 5 L x4,
        25G 1.5in needles x10 boxes, triamcinolone 40 mg/mL x10 vials, sterile probe covers).

        Amount due: $742.35, terms net 30.

        Thanks for your business!
        Accounts Receivable, Summit Medical Supply
        """,
        label=("supplier", "supply_order", "invoice"),
        pdfs=["Summit invoice 558120.pdf"],
    )

    add(
        "brookvale-order",
        "2026-11-13 15:48",
        "UK",
        BROOKVALE,
        MOT_ADMIN,
        "Order confirmation - Order number: BDL-77104",
        """
        Thank you for your order.

        Order number: BDL-77104
        Deliver to: client address (on file)
        Items: Height-adjustable perching stool (1); Bath board 69 cm (1);
        Long-handled sponge (1)
        Total: £96.50 inc. VAT
        Estimated delivery: 2-3 working days

        Brookvale Daily Living Aids
        """,
        label=("supplier", "supply_order", "order_confirmed"),
    )

    # A patient's protocol due for a refill. The shipped packs log it as correspondence; the
    # demo practices' own rule (examples/practice-rules/) opens a supplement_order case whose
    # reorder date shows in the patient's appointment brief.
    add(
        "fullscript-protocol-refill",
        "2026-11-22 16:30",
        "ET",
        FULLSCRIPT,
        LOTUS_OFF,
        "Protocol refill due - Order #: FS-2298410",
        """
        Fullscript

        A patient's supplement protocol is due for a refill.

        Order #: FS-2298410
        Patient: Marguerite Oyelaran   DOB: 02/14/1970
        Protocol: Adrenal support (ashwagandha, magnesium glycinate, vitamin B complex)
        Current supply ends: 11/27/2026

        Please review the protocol and reorder by November 27, 2026 so that there is no gap in
        supply. Doses and items can be changed from the patient's plan.
        """,
        label=("supplier", "supplement_order", "correspondence"),
    )


# ------------------------------------------------------------------- the week of the demo
# Dated 23 November 2026, after every message above, so no earlier file is renumbered: CPD
# certificates for the three practices' CPD progress, a stock reminder for the reorder
# letter, and this week's journal alerts for the research digest.
JOSPT = ("JOSPT Alerts", "alerts@jospt.org")


def demo_week() -> None:
    add(
        "rcot-cpd-certificate",
        "2026-11-23 10:05",
        "UK",
        RCOT,
        MOT,
        "Certificate of attendance: CPD webinar - Sensory processing in the classroom",
        """
        Dear Harriet

        Thank you for attending. Your certificate of attendance is attached.

        CPD webinar: Sensory processing in the classroom - practical strategies for OTs
        Date attended: 19 November 2026
        CPD hours: 1.5

        Please add this activity and your reflections to your CPD portfolio; the HCPC may ask
        to see it at renewal.

        RCOT Learning and Development
        Royal College of Occupational Therapists
        """,
        label=("cme", "cme", "certificate"),
        pdfs=["RCOT certificate of attendance.pdf"],
    )

    add(
        "bjot-etoc-nov",
        "2026-11-23 10:40",
        "UK",
        BJOT,
        MOT,
        "BJOT: new issue - December 2026",
        """
        British Journal of Occupational Therapy - December 2026 (Volume 89, Issue 12)

        In this issue
          - Occupational therapy advice in education, health and care needs assessments
          - Handwriting interventions for children with developmental coordination disorder
          - Home adaptations and falls after hospital discharge: a cohort study

        Read the issue: https://journals.example/bjot/toc/89/12

        You are receiving this alert because you signed up for BJOT email alerts. Manage your
        alerts or unsubscribe.
        """,
        label=("research", "research", "toc"),
        headers={
            "List-Id": "<bjot-etoc.sagepub.com>",
            "List-Unsubscribe": "<https://sage.example/u>",
        },
    )

    add(
        "jospt-etoc-dec",
        "2026-11-23 11:15",
        "ET",
        JOSPT,
        RSM,
        "JOSPT: December issue now online",
        """
        Journal of Orthopaedic & Sports Physical Therapy - December 2026 (Volume 56, Issue 12)

        Table of contents
          - Graded return to running after bone stress injury: a clinical commentary
          - Hip strength and patellofemoral pain in adolescent runners: a cohort study
          - Exercise therapy before surgery for degenerative meniscal tears: a trial

        Read it online: https://journals.example/jospt/toc/56/12

        You are receiving this alert because you subscribed to JOSPT issue alerts.
        Unsubscribe or change your preferences at any time.
        """,
        label=("research", "research", "toc"),
        headers={"List-Id": "<toc.jospt.org>", "List-Unsubscribe": "<https://jospt.example/u>"},
    )

    add(
        "ifm-cme-certificate",
        "2026-11-23 13:20",
        "ET",
        IFM,
        LOTUS,
        "Your CME certificate - Advanced Practice Module: Gastrointestinal",
        """
        Dear Dr. Okafor,

        Congratulations on completing the Advanced Practice Module: Gastrointestinal (GI).
        Your certificate is attached.

        Credits earned: 18 AMA PRA Category 1 Credits(TM)
        Completion date: 11/20/2026

        Keep this certificate for your records; it may be requested for licence renewal.

        The Institute for Functional Medicine - Continuing Education
        """,
        label=("cme", "cme", "certificate"),
        pdfs=["IFM CME certificate.pdf"],
    )

    add(
        "amssm-cme-certificate",
        "2026-11-23 14:30",
        "CT",
        AMSSM,
        RSM,
        "Your CME certificate - Sports Ultrasound Course, November 6-7, 2026",
        """
        Dear Dr. Brandt,

        Thank you for completing the course evaluation. Your certificate for the AMSSM Sports
        Ultrasound Course (intermediate) is attached.

        Credits earned: 14.25 AMA PRA Category 1 Credits(TM)
        Completion date: 11/07/2026

        AMSSM Education Department
        """,
        label=("cme", "cme", "certificate"),
        pdfs=["AMSSM CME certificate.pdf"],
    )

    add(
        "fullscript-reorder-reminder",
        "2026-11-23 15:10",
        "ET",
        FULLSCRIPT,
        LOTUS_OFF,
        "Reorder reminder: practice stock of Magnesium glycinate is running low",
        """
        Fullscript

        Your dispensary stock of one product is running low.

        Product: Magnesium glycinate 120 mg, 90 capsules
        Units on hand: 4
        Usual reorder quantity: 24

        Reorder now to avoid a gap in supply for your patients' protocols.
        """,
        label=("supplier", "supplement_order", "reorder_reminder"),
    )


# --------------------------------------------------------------------------- research
BJSM = ("BJSM eTOC", "etoc-alerts@bmj.com")
AJSM = ("The American Journal of Sports Medicine", "alerts@sagepub.com")
BJOT = ("British Journal of Occupational Therapy", "journal-alerts@sagepub.com")
EVIDENCE = ("Evidence Brief Weekly", "digest@evidencebrief.example")
INTEGRATIVE_DIGEST = ("Integrative Evidence Digest", "editor@integrative-evidence.example")


def research() -> None:
    add(
        "bjsm-etoc-oct",
        "2026-09-15 04:00",
        "UK",
        BJSM,
        RSM,
        "BJSM: table of contents, October 2026 issue",
        """
        British Journal of Sports Medicine - October 2026 (Volume 60, Issue 19)

        Table of contents

        Editorials
          - Sideline decision making: who carries the duty of care?
        Original research
          - Hop-test symmetry and second ACL injury in adolescent footballers: a cohort study
          - Heat policy compliance at community endurance events
          - Exercise-based injury prevention uptake in amateur clubs: a cluster survey
        Systematic reviews
          - Loading programmes for plantar heel pain: a network meta-analysis

        View the full issue online. You are receiving this alert because you signed up for
        BJSM email alerts. Manage your alerts or unsubscribe.
        """,
        label=("research", "research", "toc"),
        headers={"List-Id": "<bjsm-etoc.bmj.com>", "List-Unsubscribe": "<https://bmj.example/u>"},
    )

    add(
        "ajsm-etoc-oct",
        "2026-10-01 05:30",
        "ET",
        AJSM,
        RSM,
        "AJSM: new issue available",
        None,
        html="""
        <html><body>
        <h2>The American Journal of Sports Medicine</h2>
        <p>Volume 54, Issue 12 is now available online.</p>
        <ul>
        <li>Ultrasound-guided versus landmark corticosteroid injection of the knee in
        recreational athletes: a randomized trial</li>
        <li>Return to play after medial patellofemoral ligament reconstruction in high school
        athletes</li>
        <li>Platelet-rich plasma for lateral elbow tendinopathy: five-year follow-up of a
        controlled trial</li>
        </ul>
        <p><a href="https://journals.example/ajsm/toc">Read the table of contents</a></p>
        <p style="font-size:10px">You are receiving this email because you signed up for
        journal content alerts. Unsubscribe.</p>
        </body></html>
        """,
        fmt="html",
        label=("research", "research", "toc"),
        headers={"List-Id": "<ajsm-toc.sagepub.com>"},
    )

    add(
        "evidence-brief-digest",
        "2026-10-12 06:00",
        "ET",
        EVIDENCE,
        RSM,
        "Evidence Brief Weekly #214: concussion, tendinopathy, youth sport",
        """
        EVIDENCE BRIEF WEEKLY - issue 214

        This week's evidence digest, in five minutes:

        1. Concussion - a cohort of 1,200 high school athletes found that earlier light
           aerobic exercise shortened time to return to learning. Bottom line: supports
           step 2 of graduated return protocols.
        2. Tendinopathy - a small trial of heavy slow resistance versus eccentric loading for
           patellar tendinopathy found similar pain outcomes at 12 weeks.
        3. Youth sport - specialisation before age 12 was associated with more overuse
           injuries in a retrospective survey (low certainty).

        Forward to a colleague | Unsubscribe
        """,
        label=("research", "research", "digest"),
        headers={"List-Id": "<weekly.evidencebrief.example>"},
    )

    add(
        "bjot-etoc",
        "2026-10-20 04:00",
        "UK",
        BJOT,
        MOT,
        "British Journal of Occupational Therapy - latest issue",
        """
        British Journal of Occupational Therapy
        Volume 89, Issue 11 - table of contents

          - Occupational therapists' contributions to Education, Health and Care plans: a
            national survey
          - Handwriting interventions for children with developmental coordination disorder:
            a scoping review
          - Home adaptations and falls after discharge in older adults: a matched cohort

        View issue | Manage alerts
        """,
        label=("research", "research", "toc"),
        headers={"List-Id": "<bjot-toc.sagepub.com>"},
    )

    add(
        "integrative-digest",
        "2026-11-01 07:00",
        "PT",
        INTEGRATIVE_DIGEST,
        LOTUS,
        "Integrative Evidence Digest - November: SIBO testing, magnesium and sleep",
        """
        Integrative Evidence Digest | November 2026

        Hello Dr. Okafor,

        In this month's digest:
          * Breath testing for SIBO: what the accuracy studies can and can't tell us
          * Magnesium supplementation and sleep quality in older adults: a pooled analysis of
            small trials (low certainty of evidence)
          * Time-restricted eating and glycaemic control: three new trials summarised

        Read the full digest on our website. You are subscribed as a clinician member.
        Unsubscribe at any time.
        """,
        label=("research", "research", "digest"),
    )

    add(
        "ajsm-etoc-nov",
        "2026-11-05 05:30",
        "ET",
        AJSM,
        RSM,
        "AJSM: new issue available",
        """
        The American Journal of Sports Medicine
        Volume 54, Issue 14 is now available online.

          - Quadriceps strength recovery after ACL reconstruction with quadriceps tendon
            versus patellar tendon autograft
          - Shoulder injuries in collegiate wrestlers over ten seasons
          - Injection therapies for knee osteoarthritis: a cost-effectiveness analysis

        Read the table of contents online. You are receiving this email because you signed
        up for journal content alerts.
        """,
        label=("research", "research", "toc"),
        headers={"List-Id": "<ajsm-toc.sagepub.com>"},
    )

    add(
        "bjsm-etoc-nov",
        "2026-11-15 04:00",
        "UK",
        BJSM,
        RSM,
        "BJSM: table of contents, November 2026 issue",
        """
        British Journal of Sports Medicine - November 2026 (Volume 60, Issue 21)

        Table of contents
          - Graded return to sport after concussion in adult recreational athletes
          - Cardiac screening outcomes in semi-professional footballers
          - Injury surveillance in collegiate cross-country: a five-season study

        You are receiving this alert because you signed up for BJSM email alerts.
        """,
        label=("research", "research", "toc"),
        headers={"List-Id": "<bjsm-etoc.bmj.com>"},
    )


# --------------------------------------------------------------------------- noise
def noise() -> None:
    add(
        "newsletter-practice-pulse",
        "2026-09-02 06:30",
        "ET",
        ("Practice Pulse", "newsletter@practicepulse.example"),
        RSM_PM,
        "Practice Pulse: 5 front-desk scripts that reduce no-shows",
        """
        PRACTICE PULSE - the weekly newsletter for independent practices

        This week:
          * 5 front-desk scripts that reduce no-shows
          * Is your waiting room playlist costing you reviews?
          * Poll: how many of you still fax?

        Read online | Update preferences | Unsubscribe
        """,
        headers={"List-Id": "<weekly.practicepulse.example>", "Precedence": "bulk"},
    )

    add(
        "personal-dinner",
        "2026-09-04 18:22",
        "PT",
        ("Claire Brandt", "claire@brandtfamily.example"),
        RSM,
        "dinner saturday?",
        """
        Hey - the Moraleses invited us for dinner Saturday at 7. I said probably yes. Can you
        pick up wine on the way home Friday? Also the dog has her vet appointment at 8:30 on
        Monday, can you drop her?

        xx C
        """,
    )

    add(
        "personal-dinner-reply",
        "2026-09-05 08:01",
        "PT",
        ("Claire Brandt", "claire@brandtfamily.example"),
        RSM,
        "Re: dinner saturday?",
        """
        Perfect, thanks. I'll tell them. And never mind the vet, my mum can take her.
        """,
        parent="personal-dinner",
        quote="apple",
    )

    add(
        "spam-gift-card",
        "2026-09-09 03:14",
        "UTC",
        ("Rewards Center", "rewards@prize-winner.example"),
        RSM_FRONT,
        "Congratulations! Your $500 gift card claim is waiting",
        """
        Congratulations!!!

        You have been selected to receive a $500 gift card. Claim number: WIN-00493.
        To claim your reward simply complete our 30-second survey and pay a small shipping
        fee of $2.95.

        CLAIM NOW >>> http://prize-winner.example/claim

        Offer expires in 24 hours. Reply STOP to opt out.
        """,
    )

    add(
        "parcel-on-its-way",
        "2026-09-11 07:40",
        "ET",
        ("ParcelFast", "tracking@parcelfast.example"),
        LOTUS_OFF,
        "Your parcel is on its way",
        """
        Good news! Your parcel is on its way.

        Tracking number: PF8841200931
        Expected delivery: Monday, September 14, between 10:00 and 14:00

        Track your parcel: https://parcelfast.example/t/PF8841200931
        """,
        headers={"Auto-Submitted": "auto-generated"},
    )

    add(
        "summit-marketing",
        "2026-09-16 10:00",
        "ET",
        ("Global Sports Medicine Summit", "events@sportsmedsummit.example"),
        RSM,
        "Early-bird ends Friday: Global Sports Medicine Summit 2027 (earn up to 24 CME credits)",
        """
        Don't miss out!

        Join 3,000 clinicians in Scottsdale, March 4-7, 2027 for the Global Sports Medicine
        Summit. Earn up to 24 CME credits, network with leaders in the field and enjoy four
        days of sun.

        Early-bird pricing ends this Friday - save $400.

        Register now | View the agenda | Become an exhibitor

        You are receiving this email because you attended a previous event. Unsubscribe.
        """,
        headers={
            "List-Unsubscribe": "<https://sportsmedsummit.example/unsub>",
            "Precedence": "bulk",
        },
    )

    add(
        "webinar-prior-auth-ai",
        "2026-09-22 11:30",
        "ET",
        ("PriorAuthPro", "hello@priorauthpro.example"),
        RSM_BILL,
        "Free webinar: cut prior authorization denials by 40% with AI",
        """
        Hi there,

        Are prior authorization denials and pended requests eating your team's week?

        Join our free 30-minute webinar on October 1 to see how practices like yours use
        PriorAuthPro to submit authorization requests automatically, track appeals and reduce
        claim denials by up to 40%.

        Save my seat

        PriorAuthPro, Inc. | Unsubscribe
        """,
        headers={"Precedence": "bulk"},
    )

    add(
        "ooo-harcourt",
        "2026-09-10 16:21",
        "UK",
        HL_TRAINEE,
        MOT,
        "Automatic reply: Expert enquiry - care and OT needs report - Our ref: HL/4471/JS",
        """
        Thank you for your email. I am out of the office until Monday 14 September with
        limited access to email. For urgent matters please contact
        j.sandford@harcourtlyle.example.

        Oliver Brannigan
        """,
        headers={"Auto-Submitted": "auto-replied"},
    )

    add(
        "personal-book-club",
        "2026-09-25 20:10",
        "UK",
        ("Wren Hollis", "wren.hollis@fastmail.example"),
        MOT,
        "Book club - November pick",
        """
        Hi lovely,

        We've gone for the lighthouse novel for November (the one Bea lent round). Meeting at
        mine on the 19th, 7.30 - bring something sweet if you can!

        W x
        """,
    )

    add(
        "phish-mailbox-full",
        "2026-09-30 02:05",
        "UTC",
        ("Mail Administrator", "admin@secure-mailbox-verify.example"),
        MOT_ADMIN,
        "Your mailbox storage is full - verify now to avoid suspension",
        """
        Dear user,

        Your mailbox has exceeded its storage limit. You will not be able to send or receive
        new messages until you verify your account.

        VERIFY NOW: http://secure-mailbox-verify.example/login

        Failure to verify within 24 hours will result in permanent suspension.

        Mail Administrator
        """,
    )

    add(
        "shop-delivered",
        "2026-10-03 14:02",
        "ET",
        ("ShopDirect", "orders@shopdirect.example"),
        LOTUS_OFF,
        "Delivered: your order #112-5540091",
        """
        Your package was delivered.

        Order #112-5540091 - Ergonomic office chair, black
        Delivered to: front porch, 1:58 PM

        How was your delivery? Rate it now.
        """,
        headers={"Auto-Submitted": "auto-generated"},
    )

    add(
        "ot-business-tips",
        "2026-10-05 07:00",
        "UK",
        ("OT Business Hub", "tips@otbusinesshub.example"),
        MOT,
        "3 ways to price your independent OT services in 2027",
        """
        OT BUSINESS HUB - monthly tips for independent therapists

        1. Know your real hourly cost (travel time counts)
        2. Publish a clear cancellation policy
        3. Review your medico-legal rates every year

        Plus: our members' Q&A on marketing to case managers.

        Unsubscribe | Manage preferences
        """,
        headers={"List-Id": "<monthly.otbusinesshub.example>", "Precedence": "list"},
    )

    add(
        "chartnest-invoice",
        "2026-10-01 00:15",
        "ET",
        ("ChartNest Billing", "billing@chartnest.example"),
        RSM_PM,
        "Your ChartNest invoice for October 2026",
        """
        Hi Rosa,

        Your ChartNest subscription invoice is ready.

        Invoice: CN-2026-10-44817
        Plan: Practice Pro (3 providers)
        Amount: $447.00, charged to the card ending 1204 on October 1, 2026.

        View invoice | Billing settings

        ChartNest - the EHR that gets out of your way
        """,
        headers={"Auto-Submitted": "auto-generated"},
    )

    add(
        "pta-newsletter",
        "2026-10-09 15:30",
        "PT",
        ("Riverside Elementary PTA", "pta@riverside-elem.example"),
        RSM,
        "PTA news: fall festival volunteers needed!",
        """
        Hi Falcon families!

        The fall festival is October 24 and we still need volunteers for the bake sale,
        the bouncy castle and clean-up. Sign up on the sheet in the front office or reply to
        this email.

        Picture day retakes are October 28.

        Thanks!
        Riverside Elementary PTA
        """,
        headers={"List-Id": "<families.riverside-elem.example>"},
    )

    add(
        "spam-top-doctors",
        "2026-10-13 09:00",
        "UTC",
        ("Top Doctors Awards", "awards@topdocs-awards.example"),
        LOTUS,
        "You have been nominated: Top Integrative Physician 2027",
        """
        Dear Doctor,

        We are delighted to inform you that you have been nominated for the Top Integrative
        Physician 2027 award. To confirm your listing and receive your engraved plaque and
        digital badge, please complete the winner's package for $349.

        Confirm your award today!
        """,
    )

    add(
        "congress-call-abstracts",
        "2026-10-18 08:00",
        "ET",
        ("Integrative Health Congress", "info@ihcongress.example"),
        LOTUS,
        "Call for abstracts closes November 30 - Integrative Health Congress 2027",
        """
        Share your work with the integrative health community!

        Abstract submissions for the Integrative Health Congress 2027 (Denver, May 2027) close
        on November 30. Categories: clinical research, case reports, education, practice
        innovation. Exhibitor and sponsorship packages also available.

        Submit your abstract | Register | Unsubscribe
        """,
        headers={"Precedence": "bulk"},
    )

    add(
        "yoga-schedule",
        "2026-10-21 12:00",
        "PT",
        ("Sunrise Yoga Portland", "studio@sunriseyoga.example"),
        LOTUS,
        "November class schedule + new restorative series",
        None,
        html="""
        <html><body><h1>November at Sunrise Yoga</h1>
        <p>Our new six-week <b>Restorative Series</b> starts November 3. Early mornings are
        back on Tuesdays and Thursdays.</p>
        <p><a href="https://sunriseyoga.example/schedule">See the full schedule</a></p>
        <p style="font-size:10px">Unsubscribe</p></body></html>
        """,
        fmt="html",
        headers={"List-Id": "<news.sunriseyoga.example>"},
    )

    add(
        "fwd-weekend-photos",
        "2026-10-25 19:44",
        "UK",
        ("Imogen Pemberton", "imo.pemberton@fastmail.example"),
        MOT,
        "Fwd: photos from the weekend",
        """
        Forwarding Dad's email - he's worked out how to attach photos! Look at the state of
        the garden.

        I x
        """,
        fwd={
            "frm": "Geoffrey Pemberton <g.pemberton@oldmail.example>",
            "date": "Sun, 25 Oct 2026 at 17:02",
            "subject": "photos from the weekend",
            "to": "imo.pemberton@fastmail.example",
            "body": """
             Dear both, here are the photos from Saturday. The apple tree did well this year.
             Love, Dad
             """,
        },
    )

    add(
        "missed-delivery-phish",
        "2026-10-27 06:33",
        "UK",
        ("Parcel Notifications", "no-reply@parcel-notify.example"),
        MOT_ADMIN,
        "We missed you - reschedule your delivery",
        """
        We tried to deliver your item today but nobody was available to sign for it.

        A redelivery fee of £1.45 is due. Reschedule your delivery here:
        http://parcel-notify.example/redeliver

        If you do not reschedule within 48 hours your item will be returned to the sender.
        """,
    )

    add(
        "connectly-searches",
        "2026-10-29 13:00",
        "ET",
        ("Connectly", "notifications@connectly.example"),
        MOT,
        "You appeared in 12 searches this week",
        """
        Harriet, you appeared in 12 searches this week.

        People from Surrey County Council, a case management company and 2 other companies
        looked at your profile. See who's looking - try Premium free for 1 month.
        """,
        headers={"Auto-Submitted": "auto-generated"},
    )

    add(
        "bank-statement",
        "2026-11-01 05:00",
        "PT",
        ("Harbor Community Bank", "alerts@harborbank.example"),
        LOTUS_OFF,
        "Your October statement is ready",
        """
        Your business checking statement for the period ending 10/31/2026 is ready to view in
        online banking. For your security we never include account details in email.
        """,
        headers={"Auto-Submitted": "auto-generated"},
    )

    add(
        "spam-refer-friend",
        "2026-11-03 10:10",
        "ET",
        ("FreshPlate Meal Kits", "promo@meal-kits.example"),
        RSM,
        "Refer a friend and you both get $50 off",
        """
        Love FreshPlate? Share the love!

        Refer a friend and you'll both get $50 off your next box. Your personal referral
        link: https://meal-kits.example/r/NB2207

        Terms apply. Unsubscribe.
        """,
        headers={"Precedence": "bulk"},
    )

    add(
        "wellness-weekly",
        "2026-11-07 06:00",
        "ET",
        ("Wellness Weekly", "hello@wellnessweekly.example"),
        LOTUS,
        "Fall wellness: 7 cozy habits for better sleep",
        None,
        html="""
        <html><body style="background:#faf6f0"><h2>Fall wellness</h2>
        <p>As the nights draw in, try these 7 cozy habits for better sleep - from warm baths
        to screen-free evenings.</p>
        <p><a href="https://wellnessweekly.example/fall">Read more</a> | Unsubscribe</p>
        </body></html>
        """,
        fmt="html",
        headers={"List-Id": "<weekly.wellnessweekly.example>", "Precedence": "bulk"},
    )

    add(
        "dentist-reminder",
        "2026-11-10 09:00",
        "PT",
        ("BrightSmile Dental", "appointments@brightsmile-dental.example"),
        RSM,
        "Appointment reminder: Thursday, November 19 at 8:00 AM",
        """
        Hi Nathaniel,

        This is a reminder of your dental cleaning appointment on Thursday, November 19 at
        8:00 AM with Dr. Patel. Reply C to confirm or call us to reschedule.

        BrightSmile Dental
        """,
        headers={"Auto-Submitted": "auto-generated"},
    )

    add(
        "ot-list-dfg-portal",
        "2026-11-12 21:15",
        "UK",
        ("Morwenna Jolliffe", "mjolliffe@cornwall-ot.example"),
        ("OT Independents list", "ot-independents@lists.example"),
        "[ot-independents] Anyone used the new DFG portal?",
        """
        Evening all,

        Has anyone used the new online portal for submitting Disabled Facilities Grant
        recommendations yet? Ours went live this week and it doesn't seem to let you attach
        drawings. Any tips gratefully received!

        Morwenna

        --
        You received this message because you are subscribed to the OT Independents group.
        To unsubscribe, email ot-independents+unsubscribe@lists.example
        """,
        headers={
            "List-Id": "OT Independents <ot-independents.lists.example>",
            "Precedence": "list",
            "Delivered-To": MOT[1],
        },
    )

    add(
        "courier-scheduled",
        "2026-11-16 07:12",
        "ET",
        ("ParcelFast", "tracking@parcelfast.example"),
        RSM_FRONT,
        "Delivery scheduled for Tuesday",
        """
        Your ParcelFast delivery is scheduled for Tuesday, November 17.
        Tracking number: PF8849911023
        Sender: Summit Medical Supply

        Change delivery | Track
        """,
        headers={"Auto-Submitted": "auto-generated"},
    )

    add(
        "locum-recruiter",
        "2026-11-17 11:11",
        "ET",
        ("Dana Whitlock", "dana@medlocums.example"),
        RSM,
        "Locum opportunities in sports medicine - Colorado and Utah",
        """
        Hi Dr. Brandt,

        I came across your profile and wanted to share a few locum tenens opportunities in
        sports medicine (ski season coverage, December to April) in Colorado and Utah.
        Excellent daily rates, travel and housing covered, malpractice included.

        Would you be open to a quick call this week?

        Dana Whitlock
        Senior Recruiter, MedLocums
        """,
    )

    add(
        "survey-purchase",
        "2026-11-22 10:00",
        "ET",
        ("ShopDirect", "feedback@shopdirect.example"),
        LOTUS_OFF,
        "How did we do? Rate your recent purchase",
        """
        Thanks for shopping with us! Tell us about your recent purchase (Ergonomic office
        chair, black) - it only takes a minute.

        Rate your purchase: 1 2 3 4 5
        """,
        headers={"Precedence": "bulk"},
    )


# =========================================================================== output
# --------------------------------------------------------------------------- integrative week
# The integrative practice's own mail beyond the shared sections above: specialist labs'
# portals, dispensaries and a recall, allied practitioners and an EHR consult request,
# journals and CME, in the formats they arrive in.
VIBRANT = ("Vibrant Wellness Provider Portal", "no-reply@vibrant-wellness.com")
MOSAIC = ("Mosaic Diagnostics Client Services", "clientservices@mosaicdx.com")
BOSTONHEART = ("Boston Heart Diagnostics", "results@bostonheartdx.com")
EMERSON = ("Wellevate by Emerson Ecologics", "orders@wellevate.me")
DFH = ("Designs for Health Quality Assurance", "quality@designsforhealth.com")
AIHM = ("AIHM Education", "education@aihm.org")
GAHMJ = ("Global Advances in Integrative Medicine and Health", "gahmj-alerts@sagepub.com")
PUBMED = ("My NCBI", "efback@ncbi.nlm.nih.gov")
CASCADE_CHC = ("Cascade Community Health eConsult", "econsult-noreply@cascadechc.example")
STILLWATER = ("Ines Carvalho-Burke, LMT", "ines@stillwater-bodywork.example")
ALDER = ("Dr. Rowan Achterberg, DO", "referrals@alderstreet-osteopathy.example")


def integrative_week() -> None:
    add(
        "vibrant-kit-shipped",
        "2026-11-09 08:20",
        "PT",
        VIBRANT,
        LOTUS_OFF,
        "Test kit shipped to your patient",
        html="""
        <html><body>
        <h2>Vibrant Wellness</h2>
        <p>A test kit has shipped to your patient.</p>
        <table>
        <tr><td>Patient:</td><td>Calloway Brightmore</td></tr>
        <tr><td>DOB:</td><td>03/08/1976</td></tr>
        <tr><td>Panels:</td><td>Gut Zoomer 3.0, Food Sensitivity Complete</td></tr>
        <tr><td>Requisition #:</td><td>VW-2611-55820</td></tr>
        <tr><td>Carrier:</td><td>FedEx 7781 2290 4415</td></tr>
        </table>
        <p>Track the kit and the return of specimens in the provider portal.</p>
        <p>This is an automated message; replies are not monitored.</p>
        </body></html>
        """,
        fmt="html",
        label=("lab", "lab_result", "kit_shipped"),
    )

    add(
        "mosaic-specimen-issue",
        "2026-11-10 11:42",
        "CT",
        MOSAIC,
        LOTUS,
        "Specimen issue: Organic Acids Test - action needed",
        """
        Dear Dr. Okafor,

        We received the specimen below but cannot run it.

        Patient: Renée Duchamp-Wilde   DOB: 04/25/1978
        Test: Organic Acids Test (OAT)
        Accession #: MD-26-0913377
        Reason: specimen received without the completed requisition and 14 days after
        collection (stability limit 7 days frozen).

        A replacement kit can ship to the patient at no charge. Please confirm the shipping
        address by replying to this email or through the portal within 30 days, after which
        the order will be cancelled.

        Mosaic Diagnostics Client Services
        """,
        label=("lab", "lab_result", "specimen_issue"),
    )

    add(
        "emerson-order-shipped",
        "2026-11-12 13:05",
        "ET",
        EMERSON,
        LOTUS_OFF,
        "Your Wellevate order WV-4418203 has shipped",
        """
        Wellevate by Emerson Ecologics

        Good news: your practice order has shipped.

        Order #: WV-4418203
        Ship to: Lotus Integrative Health, 41 Willow Court, Portland, OR 97000
        Carrier: UPS 1Z 88A 7E2 03 4471 2290

          Qty  Product
          12   Berberine 500 mg, 60 capsules
          6    Omega-3 fish oil 1,000 mg, 120 softgels
          6    Vitamin D3 5,000 IU with K2, 60 capsules

        Questions about your order? Call our customer care team.
        """,
        fmt="b64",
        label=("supplier", "supplement_order", "shipped"),
    )

    add(
        "bostonheart-results",
        "2026-11-13 09:30",
        "ET",
        BOSTONHEART,
        LOTUS,
        "Results available: Boston Heart Cardiometabolic Panel",
        """
        Dear Dr. Okafor,

        Final results are available in the Boston Heart provider portal.

        Patient: Philippa Nakashima-Trent   DOB: 05/17/1964
        Panel: Cardiometabolic Risk Panel with insulin resistance score
        Accession #: BH-26-7741092
        Collected: 11/09/2026

        Two results are flagged outside the reference range. Log in to review the full
        report and the lifestyle recommendations for your patient.

        Boston Heart Diagnostics Client Services
        """,
        label=("lab", "lab_result", "results_ready"),
        pdfs=["Boston Heart report BH-26-7741092.pdf"],
    )

    add(
        "dfh-recall-notice",
        "2026-11-16 07:55",
        "ET",
        DFH,
        LOTUS,
        "Voluntary product recall: Magnesium Malate 180 capsules, lot 240917",
        html="""
        <html><body>
        <h2>Voluntary product recall</h2>
        <p>Dear Practitioner,</p>
        <p>Designs for Health is voluntarily recalling one lot of the product below because
        of a labeling error: the capsules contain magnesium glycinate, not magnesium malate,
        at the stated dose. No adverse events have been reported.</p>
        <table>
        <tr><td>Product:</td><td>Magnesium Malate, 180 capsules</td></tr>
        <tr><td>Lot:</td><td>240917</td></tr>
        <tr><td>Expiration:</td><td>09/2028</td></tr>
        <tr><td>Shipped:</td><td>September 20 to October 30, 2026</td></tr>
        </table>
        <p>Please stop dispensing this lot, quarantine your stock, and contact any patients
        you supplied from it. Return unopened stock using the prepaid label in the
        practitioner portal for a full credit.</p>
        <p>Designs for Health Quality Assurance</p>
        </body></html>
        """,
        fmt="html",
        label=("supplier", "supplement_order", "recall"),
    )

    add(
        "econsult-request-pcp",
        "2026-11-16 10:14",
        "PT",
        CASCADE_CHC,
        LOTUS,
        "eConsult request: integrative medicine consultation - referral ref ECR-2026-30418",
        """
        Cascade Community Health - eConsult

        You have a new referral request from an outside provider.

        Referral ref: ECR-2026-30418
        Referring provider: Dr. Annika Solberg-Hayes, MD (Family Medicine)
        Patient: Wendell Ashgrove   DOB: 12/02/1958
        Reason for referral: fibromyalgia with poor sleep; wishes to reduce opioid use;
        requests an integrative consultation (nutrition, acupuncture, mind-body).
        Urgency: routine
        Attachments: last clinic note, medication list, labs (08/2026)

        Please accept or decline this referral and schedule the patient within 30 days.
        Reply through the eConsult portal; this mailbox is not monitored.
        """,
        label=("referral", "referral", "new"),
    )

    add(
        "stillwater-referral",
        "2026-11-19 16:40",
        "PT",
        STILLWATER,
        LOTUS,
        "Referral: Paloma Westergaard - integrative assessment for tension headaches",
        """
        Dear Dr. Okafor,

        I would like to refer a client of mine for an integrative assessment.

        Client: Paloma Westergaard   DOB: 06/19/1991
        She has had tension-type headaches three or four days a week since a desk-job
        change in the spring; massage helps for a day or two. She also reports poor sleep
        and bloating. She would like a medical and nutritional assessment alongside our
        work, and has consented to this referral and to us sharing notes.

        I am happy to coordinate care. My direct line is (555) 010-4412.

        Warm regards,
        Ines Carvalho-Burke, LMT
        Stillwater Bodywork
        """,
        label=("referral", "referral", "new"),
    )

    add(
        "alder-osteo-referral",
        "2026-11-20 11:05",
        "PT",
        ALDER,
        LOTUS_OFF,
        "New patient referral - Ignatius Farraday-Moss",
        html="""
        <html><body>
        <p>Dear Dr. Okafor,</p>
        <p>Please see the patient below for an integrative medicine consultation.</p>
        <p><b>Patient:</b> Ignatius Farraday-Moss &nbsp; <b>DOB:</b> 10/02/1962<br>
        <b>Referral ref:</b> ASO-26-0719<br>
        <b>Reason:</b> chronic low back pain with osteoarthritis of both knees; weight gain
        and prediabetes (HbA1c 6.1%). He has responded to osteopathic manipulation and
        would like help with nutrition, weight and inflammation.</p>
        <p>Our last visit note and his recent labs are attached.</p>
        <p>With thanks,<br>Dr. Rowan Achterberg, DO<br>Alder Street Osteopathy</p>
        </body></html>
        """,
        fmt="html",
        label=("referral", "referral", "new"),
        pdfs=["Alder Street visit note.pdf"],
    )

    add(
        "ifm-module-reminder",
        "2026-11-18 12:20",
        "PT",
        IFM,
        LOTUS,
        "Reminder: Advanced Practice Module (Cardiometabolic) starts next week",
        """
        Dear Dr. Okafor,

        This is a reminder that the Advanced Practice Module: Cardiometabolic starts next
        week. The pre-course reading and the case workbook are in your learning portal;
        please complete the pre-course assessment before the first live session.

        Live sessions: December 3-5, 2026 (online), 9:00 AM to 4:30 PM Pacific
        CME: up to 20 AMA PRA Category 1 Credits(TM) for the full module

        The Institute for Functional Medicine - Education
        """,
        label=("cme", "cme", "reminder"),
    )

    add(
        "fullscript-patient-order",
        "2026-11-19 08:45",
        "ET",
        FULLSCRIPT,
        LOTUS_OFF,
        "Patient order placed from your recommendation",
        """
        Fullscript

        Your patient placed an order from your recommendation.

        Order #: FS-90311876
        Patient: P. Westergaard
        Products:
          1 x Magnesium glycinate 120 mg, 90 capsules
          1 x Probiotic 50B, 30 capsules

        The order ships from our warehouse in 1-2 business days. You can view the order and
        adherence in your Fullscript dashboard.
        """,
        label=("supplier", "supplement_order", "order_confirmed"),
    )

    add(
        "aihm-conference-registration",
        "2026-11-12 15:00",
        "ET",
        AIHM,
        LOTUS,
        "Registration confirmed: AIHM Winter Intensive 2027",
        """
        Dear Dr. Okafor,

        Thank you for registering for the AIHM Winter Intensive, January 22-24, 2027
        (virtual). Your registration number is AIHM-27-01882.

        Up to 16 AMA PRA Category 1 Credits(TM) are available for attending the live
        sessions. A calendar invitation is attached; the joining links will be sent the
        week before.

        Academy of Integrative Health and Medicine - Education Team
        """,
        label=("cme", "cme", "registration"),
        ics=invite(
            "aihm-winter-intensive-2027@aihm.org",
            "AIHM Winter Intensive 2027 (virtual)",
            "Online",
            "20270122T090000",
            "20270122T170000",
            AIHM,
            [LOTUS],
            tzid="America/Los_Angeles",
        ),
        ics_style="attach",
    )

    add(
        "gahmj-etoc",
        "2026-11-20 05:30",
        "ET",
        GAHMJ,
        LOTUS,
        "GAHMJ: new articles online - November 2026",
        html="""
        <html><body>
        <h3>Global Advances in Integrative Medicine and Health</h3>
        <p>New articles online - November 2026 (Volume 15)</p>
        <ul>
        <li>Acupuncture for chronic migraine in primary care: a pragmatic trial</li>
        <li>Berberine and metformin for prediabetes: a systematic review</li>
        <li>Group mind-body programmes for fibromyalgia: a cohort study</li>
        </ul>
        <p><a href="https://journals.example/gahmj/toc/15">Read the issue</a></p>
        <p>You are receiving this alert because you signed up for GAHMJ email alerts.
        Manage your alerts or unsubscribe.</p>
        </body></html>
        """,
        fmt="html",
        label=("research", "research", "toc"),
        headers={
            "List-Id": "<gahmj-etoc.sagepub.com>",
            "List-Unsubscribe": "<https://sage.example/u>",
        },
    )

    add(
        "pubmed-alert",
        "2026-11-21 03:10",
        "ET",
        PUBMED,
        LOTUS,
        "What's new for 'low FODMAP irritable bowel' in PubMed",
        """
        This message contains My NCBI what's new results from the National Center for
        Biotechnology Information (NCBI) at the U.S. National Library of Medicine (NLM).

        Search: low FODMAP irritable bowel
        Your weekly digest: 3 new citations this week:

        1. Low-FODMAP diet versus standard dietary advice for IBS: a randomized trial.
        2. Reintroduction phase outcomes after a low-FODMAP diet: a cohort study.
        3. Gut-directed hypnotherapy and diet for IBS: a network meta-analysis.

        View complete results in PubMed:
        https://pubmed.ncbi.nlm.nih.gov/?term=low+FODMAP+irritable+bowel

        To change your email alert preferences or unsubscribe, log in to My NCBI.
        """,
        label=("research", "research", "digest"),
        headers={"List-Unsubscribe": "<https://www.ncbi.nlm.nih.gov/account/settings/>"},
    )

    add(
        "fwd-willow-newsletter",
        "2026-11-20 17:30",
        "PT",
        LOTUS_OFF,
        LOTUS,
        "Fwd: Willow Point holiday hours",
        """
        FYI for scheduling the shared patients in December.

        Tomasz
        """,
        fwd={
            "frm": "Willow Point Acupuncture <hello@willowpoint-acu.example>",
            "date": "Fri, Nov 20, 2026 at 2:02 PM",
            "subject": "Willow Point holiday hours",
            "to": "office@lotus-integrative.example",
            "body": """
             Hello friends and colleagues,

             Our clinic will be closed December 24 to January 1. Our last day for new
             patient visits this year is December 18. Happy holidays!

             Willow Point Acupuncture
             """,
        },
    )

    add(
        "ehr-maintenance-notice",
        "2026-11-22 09:00",
        "PT",
        ("Practice Better", "updates@practicebetter.example"),
        LOTUS_OFF,
        "Scheduled maintenance: Saturday, November 28",
        """
        Practice Better will be unavailable for scheduled maintenance on Saturday,
        November 28 from 1:00 to 3:00 AM Pacific. Client portals and online booking will be
        offline during this window. No action is needed.

        The Practice Better team
        """,
    )

    add(
        "patient-portal-message",
        "2026-11-23 07:10",
        "PT",
        ("Lotus Integrative Health Patient Portal", "portal@notify.lotus-integrative.example"),
        LOTUS,
        "You have a new secure message",
        """
        You have a new secure message in the Lotus Integrative Health patient portal.

        For your privacy, the message is not included in this email. Log in to the portal to
        read and reply.
        """,
    )

    add(
        "omb-renewed",
        "2026-11-12 10:00",
        "PT",
        OMB,
        LOTUS,
        "License renewal complete",
        """
        Dear Dr. Okafor,

        Your Oregon medical license renewal has been processed.

        License number: MD212345
        New expiration date: 12/31/2028

        You can verify your license at any time through the Board's online license lookup.

        Oregon Medical Board - Licensing
        """,
        label=("credentialing", "credential", "renewed"),
    )


def all_messages() -> list[Spec]:
    if not SPECS:
        payers_us()
        payers_uk()
        solicitors()
        local_authorities()
        referrals()
        teams()
        labs()
        cme()
        credentialing()
        suppliers()
        research()
        noise()
        demo_week()
        integrative_week()
    order = list(SPECS)
    return sorted(SPECS.values(), key=lambda s: (s.dt.astimezone(UTC), order.index(s.slug)))


# =========================================================================== the calendars
# Each practice's own calendar as its practitioner keeps it: a recurring clinic day, an admin
# block on the demo's day (24 November 2026) and the appointments and fixtures of the days
# around it. Times without a zone are the practice's local time (RFC 5545 3.3.5 floating).


@dataclass
class Event:
    uid: str
    start: str  # YYYYMMDD (all day), YYYYMMDDTHHMMSS (local) or ...Z (UTC)
    end: str
    summary: str
    description: str = ""
    location: str = ""
    rrule: str = ""
    stamp: str = "20261101T080000Z"


def calendar(events: list[Event]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Practice Chief of Staff//demo calendar//EN",
        "CALSCALE:GREGORIAN",
    ]
    for event in events:
        kind = ";VALUE=DATE" if len(event.start) == 8 else ""
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}@practice-chief.example",
            f"DTSTAMP:{event.stamp}",
            f"DTSTART{kind}:{event.start}",
            f"DTEND{kind}:{event.end}",
        ]
        if event.rrule:
            lines.append(f"RRULE:{event.rrule}")
        lines.append(f"SUMMARY:{_ics_escape(event.summary)}")
        if event.location:
            lines.append(f"LOCATION:{_ics_escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_ics_escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\n".join(_fold(line).replace("\r\n", "\n") for line in lines) + "\n"


def _clinic_days(days: str, admin: str = "20261124T140000Z") -> list[Event]:
    """The practitioner's own recurring clinic day and a two-hour admin block on the demo's
    day, starting at ``admin`` (UTC: the calendar app wrote it so)."""
    return [
        Event(
            "demo-clinic-session",
            "20260901",
            "20260902",
            "Clinic day",
            "The practitioner's own recurring event: the bot never changes it.",
            rrule=f"FREQ=WEEKLY;BYDAY={days}",
            stamp="20260901T080000Z",
        ),
        Event(
            "demo-admin-block",
            admin,
            admin[:9] + f"{int(admin[9:11]) + 2:02d}" + admin[11:],
            "Admin block: letters and reports",
            stamp="20260901T080000Z",
        ),
    ]


def sports_medicine_calendar() -> str:
    return calendar(
        [
            *_clinic_days("MO,WE,TH"),
            Event(
                "demo-appt-elbow-followup",
                "20261124T113000",
                "20261124T120000",
                "Elbow follow-up",
                "UHC ref UHC-PA-7731920 (PRP denied, appeal upheld): discuss the options.",
            ),
            Event(
                "demo-sideline-rchs-playoff",
                "20261127T173000",
                "20261127T220000",
                "Sideline coverage: RCHS Falcons playoff quarterfinal",
                "Pre-game medical meeting 5:45 PM with the visiting ATC; Kelsey Drummond on "
                "the sideline. Concussion kit and AED checked.",
                location="Falcon Stadium, Riverside Central High School",
                stamp="20261110T080000Z",
            ),
            Event(
                "demo-appt-mri-shoulder",
                "20261127T090000",
                "20261127T100000",
                "MRI right shoulder (CPT 73221)",
                "Carelon ref CRL-2026-7740215",
                location="Riverside Imaging Center",
                stamp="20261118T080000Z",
            ),
            Event(
                "demo-matchday-rovers",
                "20261128T164500",
                "20261128T210000",
                "Matchday doctor: Riverside Rovers v Foothill Rangers (cup)",
                "Medical briefing with the referee and the away physio at 4:45 PM.",
                location="Rovers Park",
                stamp="20261110T080000Z",
            ),
            Event(
                "demo-appt-mri-knee",
                "20261130T083000",
                "20261130T093000",
                "MRI left knee",
                "eviCore case EVC-2026-118842",
                location="Riverside Imaging Center",
                stamp="20261118T080000Z",
            ),
            Event(
                "demo-cpu-training-room",
                "20261201T150000",
                "20261201T170000",
                "Cascade Pacific training-room clinic",
                "Weekly athlete injury clinic with the athletic training staff.",
                location="Whitcombe Fieldhouse, Cascade Pacific University",
                rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6",
                stamp="20261015T080000Z",
            ),
        ]
    )


def occupational_therapy_calendar() -> str:
    return calendar(
        [
            *_clinic_days("MO,TU,TH"),
            Event(
                "demo-home-visit-dfg",
                "20261125T100000",
                "20261125T113000",
                "Home visit: adaptations assessment (Waverley DFG)",
                "Stairlift and level-access shower: measure and photograph; bring the "
                "trusted assessor forms.",
                location="Farnham",
                stamp="20261105T080000Z",
            ),
            Event(
                "demo-school-observation",
                "20261126T090000",
                "20261126T120000",
                "School observation for EHC needs assessment advice (Norfolk)",
                "Classroom and playground observation; meet the SENCo at 11:30.",
                location="Broadland Primary School",
                stamp="20261105T080000Z",
            ),
            Event(
                "demo-medico-legal-examination",
                "20261127T100000",
                "20261127T123000",
                "Medico-legal examination: care and OT needs (HL/4471/JS)",
                "Harcourt Lyle instruction: home visit, claimant and partner; allow 2.5 hours.",
                location="Claimant's home, Reading",
                stamp="20261105T080000Z",
            ),
            Event(
                "demo-supervision",
                "20261201T160000",
                "20261201T170000",
                "Clinical supervision (monthly)",
                rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
                stamp="20260901T080000Z",
            ),
        ]
    )


def integrative_medicine_calendar() -> str:
    return calendar(
        [
            *_clinic_days("MO,TU,WE,FR", admin="20261124T210000Z"),
            Event(
                "demo-appt-integrative-followup",
                "20261124T100000",
                "20261124T104500",
                "Follow-up: results review (integrative)",
                "Patient: Marguerite Oyelaran DOB: 02/14/1970\nReview the labs and the "
                "supplement protocol.",
            ),
            Event(
                "demo-new-patient-intake",
                "20261125T090000",
                "20261125T103000",
                "New patient intake (90 minutes)",
                "Intake forms and prior labs in the chart before the visit.",
                stamp="20261118T080000Z",
            ),
            Event(
                "demo-dispensary-stock-check",
                "20261127T130000",
                "20261127T140000",
                "Dispensary stock check and recall log",
                "Count the shelf stock; check lot numbers against open recalls.",
                rrule="FREQ=MONTHLY;BYDAY=-1FR;COUNT=6",
                stamp="20260901T080000Z",
            ),
            Event(
                "demo-case-conference-acupuncture",
                "20261201T123000",
                "20261201T130000",
                "Case conference: Willow Point Acupuncture (shared patients)",
                location="Phone",
                stamp="20261110T080000Z",
            ),
        ]
    )


CALENDARS = {
    "sports-medicine-us": sports_medicine_calendar,
    "occupational-therapy-uk": occupational_therapy_calendar,
    "integrative-medicine": integrative_medicine_calendar,
}


def practice_of(spec: Spec) -> str:
    """The demo practice a message belongs to: the one whose own domain it is addressed to
    (To, Cc) or, for list mail and blind copies, delivered to (``Delivered-To``)."""
    addresses = [a for _, a in spec.to + spec.cc]
    if "Delivered-To" in spec.headers:
        addresses.append(spec.headers["Delivered-To"])
    found = {OWN_DOMAINS.get(a.rpartition("@")[2].lower()) for a in addresses} - {None}
    if len(found) != 1:
        raise SystemExit(f"{spec.slug}: addressed to {len(found)} demo practices, not one")
    return found.pop()  # type: ignore[return-value]


def by_practice() -> dict[str, list[Spec]]:
    """Each practice's messages in date order."""
    out: dict[str, list[Spec]] = {name: [] for name in PRACTICE_NAMES}
    for spec in all_messages():
        out[practice_of(spec)].append(spec)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=PRACTICES_DIR,
        help="folder of the practices (writes <practice>/mailbox/new and calendar.ics)",
    )
    parser.add_argument("--labels", type=Path, default=HERE / "mailbox-labels.csv")
    args = parser.parse_args(argv)

    specs = all_messages()
    for spec in specs:
        if spec.parent and SPECS[spec.parent].dt >= spec.dt:
            raise SystemExit(f"{spec.slug}: replies to a later message")
        if spec.parent and practice_of(SPECS[spec.parent]) != practice_of(spec):
            raise SystemExit(f"{spec.slug}: replies to another practice's message")
    rows = []
    for practice, mine in by_practice().items():
        folder = args.out / practice / "mailbox"
        new = folder / "new"
        new.mkdir(parents=True, exist_ok=True)
        for old in new.iterdir():
            if old.is_file() and old.name[:4].isdigit():
                old.unlink()
        for number, spec in enumerate(mine, 1):
            name = f"{number:04d}-{spec.slug}"
            (new / name).write_bytes(build(spec))
            rows.append((practice, name, *spec.label))
        calendar = CALENDARS[practice]()
        (args.out / practice / "calendar.ics").write_bytes(calendar.encode("utf-8"))
        print(f"{practice}: {len(mine)} messages in {new}")
    with args.labels.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["practice", "file", "category", "case_kind", "event"])
        writer.writerows(rows)
    print(f"labels for {len(rows)} messages in {args.labels}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
