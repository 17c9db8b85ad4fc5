"""Which case a message belongs to.

Tried in order, first hit wins:

1. **thread** – a message it replies to or references (In-Reply-To / References, RFC 5322
   §3.6.4) is already logged against a case;
2. **reference** – an identifying reference it carries (any extracted ref whose name ends in
   ``_ref``: ``pa_ref``, ``claim_ref``, ``ehcp_ref``, ``solicitor_ref``...) is already on a case;
3. **party** – an open case of the same kind with the same party and the same patient
   pseudonym;
4. **opened** – the winning rule says this message may open a case (``case: {open: true}``);
5. otherwise the message is **unfiled** (logged, with no case); when the case it was waiting
   for opens later (its thread's first message, or the case its reference names, read after
   it), it is **adopted** (:mod:`bot.sync.adoption`).

A batch is filed oldest message first (:mod:`bot.sync.pipeline`), so a thread's first
message opens its case before its replies ask for it, whatever order the mailbox listed them.

A matched case learns the message's identifying references (so a later message quoting only
the payer's claim number still finds it) and its status from the rule.

**Different references, different matters.** A case is never a candidate at any step when it
already holds a reference of a kind the message carries with another value (a case on
``pa_ref`` A1234567 is not the home of a message about ``pa_ref`` A7654321, whatever its
thread, party or patient): the message goes on down the list, and opens a case of its own when
its rule may. Two prior authorisations for one patient at one payer stay two cases, and a
deadline, kept per case (``bot.sync.planning``), never moves from one matter to the other. A
message naming the case's own number too ("recollection for LC-26-2948817") says it continues
that matter, and is filed there.

A case's KEY (:func:`case_key`) is what its remote objects are keyed by: its first identifying
reference, else its thread's root Message-ID, which every message of the thread carries (first
of References, RFC 5322 §3.6.4). Unlike the case's number it does not depend on the order mail
is read, so a case log rebuilt by syncing again (a Maildir read in another order, a lost key)
keys the same calendar entries and drafts the same way, and finds them instead of writing them
twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.keys import stable_key
from bot.mail.message import Message
from bot.rules.engine import Classification
from bot.store.models import Case, CaseEvent, CaseRef, MessageRow, Party

__all__ = ["Attachment", "attach", "case_key", "conflicts", "identifying_refs", "is_latest"]


@dataclass(frozen=True, slots=True)
class Attachment:
    case: Case | None
    how: str  # thread | reference | party | opened | unfiled


def identifying_refs(refs: dict[str, str]) -> dict[str, str]:
    """The refs that name a case (by convention, names ending in ``_ref``)."""
    return {name: value for name, value in refs.items() if name.endswith("_ref") and value}


def conflicts(case: Case, refs: dict[str, str], text: str = "") -> bool:
    """``case`` holds a reference of a kind in ``refs`` and none of its values is the one in
    ``refs``, nor named anywhere in the message's ``text``: it is another matter (module
    docstring). A message that names the case's own number as well ("recollection for
    LC-26-2948817", "replaces authorisation A1234567") says it continues that matter."""
    held: dict[str, set[str]] = {}
    for ref in case.refs:
        held.setdefault(ref.name, set()).add(ref.value)
    return any(
        name in held and value not in held[name] and not _names_any(text, held[name])
        for name, value in refs.items()
    )


