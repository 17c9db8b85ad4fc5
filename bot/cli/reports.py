"""Read-only views of the case log for the CLI (``chief cases``, ``chief deadlines``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.store.models import Case, Deadline
from bot.sync.runtime import Runtime

__all__ = ["list_cases", "list_deadlines"]


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
                "due": row.due.isoformat(),
                "overdue": row.due < today,
                "title": row.title,
                "clock": row.clock,
                "stated": row.stated,
                "case_id": row.case_id,
            }
            for row in rows
        ]
