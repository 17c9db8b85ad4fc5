"""A draft's template values, and drafting again once a broken template is fixed.

A draft is rendered when its message is filed (:mod:`bot.sync.planning`). When its template
fails (a typo in a practice's own template is an error naming the template and line, never a
silent blank), the draft row is kept as failed with its SOURCE, and every later pass whose
retry is due (:mod:`bot.sync.retries`) renders it again from that source: once the template
is fixed, the draft is written like any other.

SOURCE
    What rendering reads of the answered message (its headers: sender, subject, date,
    Message-ID, References, as the draft itself repeats them) and of its filing (its public
    references, the case kind, whom the draft is to, its first deadline's key). The case,
    the deadline and the register are read again from the case log, as they are now. Kept on
    the draft row (``draft.source``), sealed with the practice key
    (:meth:`bot.store.pseudonyms.Pseudonymiser.seal`: the case log never holds a subject in
    the clear), and cleared once written. A source sealed under a lost key cannot be read:
    the draft stays failed until dismissed.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import UserError
from bot.letters.headers import DraftTo
from bot.letters.recipients import Recipient
from bot.mail.message import Message
from bot.store.models import Case, Deadline, Draft
from bot.sync.runtime import Runtime

__all__ = ["draft_context", "redraft", "source_of"]

_SOURCE_VERSION = 1


def register_context(rt: Runtime) -> list[dict[str, Any]]:
    """The practice's credentials register for templates (licence and registration numbers in
    a clearance letter or an expert's qualifications); empty when there is none or it cannot be
    read (the reminders pass reports that)."""
    try:
        register = rt.register()
    except UserError:
        return []
    if register is None:
        return []
    return [
        {
            "kind": c.kind,
            "name": c.name,
            "issuer": c.issuer,
            "number": c.number,
            "expires": c.expires,
        }
        for c in register.credentials
    ]


def draft_context(
    rt: Runtime,
    case: Case | None,
    case_kind: str | None,
    refs: dict[str, str],
    first: Deadline | None,
    peer_to_peer: dict[str, Any] | None = None,
    facts: dict[str, Any] | None = None,
    appeal: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The template values of a draft (README, "Values available"), less the message's;
    ``peer_to_peer`` is the peer-to-peer window the notice offers (its due date and note),
    ``appeal`` the appeal window (its due date and clock), ``facts`` what the message states
    (:func:`bot.rules.facts.stated_facts`)."""
    return {
        "practice": rt.practice_context(),
        "case": {
            "kind": case.kind if case else case_kind,
            "status": case.status if case else None,
            "reference": next((r.value for r in case.refs), None) if case else None,
            "refs": {r.name: r.value for r in case.refs} if case else {},
            "opened": case.opened_at.date() if case else None,
        },
        "refs": refs,
        "deadline": (
            {"due": first.due, "clock": first.clock, "title": first.title} if first else None
        ),
        "peer_to_peer": peer_to_peer,
        "appeal": appeal,
        "facts": dict(facts or {}),
        "today": rt.today(),
        "register": register_context(rt),
    }


def source_of(
    rt: Runtime,
    message: Message,
    refs: dict[str, str],
    case_kind: str | None,
    to: str,
    first: Deadline | None,
    peer_to_peer: dict[str, Any] | None = None,
    recipient: Recipient | None = None,
    facts: dict[str, Any] | None = None,
    appeal: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The SOURCE of a draft answering ``message``, sealed (JSON); ``recipient`` is whom it
    was addressed to (chosen from the message's text, which the source does not keep)."""
    inner = {
        "message": {
            "provider_id": message.provider_id,
            "message_id": message.message_id,
            "in_reply_to": message.in_reply_to,
            "references": list(message.references),
            "from_addr": message.from_addr,
            "from_name": message.from_name,
            "reply_to": message.reply_to,
            "subject": message.subject,
            "date": message.date.isoformat() if message.date else None,
        },
        "refs": dict(refs),
        "case_kind": case_kind,
        "to": to,
        "deadline": first.key if first else None,
        "peer_to_peer": (
            {"due": peer_to_peer["due"].isoformat(), "note": peer_to_peer["note"]}
            if peer_to_peer
            else None
        ),
        "facts": {k: _jsonable(v) for k, v in (facts or {}).items()},
        "appeal": {"due": appeal["due"].isoformat(), "clock": appeal["clock"]} if appeal else None,
        "recipient": (
            [
                recipient.address,
                recipient.name,
                recipient.how,
                recipient.note,
                recipient.sent.isoformat() if recipient.sent else None,
            ]
            if recipient
            else None
        ),
    }
    blob = json.dumps(inner, ensure_ascii=False).encode("utf-8")
    return {"v": _SOURCE_VERSION, "sealed": rt.pseudonyms.seal(blob)}


def _jsonable(value: Any) -> Any:
    return {"date": value.isoformat()} if isinstance(value, date) else value


def _restored(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"date"}:
        return date.fromisoformat(str(value["date"]))
    return value


def _message(saved: dict[str, Any]) -> Message:
    sent = saved.get("date")
    return Message(
        provider_id=str(saved.get("provider_id") or ""),
        message_id=saved.get("message_id"),
        in_reply_to=saved.get("in_reply_to"),
        references=tuple(saved.get("references") or ()),
        from_addr=str(saved.get("from_addr") or ""),
        from_name=str(saved.get("from_name") or ""),
        reply_to=saved.get("reply_to"),
        to=(),
        cc=(),
        subject=str(saved.get("subject") or ""),
        date=datetime.fromisoformat(sent) if sent else None,
        text="",
    )


def redraft(rt: Runtime, session: Session, draft: Draft) -> bool:
    """Render ``draft`` again from its SOURCE into ``draft.raw``; False when it has none (a
    draft failed before sources were kept) or it cannot be unsealed (another key). A
    template that still fails raises :class:`bot.errors.TemplateError` (or ``UserError``),
    as at planning."""
    if not draft.source or draft.source.get("v") != _SOURCE_VERSION:
        return False
    opened = rt.pseudonyms.unseal(str(draft.source.get("sealed", "")))
    if opened is None:
        return False
    source: dict[str, Any] = json.loads(opened)
    case = session.get(Case, draft.case_id) if draft.case_id is not None else None
    first = (
        session.scalar(select(Deadline).where(Deadline.key == source["deadline"]))
        if source.get("deadline")
        else None
    )
    offer = source.get("peer_to_peer")
    if offer:
        offer = {"due": date.fromisoformat(offer["due"]), "note": offer["note"]}
    appeal = source.get("appeal")
    if appeal:
        appeal = {"due": date.fromisoformat(appeal["due"]), "clock": appeal["clock"]}
    facts = {k: _restored(v) for k, v in dict(source.get("facts") or {}).items()}
    context = draft_context(
        rt, case, source.get("case_kind"), dict(source["refs"]), first, offer or None, facts, appeal
    )
    to: DraftTo = "practitioner" if source.get("to") == "practitioner" else "sender"
    saved = source.get("recipient")
    original = _message(source["message"])
    recipient = (
        Recipient(
            saved[0],
            str(saved[1]),
            str(saved[2]),
            str(saved[3]),
            datetime.fromisoformat(saved[4]) if saved[4] else None,
        )
        if isinstance(saved, list) and len(saved) == 5
        else rt.recipient_for(original, source.get("case_kind"))
    )
    outgoing = rt.drafter.render_reply(
        draft.template, original, context, draft.key, rt.practitioner, to=to, recipient=recipient
    )
    draft.raw = outgoing.raw
    return True
