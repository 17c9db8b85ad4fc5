"""CME and CPD: credits read from certificates, counted against the register's requirements.

Terminology
-----------
CERTIFICATE
    A message the rules classify as category ``cme``, event ``certificate`` (``rules/cme.yaml``).
    Its refs give the credits (``credits``: "6.5 AMA PRA Category 1 Credits", "3 CPD hours";
    else ``cme_labelled``, "CPD hours: 3", or ``cme_hours``, "1.5 hours of CPD"),
    the course (``cme_course``), the completion date (``cme_date``, else the message's date) and
    two markers: ``cme_total`` (a credit *statement* or transcript totalling earlier
    certificates) and ``cme_pending`` (credits promised once an evaluation is completed).
STATUS
    ``counted`` (a certificate with credits), ``pending`` (promised, not yet earned),
    ``statement`` (a provider's running total: shown, never added, or every credit would count
    twice), ``unread`` (a certificate whose credit figure the rules could not find: check it).
REQUIREMENT
    ``cme:`` in the register (:mod:`bot.register.register`): credits to earn between two dates.
    Counted certificates completed within the period add up; the same course from the same
    provider on the same date with the same credits counts once (a certificate sent twice).

Storage: each certificate is a closed case of kind ``cme`` (its provider the case's party) with
one reference ``cme_certificate`` holding a compact JSON record (id, status, credits, date,
course), so the case log needs no table of its own. Recording happens in the pipeline inside
the message's transaction, so a message read twice records once. No patient data is involved.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.register.register import CmeRequirement
from bot.rules.stated_dates import parse_date
from bot.store.models import Case, CaseEvent, CaseRef, Party
from bot.sync.matching import case_key
from bot.sync.steps import FiledMessage, SyncReport

if TYPE_CHECKING:
    from bot.sync.runtime import Runtime

__all__ = [
    "CERTIFICATE_REF",
    "CertificateLine",
    "CpdStatus",
    "RequirementProgress",
    "certificate_record",
    "certificate_step",
    "cpd_progress",
    "cpd_status",
    "load_certificates",
    "record_certificate",
]

log = logging.getLogger(__name__)

CERTIFICATE_REF = "cme_certificate"
_VALUE_LIMIT = 200  # CaseRef.value
Status = Literal["counted", "pending", "statement", "unread"]


@dataclass(frozen=True, slots=True)
class CertificateLine:
    """One certificate as recorded. ``credits`` is 0.0 when ``status`` is ``unread``."""

    id: str
    status: Status
    credits: float
    completed: date
    course: str | None = None
    provider: str | None = None


@dataclass(frozen=True, slots=True)
class RequirementProgress:
    """Progress against one requirement on ``today``.

    ``status``: ``met``, ``on_track`` (at least the share of ``required`` that the elapsed
    share of the period calls for), ``behind``, ``not_started`` (period ahead), ``short``
    (period over, not met). ``certificates``: the counted ones within the period, oldest first.
    """

    id: str
    name: str
    unit: str
    required: float
    earned: float
    pending: float
    remaining: float
    period_start: date
    period_end: date
    days_left: int
    status: Literal["met", "on_track", "behind", "not_started", "short"]
    credential: str | None = None
    certificates: tuple[CertificateLine, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("period_start", "period_end"):
            data[key] = data[key].isoformat()
        for line in data["certificates"]:
            line["completed"] = line["completed"].isoformat()
        return data


@dataclass(frozen=True, slots=True)
class CpdStatus:
    """What ``chief cpd`` shows: each requirement's progress, and every certificate on record."""

    today: date
    requirements: list[RequirementProgress] = field(default_factory=list)
    certificates: list[CertificateLine] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "requirements": [r.as_dict() for r in self.requirements],
            "certificates": [
                {**asdict(c), "completed": c.completed.isoformat()} for c in self.certificates
            ],
        }


# ------------------------------------------------------------------ reading a certificate


def _number(text: str | None) -> float | None:
    try:
        return round(float(text), 2) if text else None
    except ValueError:
        return None


def certificate_record(
    key: str, refs: dict[str, str], sent: date, day_first: bool
) -> dict[str, Any]:
    """The record stored for one certificate message (``key``: the message's key)."""
    total = _number(refs.get("cme_total"))
    credits = _number(refs.get("credits") or refs.get("cme_labelled") or refs.get("cme_hours"))
    status: Status
    if total is not None:
        status, credits = "statement", total
    elif refs.get("cme_pending"):
        status = "pending"
    else:
        status = "counted"
    if credits is None:
        status, credits = "unread", 0.0
    completed = parse_date(refs.get("cme_date", ""), sent, day_first) or sent
    if completed > sent:  # a completion date after the certificate arrived is a misreading
        completed = sent
    record: dict[str, Any] = {
        "id": key[:12],
        "status": status,
        "credits": credits,
        "date": completed.isoformat(),
    }
    course = " ".join((refs.get("cme_course") or "").split())
    if course:
        room = _VALUE_LIMIT - len(_dump({**record, "course": ""}))
        record["course"] = course if len(course) <= room else course[: room - 1] + "…"
    return record


