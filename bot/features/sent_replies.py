"""The practitioner's sent replies: an answered request stops being an open deadline.

chief drafts, the practitioner sends; until now chief never saw what was sent, so every
acknowledgement and response deadline stayed open for ever. This practice pass reads the
practitioner's sent mail, read-only, through the connector's :class:`connectors.base.
ReadsSentMail` (IMAP ``\\Sent``, Maildir ``.Sent``, Gmail ``SENT``, Graph ``sentitems``) with a
cursor of its own (``mailbox.sent_cursor``). A sent message answers a case when:

1. **thread** - its In-Reply-To or References (RFC 5322 section 3.6.4) name a message logged
   against the case; or
2. **party and reference** - it is addressed to the case's party (a recipient's domain in the
   party directory) and quotes one of the case's references (a claim or authorisation number).

The case's acknowledgement and response deadlines then close ("reply sent on 24 Nov 2026",
:func:`bot.sync.closing.close_answered`), and chief's draft of that reply is marked ``sent``.
Which draft: the one whose DRAFT MARKER the sent message's Message-ID still carries (many mail
clients keep a draft's Message-ID when it is sent, :func:`bot.keys.marker_of`), which also
finds a draft that answers no logged thread; otherwise the first reply draft in its rule's
order.
Nothing of the sent message is stored: it is read in memory, matched, and dropped; the log
holds case and deadline ids only. Two other readers of the sent mail are handed each message
first: a note she wrote to herself (:mod:`bot.features.case_notes`) and a referral she sent
out (:mod:`bot.features.outbound_referrals`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import CursorInvalid
from bot.features.case_notes import note_from_sent
from bot.features.outbound_referrals import outbound_sent
from bot.keys import draft_marker, marker_of
from bot.mail.message import Message
from bot.rules.schema import DraftAction
from bot.store.models import Case, CaseRef, Draft, Mailbox, MessageRow, Party
from bot.sync.closing import close_answered
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport
from connectors.base import Batch, Cursor, ReadsSentMail

__all__ = ["answered_case", "sent_replies_pass"]

log = logging.getLogger(__name__)


def sent_replies_pass(rt: Runtime, report: SyncReport) -> None:
    """Read the sent mail since the last cursor; close what each reply answers."""
    source = rt.mail()
    if not isinstance(source, ReadsSentMail):
        return
    with rt.sessions() as session:
        mailbox_id = rt.mailbox_id(session)
        session.commit()
        mailbox = session.get(Mailbox, mailbox_id)
        cursor = mailbox.sent_cursor if mailbox is not None else None
    markers: _Markers | None = None
    for batch in _batches(source, cursor):
        with rt.sessions.begin() as session:
            now = rt.now()
            for message in batch.messages:
                sent_draft = None
                marker = marker_of(message.message_id)
                if marker is not None:
                    markers = markers if markers is not None else _Markers(session, rt)
                    sent_draft = markers.draft(session, marker)
                if sent_draft is None and note_from_sent(session, rt, message):
                    continue  # a note to herself (bot/features/case_notes.py)
                outbound_sent(session, rt, message)  # a referral she sent out
                found: tuple[Case, MessageRow | None] | None
                if sent_draft is not None:
                    sent_draft.state = "sent"
                    case = session.get(Case, sent_draft.case_id) if sent_draft.case_id else None
                    found = (case, None) if case is not None else None
                else:
                    found = answered_case(session, rt, message)
                if found is None:
                    continue
                case, replied = found
                report.replies_seen += 1
                sent_on = (message.date or now).astimezone(rt.tz).date()
                closed = close_answered(session, rt, case, sent_on, now)
                report.deadlines_closed += closed
                if sent_draft is None:
                    _mark_sent(session, rt, case, replied)
                log.debug("sent reply answers case %s: %d deadline(s) closed", case.id, closed)
            row = session.get(Mailbox, mailbox_id)
            if row is not None:
                row.sent_cursor = dict(batch.cursor)


class _Markers:
    """DRAFT MARKER -> chief's written draft, for the practice's drafts (read once a pass, and
    only when a sent message carries a marker at all)."""

    def __init__(self, session: Session, rt: Runtime) -> None:
        rows = session.execute(
            select(Draft.id, Draft.key).where(
                Draft.practice_id == rt.practice_id, Draft.state.in_(("written", "sent"))
            )
        ).all()
        self._ids = {draft_marker(key): draft_id for draft_id, key in rows}

    def draft(self, session: Session, marker: str) -> Draft | None:
        draft_id = self._ids.get(marker)
        return session.get(Draft, draft_id) if draft_id is not None else None


def _batches(source: ReadsSentMail, cursor: Cursor | None) -> Iterator[Batch]:
    try:
        batches = iter(source.sent_changes(cursor))
        first = next(batches, None)
    except CursorInvalid:
        log.info("sent-mail cursor no longer valid: reading the sent mail again")
        batches = iter(source.sent_changes(None))
        first = next(batches, None)
    if first is not None:
        yield first
        yield from batches


def answered_case(
    session: Session, rt: Runtime, message: Message
) -> tuple[Case, MessageRow | None] | None:
    """The case a sent message answers, and the logged message it replies to (if by thread)."""
    ids = message.thread_ids
    if ids:
        rows = session.scalars(
            select(MessageRow)
            .join(Case, Case.id == MessageRow.case_id)
            .where(MessageRow.message_id.in_(ids), Case.practice_id == rt.practice_id)
        ).all()
        by_id = {row.message_id: row for row in rows}
        for mid in ids:  # nearest ancestor first
            row = by_id.get(mid)
            if row is not None and row.case_id is not None:
                case = session.get(Case, row.case_id)
                if case is not None:
                    return case, row
    case = _by_party_reference(session, rt, message)
    return (case, None) if case is not None else None


def _by_party_reference(session: Session, rt: Runtime, message: Message) -> Case | None:
    names = {
        party.name
        for address in (*message.to, *message.cc)
        for party in rt.rules.parties.lookup(address.rpartition("@")[2])
    }
    if not names:
        return None
    text = f"{message.subject}\n{message.text}".lower()
    cases = session.scalars(
        select(Case)
        .join(Party, Party.id == Case.party_id)
        .where(Case.practice_id == rt.practice_id, Party.name.in_(names))
        .order_by(Case.updated_at.desc())
    ).all()
    for case in cases:
        refs = session.scalars(select(CaseRef.value).where(CaseRef.case_id == case.id))
        if any(len(ref) >= 5 and ref.lower() in text for ref in refs):
            return case
    return None


def _sender_templates(rt: Runtime) -> dict[str, list[str]]:
    """Rule id -> the templates it drafts to the sender (not to the practitioner herself),
    in the rule's order."""
    out: dict[str, list[str]] = {}
    for rule in rt.rules.rules:
        for action in rule.actions:
            if isinstance(action, DraftAction) and action.draft.to == "sender":
                out.setdefault(rule.id, []).append(action.draft.template)
    return out


def _mark_sent(session: Session, rt: Runtime, case: Case, replied: MessageRow | None) -> None:
    """Chief's written draft of this reply becomes ``sent``: the first reply draft (in its
    rule's order) answering the replied-to message, else the case's first still waiting. A
    rule's later letters (an outcome letter after the first visit) stay as they are."""
    query = select(Draft).where(Draft.case_id == case.id, Draft.state == "written")
    if replied is not None:
        query = query.where(Draft.message_id == replied.id)
    templates = _sender_templates(rt)
    ranked = []
    for draft in session.scalars(query.order_by(Draft.id)).all():
        source = session.get(MessageRow, draft.message_id) if draft.message_id else None
        order = templates.get(source.rule_id or "", []) if source is not None else []
        if draft.template in order:
            ranked.append((order.index(draft.template), draft.id, draft))
    if ranked:
        min(ranked, key=lambda item: item[:2])[2].state = "sent"
