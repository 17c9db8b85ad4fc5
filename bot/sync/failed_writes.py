"""The failed writes waiting for a later try, as the summary and ``chief effects`` show them,
and dismissing one.

A failed write (:mod:`bot.sync.retries`) is named by its ID: the first 8 characters of its
IDEMPOTENCY KEY (longer when two share them), the same on every run. It is tried again on
every pass whose wait is over, and listed until it is written or the practitioner dismisses it
(``chief effects dismiss ID``): a dismissed row is never tried again, and the dismissal is
recorded in the audit trail (``effect.dismiss``), with the key only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.store.models import CalendarEntryRow, Draft, LabelWrite
from bot.store.times import stored_utc
from bot.sync.audit import record_audit
from bot.sync.retries import FAILED
from bot.sync.runtime import Runtime

__all__ = ["DISMISSED", "FailedWrite", "dismiss", "failed_writes"]

DISMISSED = "dismissed"
_ID_LENGTH = 8
_JOURNALS: tuple[tuple[str, Any], ...] = (
    ("draft", Draft),
    ("calendar", CalendarEntryRow),
    ("label", LabelWrite),
)


@dataclass(frozen=True, slots=True)
class FailedWrite:
    """One failed write: what (``kind``: draft, calendar, label; ``what``: the template, the
    entry's source, the category), how often it was tried, when next, and why (an error
    class and the project's own message, never the content)."""

    ident: str
    kind: str
    what: str
    case_id: int | None
    attempts: int
    next_try: datetime | None
    error: str


def _what(kind: str, row: Any) -> str:
    if kind == "draft":
        return str(row.template)
    if kind == "calendar":
        return str(row.source)
    return str(row.category)


def failed_writes(session: Session, practice_id: int) -> list[FailedWrite]:
    """Every failed write of the practice, oldest first within each kind."""
    rows: list[tuple[str, Any]] = []
    for kind, model in _JOURNALS:
        found = session.scalars(
            select(model)
            .where(model.practice_id == practice_id, model.state == FAILED)
            .order_by(model.id)
        ).all()
        rows.extend((kind, row) for row in found)
    keys = [row.key for _, row in rows]
    out = []
    for kind, row in rows:
        out.append(
            FailedWrite(
                ident=_short(row.key, keys),
                kind=kind,
                what=_what(kind, row),
                case_id=getattr(row, "case_id", None),
                attempts=row.attempts,
                next_try=stored_utc(row.next_try),
                error=row.error or "",
            )
        )
    return out


def _short(key: str, keys: list[str]) -> str:
    """The shortest prefix of ``key``, from 8 characters, that no other of ``keys`` shares."""
    length = _ID_LENGTH
    while length < len(key) and any(k != key and k.startswith(key[:length]) for k in keys):
        length += 4
    return key[:length]


def dismiss(rt: Runtime, ident: str) -> FailedWrite:
    """Stop trying the failed write named ``ident`` (an ID from :func:`failed_writes`, or
    its whole key); UserError when none or more than one is named."""
    ident = ident.strip().lower()
    with rt.sessions() as session:
        found = [
            (kind, row)
            for kind, model in _JOURNALS
            for row in session.scalars(
                select(model).where(
                    model.practice_id == rt.practice_id,
                    model.state == FAILED,
                    model.key.startswith(ident, autoescape=True),
                )
            )
        ]
        if not ident or not found:
            raise UserError(f"no failed write with ID {ident!r}: `chief effects list` lists them")
        if len(found) > 1:
            raise UserError(f"ID {ident!r} names {len(found)} failed writes: give more of it")
        kind, row = found[0]
        shown = FailedWrite(
            ident=ident,
            kind=kind,
            what=_what(kind, row),
            case_id=getattr(row, "case_id", None),
            attempts=row.attempts,
            next_try=stored_utc(row.next_try),
            error=row.error or "",
        )
        row.state = DISMISSED
        record_audit(
            session, rt, "effect.dismiss", row.key, case_id=shown.case_id, detail=shown.kind
        )
        session.commit()
    return shown
