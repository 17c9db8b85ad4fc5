"""One case in full, for ``chief cases show ID``: the case the summary names by its short id.

Everything here comes from the case log, which holds no patient data (a pseudonym, never a
name), so the output is safe on a terminal: kind, status, party, references, events (what the
rules or the learned model saw, never a subject line), deadlines and drafts (template, state,
where the draft is).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import select

from bot.store.case_ids import resolve_case_id, short_case_id
from bot.store.models import Case, CaseEvent, Deadline, Draft, MessageRow
from bot.summary.links import draft_links
from bot.sync.runtime import Runtime

__all__ = ["case_detail", "format_case_detail"]


def _local(moment: datetime, tz: tzinfo) -> datetime:
    """An event's time in the practice's zone (stored in UTC; SQLite hands it back naive)."""
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(tz)


def case_detail(rt: Runtime, ident: str) -> dict[str, Any]:
    """The case ``ident`` names (short id or number) as one JSON-ready dict.

    Raises :class:`bot.errors.UserError` when no case of this practice matches.
    """
    with rt.sessions() as session:
        ids = session.scalars(select(Case.id).where(Case.practice_id == rt.practice_id)).all()
        case_id = resolve_case_id(ident, ids)
        case = session.get(Case, case_id)
        assert case is not None  # resolved among this practice's cases just now
        events = session.execute(
            select(CaseEvent, MessageRow.source, MessageRow.confidence)
            .outerjoin(MessageRow, MessageRow.id == CaseEvent.message_id)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.at)
        ).all()
        deadlines = session.scalars(
            select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.due, Deadline.id)
        ).all()
        drafts = session.scalars(
            select(Draft).where(Draft.case_id == case_id).order_by(Draft.id)
        ).all()
        links = draft_links(rt, [d.remote_id for d in drafts if d.remote_id], local=True)
        return {
            "id": short_case_id(case.id),
            "number": case.id,
            "kind": case.kind,
            "status": case.status,
            "closed": case.closed,
            "party": case.party.name if case.party else None,
            "opened": case.opened_at.date().isoformat(),
            "updated": case.updated_at.date().isoformat(),
            "refs": {ref.name: ref.value for ref in case.refs},
            "events": [
                {
                    "at": _local(e.at, rt.tz).isoformat(),
                    "event": e.event,
                    "rule": e.rule_id,
                    "source": source,  # rule | model (the learned model) | null
                    "confidence": confidence,
                }
                for e, source, confidence in events
            ],
            "deadlines": [
                {
                    "due": d.due.isoformat(),
                    "title": d.title,
                    "clock": d.clock,
                    "done": d.done,
                    "closed": d.closed_reason,
                    "overdue": not d.done and d.due < rt.today(),
                }
                for d in deadlines
            ],
            "drafts": [
                {
                    "template": d.template,
                    "state": d.state,
                    "created": d.created_at.date().isoformat(),
                    "link": links.get(d.remote_id or ""),
                }
                for d in drafts
            ],
        }


def format_case_detail(detail: dict[str, Any]) -> str:
    """The text form of :func:`case_detail`, one fact a line."""
    refs = ", ".join(f"{k}={v}" for k, v in detail["refs"].items()) or "-"
    lines = [
        f"Case {detail['id']} (#{detail['number']}): {detail['kind']}, {detail['status']}"
        + (" (closed)" if detail["closed"] else ""),
        f"  party       {detail['party'] or '-'}",
        f"  references  {refs}",
        f"  opened      {detail['opened']}, last update {detail['updated']}",
        f"Events ({len(detail['events'])})",
    ]
    lines += [
        f"  {e['at'][:10]}  {e['event']}  [{e['rule'] or '-'}]"
        + (
            f"  recognised by the learned model ({e['confidence']:.2f})"
            if e["source"] == "model" and e["confidence"] is not None
            else ""
        )
        for e in detail["events"]
    ]
    lines.append(f"Deadlines ({len(detail['deadlines'])})")
    for d in detail["deadlines"]:
        flag = "OVERDUE " if d["overdue"] else ""
        if d["done"]:
            flag = f"closed: {d['closed']}  " if d["closed"] else "done "
        lines.append(f"  {d['due']}  {flag}{d['title']}  [{d['clock']}]")
    lines.append(f"Drafts ({len(detail['drafts'])})")
    for d in detail["drafts"]:
        where = f"  {d['link']}" if d["link"] else ""
        lines.append(f"  {d['created']}  {d['state']:<8} {d['template']}{where}")
    return "\n".join(lines)
