"""Views of the case log for the CLI (``chief cases``, ``chief deadlines``), and the one
change made by hand (``chief deadlines done``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.errors import UserError
from bot.store.models import Case, Deadline
from bot.sync.closing import close_by_hand
from bot.sync.runtime import Runtime

__all__ = ["close_deadline_by_hand", "list_cases", "list_deadlines"]


def list_cases(rt: Runtime, include_closed: bool = False) -> list[dict[str, Any]]:
    with rt.sessions() as session:
        query = select(Case).where(Case.practice_id == rt.practice_id).order_by(Case.id)
        if not include_closed:
            query = query.where(Case.closed.is_(False))
        out = []
        for case in session.scalars(query):
            next_due = session.scalar(
                select(Deadline.due)
                .where(Deadline.case_id == case.id, Deadline.done.is_(False))
                .order_by(Deadline.due)
                .limit(1)
            )
            out.append(
                {
                    "id": case.id,
                    "kind": case.kind,
                    "status": case.status,
                    "party": case.party.name if case.party else None,
                    "refs": {ref.name: ref.value for ref in case.refs},
                    "messages": len(case.events),
                    "opened": case.opened_at.date().isoformat(),
                    "next_due": next_due.isoformat() if next_due else None,
                }
            )
        return out


def list_deadlines(rt: Runtime, within_days: int = 60) -> list[dict[str, Any]]:
    today = rt.today()
    with rt.sessions() as session:
        rows = session.scalars(
            select(Deadline)
            .where(
                Deadline.practice_id == rt.practice_id,
                Deadline.done.is_(False),
                Deadline.due <= today + timedelta(days=within_days),
            )
            .order_by(Deadline.due, Deadline.id)
        ).all()
        return [
            {
                "id": row.id,
                "due": row.due.isoformat(),
                "overdue": row.due < today,
                "title": row.title,
                "clock": row.clock,
                "stated": row.stated,
                "case_id": row.case_id,
            }
            for row in rows
        ]


def close_deadline_by_hand(rt: Runtime, deadline_id: int) -> dict[str, Any]:
    """Close one deadline of the practice by hand; UserError if it is not the practice's.
    Closing one already closed changes nothing and says why it closed."""
    with rt.sync_lock(wait=True), rt.sessions.begin() as session:
        row = session.get(Deadline, deadline_id)
        if row is None or row.practice_id != rt.practice_id:
            raise UserError(
                f"no deadline #{deadline_id}", ["`chief deadlines` lists the open ones"]
            )
        close_by_hand(session, rt, row, rt.now())
        return {
            "id": row.id,
            "title": row.title,
            "due": row.due.isoformat(),
            "closed_reason": row.closed_reason,
            "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        }
