"""The audit trail: one row for every write chief makes outside its case log.

Every writer (:mod:`bot.sync.effects` for drafts, renewal checklists among them, calendar
entries and category labels, :mod:`bot.summary.job` for the summary,
:mod:`bot.features.research_digest`, :mod:`bot.features.retention` for ``chief forget``)
records through :func:`record_audit`, in the same transaction as the row it marks done, so the
trail and the case log never disagree. ``chief audit`` reads it back.

Terminology
-----------
ACTION
    What was done, ``noun.verb``: ``draft.create``, ``draft.reconcile`` (found on the remote
    side after a crash: written once, recorded late), ``calendar.upsert``, ``labels.apply``,
    ``summary.deliver``, ``research.digest``, ``case.forget`` (``checklist.create`` and
    ``checklist.reconcile`` in a trail written before renewal checklists became drafts).
KEY
    The idempotency key stored on the remote object (``target`` column), so an entry can be
    matched with the draft or event it names; for ``case.forget``, the case's short id.
REMOTE ID
    The connector's id of what it wrote (a Maildir file name, an IMAP UID, a Gmail draft id).
CONNECTOR
    The connector's registered name (``maildir``, ``imap``, ``gmail``, ``caldav``, ``smtp``...).
RULE, CASE
    Why: the rule that planned the action and the case it belongs to, when there is one.
ACTOR
    ``chief`` for what a sync or the scheduler did, ``user`` for a command someone typed,
    ``retention`` for what ``[retention]`` did on its own.

Ids and keys only: an entry never holds a subject line, a name or a body, and ``chief audit``
prints nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.store.case_ids import short_case_id
from bot.store.models import AuditEvent

if TYPE_CHECKING:
    from bot.sync.runtime import Runtime

__all__ = [
    "AuditEntry",
    "audit_trail",
    "connector_name",
    "format_audit_entry",
    "parse_since",
    "record_audit",
]

Role = Literal["mail", "calendar", "summary"]

_DURATION = re.compile(r"(\d+)\s*([mhdw])", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def connector_name(rt: Runtime, role: Role) -> str:
    """The configured connector that does ``role``'s writes: drafts (``mail``), calendar
    entries (``calendar``), the daily summary (``summary``: the mailbox, or SMTP)."""
    config = rt.config
    if role == "summary" and config.summary.via != "mailbox":
        return str(config.smtp.get("connector", "smtp"))
    if role == "calendar":
        return str(config.calendar.get("connector", "ics"))
    return str(config.mail.get("connector", "maildir"))


def record_audit(
    session: Session,
    rt: Runtime,
    action: str,
    key: str,
    *,
    remote_id: str | None = None,
    connector: str | None = None,
    case_id: int | None = None,
    rule: str | None = None,
    detail: str | None = None,
    actor: str = "chief",
) -> AuditEvent:
    """Add one entry to ``session`` (the caller commits, with the row the write marks done)."""
    event = AuditEvent(
        practice_id=rt.practice_id,
        at=rt.now(),
        actor=actor,
        action=action,
        target=key[:64],
        remote_id=None if remote_id is None else str(remote_id)[:500],
        connector=connector,
        case_id=case_id,
        rule=rule,
        detail=detail,
    )
    session.add(event)
    return event


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry as ``chief audit`` shows it."""

    at: datetime
    actor: str
    action: str
    connector: str | None
    key: str
    remote_id: str | None
    case: str | None  # short id, as the summary shows it
    case_number: int | None
    rule: str | None
    detail: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "connector": self.connector,
            "key": self.key,
            "remote_id": self.remote_id,
            "case": self.case,
            "case_number": self.case_number,
            "rule": self.rule,
            "detail": self.detail,
        }


def parse_since(text: str, now: datetime) -> datetime:
    """``--since``: a date (``2026-11-01``, midnight in ``now``'s zone), a date and time
    (``2026-11-01T09:30``), or a duration back from ``now`` (``90m``, ``12h``, ``7d``,
    ``2w``, or ``1w3d``)."""
    raw = text.strip()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        pass
    else:
        return datetime.combine(day, time(0), now.tzinfo)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        pass
    else:
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=now.tzinfo)
    parts = _DURATION.findall(raw)
    if parts and _DURATION.sub("", raw).strip() == "":
        delta = timedelta()
        for amount, unit in parts:
            delta += timedelta(**{_UNITS[unit.lower()]: int(amount)})
        return now - delta
    raise UserError(
        f"`--since {raw}` is neither a date nor a duration",
        ["give a date (2026-11-01) or how long ago (12h, 7d, 2w)"],
    )


def _aware(moment: datetime, tz: tzinfo) -> datetime:
    """An entry's time is the practice's clock (``rt.now()``); SQLite keeps it without its
    zone, so a naive value read back is in the practice's time zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def audit_trail(rt: Runtime, since: datetime | None = None) -> list[AuditEntry]:
    """The practice's entries, oldest first (from ``since`` on, when given), times in the
    practice's time zone."""
    query = select(AuditEvent).where(AuditEvent.practice_id == rt.practice_id)
    if since is not None:
        # Compared in the zone the entries were written in (see _aware).
        query = query.where(AuditEvent.at >= since.astimezone(rt.tz))
    with rt.sessions() as session:
        rows = session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)).all()
    return [
        AuditEntry(
            at=_aware(row.at, rt.tz).astimezone(rt.tz),
            actor=row.actor,
            action=row.action,
            connector=row.connector,
            key=row.target,
            remote_id=row.remote_id,
            case=short_case_id(row.case_id) or None,
            case_number=row.case_id,
            rule=row.rule,
            detail=row.detail,
        )
        for row in rows
    ]


def format_audit_entry(entry: AuditEntry) -> str:
    """One line of the text table: time, action, connector, case, key, remote id, rule."""
    return (
        f"{entry.at:%Y-%m-%d %H:%M:%S}  {entry.action:<19} {entry.connector or '-':<15} "
        f"{entry.case or '-':<6}  {entry.key:<32}  {entry.remote_id or '-'}  "
        f"[{entry.rule or '-'}]"
    )
