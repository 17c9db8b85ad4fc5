"""The summary's work lines from the case log: open deadlines and waiting drafts, each said in
the practitioner's words (:mod:`bot.summary.wording`) with the party its case is with.

Reads cases with their party and references; never a message's subject or body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.clocks.clocks import Clock
from bot.store.models import Case, Deadline, Draft, MessageRow
from bot.summary.lines import DeadlineLine, DraftLine
from bot.summary.wording import about, deadline_action, draft_purpose

__all__ = ["cases_by_id", "deadline_lines", "draft_lines", "waiting_since"]


def cases_by_id(session: Session, case_ids: Iterable[int | None]) -> dict[int, Case]:
    """The cases ``case_ids`` name (open or closed), with their party and references."""
    wanted = {c for c in case_ids if c is not None}
    if not wanted:
        return {}
    rows = session.scalars(
        select(Case)
        .where(Case.id.in_(wanted))
        .options(selectinload(Case.party), selectinload(Case.refs))
    )
    return {case.id: case for case in rows}


def _reference(case: Case | None) -> str | None:
    return next((r.value for r in case.refs), None) if case is not None else None


def _party(case: Case | None) -> str | None:
    return case.party.name if case is not None and case.party is not None else None


def deadline_lines(
    deadlines: Sequence[Deadline], cases: Mapping[int, Case], clocks: Mapping[str, Clock]
) -> list[DeadlineLine]:
    """One line per deadline, in the order given."""
    out = []
    for row in deadlines:
        case = cases.get(row.case_id) if row.case_id is not None else None
        kind = case.kind if case is not None else None
        out.append(
            DeadlineLine(
                due=row.due,
                action=deadline_action(row.clock, clocks, kind, _party(case)),
                case_id=row.case_id,
                about=about(kind, _reference(case)),
                clock=row.clock,
            )
        )
    return out


def _local_day(moment: datetime, tz: tzinfo) -> date:
    """The day of a stored moment in the practice's zone (SQLite hands back naive UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz).date()


def waiting_since(
    session: Session, drafts: Sequence[Draft], tz: tzinfo, today: date
) -> dict[int, date]:
    """draft id → the day its correspondent has waited since: the day the mail it answers
    came (a draft answering no mail: the day it was written), never after ``today``."""
    ids = {d.message_id for d in drafts if d.message_id is not None}
    received = (
        dict(
            session.execute(
                select(MessageRow.id, MessageRow.received_at).where(MessageRow.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    out = {}
    for draft in drafts:
        moment = received.get(draft.message_id) if draft.message_id is not None else None
        moment = moment or draft.created_at
        if moment is not None:
            out[draft.id] = min(_local_day(moment, tz), today)
    return out


def draft_lines(
    drafts: Sequence[Draft],
    cases: Mapping[int, Case],
    links: Mapping[str, str],
    folder: str,
    since: Mapping[int, date],
) -> list[DraftLine]:
    """One line per draft: what it is, its case, since when it waits, where it opens (a link
    where one opens where the summary is read, else the folder it waits in)."""
    out = []
    for draft in drafts:
        case = cases.get(draft.case_id) if draft.case_id is not None else None
        kind = case.kind if case is not None else None
        link = links.get(draft.remote_id or "")
        out.append(
            DraftLine(
                case_id=draft.case_id,
                purpose=draft_purpose(draft.template, kind, _party(case)),
                about=about(kind, _reference(case)),
                waiting_since=since.get(draft.id),
                link=link,
                folder=None if link else folder,
            )
        )
    return out