def _names_any(text: str, values: set[str]) -> bool:
    """One of ``values`` is in ``text`` as a whole token (A1234567 is not in A12345678)."""
    return any(
        re.search(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", text, re.IGNORECASE)
        for value in values
    )


def case_key(
    kind: str, row: MessageRow, message: Message, refs: dict[str, str] | None = None
) -> str:
    """The KEY of a case of ``kind`` opened by ``message``: the first of its identifying
    ``refs`` by name (every message naming that reference files to the case, whichever
    thread it is in), else its thread's root, which is the same whichever message of the
    thread is read first; a message without either by its own exactly-once key."""
    for name in sorted(refs or {}):
        return stable_key("case", kind, "ref", name, (refs or {})[name])
    return stable_key("case", kind, row.thread_root or message.message_id or row.key)


def _by_thread(session: Session, practice_id: int, message: Message) -> Case | None:
    ids = message.thread_ids
    if not ids:
        return _by_reply(session, practice_id, message)
    rows = session.execute(
        select(MessageRow.message_id, MessageRow.case_id)
        .join(Case, Case.id == MessageRow.case_id)
        .where(MessageRow.message_id.in_(ids), Case.practice_id == practice_id)
    ).all()
    by_id = {mid: case_id for mid, case_id in rows}
    for mid in ids:  # nearest ancestor first
        if mid in by_id:
            return session.get(Case, by_id[mid])
    return None


def _by_reply(session: Session, practice_id: int, message: Message) -> Case | None:
    """The case of a reply already logged to this thread-starting ``message`` (mail read out of
    order: a Maildir listed by change time after a ``chmod``, a resync), so the original
    joins its thread's case as it would had it been read first."""
    if not message.message_id:
        return None
    case_id = session.scalar(
        select(MessageRow.case_id)
        .join(Case, Case.id == MessageRow.case_id)
        .where(MessageRow.thread_root == message.message_id, Case.practice_id == practice_id)
        .order_by(MessageRow.id)
        .limit(1)
    )
    return session.get(Case, case_id) if case_id is not None else None


def _by_reference(
    session: Session, practice_id: int, refs: dict[str, str], text: str
) -> Case | None:
    for name, value in refs.items():
        row = session.scalar(
            select(CaseRef).where(
                CaseRef.practice_id == practice_id, CaseRef.name == name, CaseRef.value == value
            )
        )
        if row is not None and not conflicts(row.case, refs, text):
            return row.case
    return None


def _by_party(
    session: Session,
    practice_id: int,
    kind: str | None,
    party: Party | None,
    pseudonym: str | None,
    refs: dict[str, str],
    text: str,
) -> Case | None:
    """The most recently updated open case of this kind, party and patient that is not
    another matter by its references."""
    if party is None or pseudonym is None or kind is None:
        return None
    candidates = session.scalars(
        select(Case)
        .where(
            Case.practice_id == practice_id,
            Case.kind == kind,
            Case.party_id == party.id,
            Case.patient_pseudonym == pseudonym,
            Case.closed.is_(False),
        )
        .order_by(Case.updated_at.desc(), Case.id.desc())
    )
    return next((case for case in candidates if not conflicts(case, refs, text)), None)


def is_latest(session: Session, case: Case, sent: datetime | None) -> bool:
    """Whether a message sent at ``sent`` is no older than any already on ``case``: only
    the latest word sets a case's status, so mail read out of order (an approval read
    before the pending notice it follows) leaves the case as the newest message says."""
    if sent is None or case.id is None:
        return True
    latest = session.scalar(select(func.max(CaseEvent.at)).where(CaseEvent.case_id == case.id))
    if latest is None:
        return True
    latest = latest if latest.tzinfo is not None else latest.replace(tzinfo=UTC)
    return sent >= latest


def attach(
    session: Session,
    practice_id: int,
    row: MessageRow,
    message: Message,
    result: Classification,
    party: Party | None,
    pseudonym: str | None,
    now: datetime,
) -> Attachment:
    """Find or open the case for ``message`` and record the event on it (no commit)."""
    refs = identifying_refs(result.refs)
    case_spec = result.case_action.case if result.case_action else None
    how = "thread"
    text = f"{message.subject}\n{message.text}"
    case = _by_thread(session, practice_id, message)
    if case is not None and conflicts(case, refs, text):
        case = None  # a reply about another matter: that matter's case, or a new one
    if case is None:
        how, case = "reference", _by_reference(session, practice_id, refs, text)
    if case is None and result.category is not None:
        how = "party"
        case = _by_party(session, practice_id, result.case_kind, party, pseudonym, refs, text)
    if case is None and case_spec is not None and case_spec.open and result.case_kind:
        how = "opened"
        case = Case(
            practice_id=practice_id,
            kind=result.case_kind,
            key=case_key(result.case_kind, row, message, refs),
            status=case_spec.status or "open",
            party_id=party.id if party is not None else None,
            patient_pseudonym=pseudonym,
            opened_at=now,
            updated_at=now,
        )
        session.add(case)
        session.flush()
    if case is None:
        return Attachment(None, "unfiled")

    known = {(ref.name, ref.value) for ref in case.refs}
    for name, value in refs.items():
        if (name, value) in known:
            continue
        taken = session.scalar(
            select(CaseRef.id).where(
                CaseRef.practice_id == practice_id, CaseRef.name == name, CaseRef.value == value
            )
        )
        if taken is None:  # a reference names one case only
            case.refs.append(CaseRef(practice_id=practice_id, name=name, value=value))
    newest = how == "opened" or is_latest(session, case, message.date)
    if case_spec is not None and case_spec.status and how != "opened" and newest:
        case.status = case_spec.status
    if case.patient_pseudonym is None and pseudonym is not None:
        case.patient_pseudonym = pseudonym
    if case.party_id is None and party is not None:
        case.party_id = party.id
    case.updated_at = now
    row.case_id = case.id
    session.add(
        CaseEvent(
            case_id=case.id,
            message_id=row.id,
            event=result.event or "correspondence",
            rule_id=result.rule_id,
            at=(message.date or now).astimezone(UTC),  # in UTC: SQLite keeps no zone
        )
    )
    return Attachment(case, how)