def _dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def record_certificate(filed: FiledMessage) -> bool:
    """Record a CME certificate message (no commit); return True when it opened a case.

    Anything but a ``cme`` / ``certificate`` classification is left alone. The message's own
    case is used when it was filed on a ``cme`` case; otherwise a closed ``cme`` case is opened
    for the certificate and the message filed on it.
    """
    session, practice_id, row, message = (
        filed.session,
        filed.rt.practice_id,
        filed.row,
        filed.message,
    )
    result, case, party = filed.result, filed.case, filed.party
    sent, now, day_first = filed.day, filed.now, filed.day_first
    if result.category != "cme" or result.event != "certificate":
        return False
    record = certificate_record(row.key, result.refs, sent, day_first)
    opened = False
    if case is None or case.kind != "cme":
        case = Case(
            key=case_key("cme", row, message),
            practice_id=practice_id,
            kind="cme",
            status=record["status"],
            party_id=party.id if party is not None else None,
            opened_at=now,
            updated_at=now,
            closed=True,  # a record, not work waiting: kept out of `chief cases`
        )
        session.add(case)
        session.flush()
        row.case_id, row.match_how, opened = case.id, "opened", True
        session.add(
            CaseEvent(
                case_id=case.id,
                message_id=row.id,
                event=result.event or "certificate",
                rule_id=result.rule_id,
                at=(message.date or now).astimezone(UTC),  # in UTC: SQLite keeps no zone
            )
        )
    value = _dump(record)
    taken = session.scalar(
        select(CaseRef.id).where(
            CaseRef.practice_id == practice_id,
            CaseRef.name == CERTIFICATE_REF,
            CaseRef.value == value,
        )
    )
    if taken is None:
        session.add(
            CaseRef(practice_id=practice_id, case_id=case.id, name=CERTIFICATE_REF, value=value)
        )
    log.debug(
        "message %s: CME certificate %s (%s)", message.fingerprint, record["id"], record["status"]
    )
    return opened


# ------------------------------------------------------------------ counting


def load_certificates(session: Session, practice_id: int) -> list[CertificateLine]:
    """Every certificate on record, oldest first."""
    rows = session.execute(
        select(CaseRef.value, Party.name)
        .join(Case, Case.id == CaseRef.case_id)
        .outerjoin(Party, Party.id == Case.party_id)
        .where(CaseRef.practice_id == practice_id, CaseRef.name == CERTIFICATE_REF)
    ).all()
    out: list[CertificateLine] = []
    for value, provider in rows:
        try:
            data = json.loads(value)
            out.append(
                CertificateLine(
                    id=str(data["id"]),
                    status=data["status"],
                    credits=float(data["credits"]),
                    completed=date.fromisoformat(data["date"]),
                    course=data.get("course"),
                    provider=provider,
                )
            )
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable CME certificate record skipped")
    out.sort(key=lambda c: (c.completed, c.id))
    return out


def _distinct(certificates: Iterable[CertificateLine]) -> list[CertificateLine]:
    """Counted certificates once each, and pending ones no certificate has since redeemed."""
    seen: set[tuple[Any, ...]] = set()
    counted: list[CertificateLine] = []
    pending: list[CertificateLine] = []
    for line in certificates:
        if line.status == "counted":
            identity = (line.provider, (line.course or "").lower(), line.completed, line.credits)
            if identity not in seen:
                seen.add(identity)
                counted.append(line)
        elif line.status == "pending":
            pending.append(line)
    redeemed = {(c.provider, c.credits) for c in counted}
    return counted + [p for p in pending if (p.provider, p.credits) not in redeemed]


def cpd_progress(
    requirements: Sequence[CmeRequirement],
    certificates: Sequence[CertificateLine],
    today: date,
) -> list[RequirementProgress]:
    """Each requirement's progress on ``today`` (see :class:`RequirementProgress`)."""
    lines = _distinct(certificates)
    out: list[RequirementProgress] = []
    for req in requirements:
        within = [c for c in lines if req.period_start <= c.completed <= req.period_end]
        counted = tuple(c for c in within if c.status == "counted")
        earned = round(float(sum(c.credits for c in counted)), 2)
        pending = round(float(sum(c.credits for c in within if c.status == "pending")), 2)
        length = (req.period_end - req.period_start).days + 1
        elapsed = min(max((today - req.period_start).days + 1, 0), length)
        status: Literal["met", "on_track", "behind", "not_started", "short"]
        if earned >= req.required:
            status = "met"
        elif today > req.period_end:
            status = "short"
        elif today < req.period_start:
            status = "not_started"
        elif earned >= req.required * elapsed / length:
            status = "on_track"
        else:
            status = "behind"
        out.append(
            RequirementProgress(
                id=req.id,
                name=req.name,
                unit=req.unit,
                required=req.required,
                earned=earned,
                pending=pending,
                remaining=round(max(req.required - earned, 0.0), 2),
                period_start=req.period_start,
                period_end=req.period_end,
                days_left=(req.period_end - today).days,
                status=status,
                credential=req.credential,
                certificates=counted,
            )
        )
    return out


def cpd_status(rt: Runtime) -> CpdStatus:
    """Progress for the practice of ``rt`` today, against its register's requirements."""
    today = rt.today()
    register = rt.register()  # read once per version of the file
    requirements: list[CmeRequirement] = register.cme if register is not None else []
    with rt.sessions() as session:
        certificates = load_certificates(session, rt.practice_id)
    return CpdStatus(today, cpd_progress(requirements, certificates, today), certificates)


def certificate_step(filed: FiledMessage, report: SyncReport) -> None:
    """Message step: a CME certificate's credits, filed against the practice's CME case."""
    report.cases_opened += record_certificate(filed)
