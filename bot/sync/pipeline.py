"""One sync pass: read new mail, classify, file against cases, run the steps, apply actions.

::

    mail.changes(cursor) → Batch of Messages
      → rules.classify → matching.attach → planning.plan_message
      → the per-message steps (Steps.per_message: amounts, CME certificates, journal alerts…)
      → one transaction per batch: messages, case links, planned actions (the journal:
        drafts, calendar entries, category labels), the cursor
      → effects.apply_pending: labels, drafts and calendar entries written, exactly once
    then the practice passes in order (Steps.passes: reminders, booking chases, renewal
    checklists, effects, retention)

The lists themselves are declared once, in ``bot.jobs.catalogue``; this module runs whatever
it is given, so a feature can be tested with the steps it needs and nothing else.

A message's key (mailbox + Message-ID + sender, or mailbox + its content when it has no
Message-ID: :func:`message_key`) is unique in the case log, so rereading a batch after a
crash, a cursor reset or a resync logs nothing twice. A message that cannot be parsed is
logged once with its error (no content) and the run goes on.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import crash
from bot.errors import CursorInvalid
from bot.keys import stable_key
from bot.letters.headers import valid_address
from bot.mail.message import Message
from bot.progress import Bar
from bot.rules.classification import UNCLASSIFIED
from bot.rules.engine import Classification
from bot.rules.parties import Party as DirectoryParty
from bot.rules.stated_dates import day_first
from bot.store.models import LabelWrite, Mailbox, MessageRow, Party
from bot.store.times import sent_order, stored_utc
from bot.sync.adoption import adopt_waiting
from bot.sync.closing import close_moot
from bot.sync.effects import apply_pending
from bot.sync.learning import install_memory
from bot.sync.matching import attach
from bot.sync.own_mail import is_note_to_self, own_summaries
from bot.sync.planning import plan_message
from bot.sync.runtime import Runtime
from bot.sync.steps import FiledMessage, Steps, SyncReport
from connectors.base import Estimates, Labels

__all__ = [
    "SyncReport",
    "earlier_keys",
    "log_message",
    "message_day",
    "message_key",
    "party_row",
    "sync",
]

log = logging.getLogger(__name__)


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def message_key(mailbox: str, message: Message | None, provider_id: str) -> str:
    """The exactly-once key of a message in a mailbox.

    By Message-ID and sender; a message without a Message-ID by its content, which survives
    what provider ids do not (an IMAP UIDVALIDITY reset, a Maildir file renamed); a message that
    could not be parsed at all by its provider id.

    The content is what a mail client leaves alone when it rewrites a message (adding
    ``Status:``, ``X-Keywords:`` or ``X-Mozilla-Status:`` headers, re-folding lines): sender,
    recipients, date, subject, a digest of the text and the attachments' names, types and sizes.
    The file's size is not part of it, since every added header changes it, except for a
    message too large to read (its text was never read, so its size is the only trace of its
    body). Genuinely different messages differ in at least one of these.
    """
    if message is None:
        return stable_key(mailbox, "pid", provider_id)
    if message.message_id:
        return stable_key(mailbox, "mid", message.message_id, message.from_addr)
    return stable_key(
        mailbox,
        "content-v2",
        message.from_addr,
        ",".join(sorted(message.to)),
        ",".join(sorted(message.cc)),
        message.date.isoformat() if message.date else "",
        message.subject,
        _sha(message.text),
        _sha(repr([(a.filename, a.content_type, a.size) for a in message.attachments])),
        message.size if message.truncated else "",
    )


def earlier_keys(mailbox: str, message: Message) -> tuple[str, ...]:
    """Keys an earlier version of chief stored for ``message``: a practice upgraded with
    Message-ID-less messages in its case log finds them known under their old key, so a
    resync (or a cursor reset) logs and drafts nothing twice. The old content key included
    the file's size; a message a client rewrote before it is read again is not recognised by
    it (as before), and is then logged once more under its new key."""
    if message.message_id:
        return ()
    return (
        stable_key(
            mailbox,
            "content",
            message.from_addr,
            message.date.isoformat() if message.date else "",
            message.subject,
            _sha(message.text),
            message.size,
        ),
    )


def party_row(session: Session, practice_id: int, party: DirectoryParty | None) -> Party | None:
    if party is None:
        return None
    row = session.scalar(
        select(Party).where(
            Party.practice_id == practice_id, Party.kind == party.kind, Party.name == party.name
        )
    )
    if row is None:
        row = Party(
            practice_id=practice_id,
            kind=party.kind,
            name=party.name,
            domain=party.domains[0] if party.domains else None,
        )
        session.add(row)
        session.flush()
    return row


def _payer_reply_address(message: Message, result: Classification) -> str | None:
    """A payer's reply address (an organisation's, from the party directory), kept so that a
    later chase can be addressed; None for every other sender, who may be a person."""
    if result.party is None or result.party.kind != "payer":
        return None
    return valid_address(message.reply_to) or valid_address(message.from_addr)


def message_day(message: Message, row: MessageRow, rt: Runtime, fallback: datetime) -> date:
    """The day a message was sent, in the practice's time zone."""
    moment = message.date or (stored_utc(row.received_at) if row.received_at else fallback)
    return moment.astimezone(rt.tz).date()


def log_message(
    session: Session,
    rt: Runtime,
    steps: Steps,
    mailbox_id: int,
    key: str,
    message: Message,
    report: SyncReport,
) -> str | None:
    """Classify, file and plan one new message in ``session``, then run the message steps;
    returns its category."""
    country = rt.config.practice.country
    # A note to herself is read by the notes step, never classified (bot/sync/own_mail.py).
    verdict = UNCLASSIFIED if is_note_to_self(rt, message) else rt.rules.classify(message, country)
    result = verdict.held()  # a message that needs a look sets nothing off
    guess = verdict.guess
    now = rt.now()
    row = MessageRow(
        key=key,
        mailbox_id=mailbox_id,
        provider_id=message.provider_id[:255],
        message_id=message.message_id,
        thread_root=(message.references[0] if message.references else message.in_reply_to),
        received_at=message.date.astimezone(UTC) if message.date else None,
        logged_at=now.astimezone(UTC),
        sender_domain=message.from_domain[:255],
        sender_hash=_sha(message.from_addr),
        subject_hash=_sha(message.subject),
        category=verdict.category,
        case_kind=verdict.case_kind,
        event=verdict.event,
        rule_id=verdict.rule_id,
        reply_address=_payer_reply_address(message, result),
        source=verdict.source,
        confidence=round(verdict.confidence, 3) if verdict.source else None,
        needs_look=verdict.needs_look,
        guess_category=guess.category if guess else None,
        guess_case_kind=guess.case_kind if guess else None,
        guess_confidence=round(guess.confidence, 3) if guess else None,
    )
    session.add(row)
    session.flush()
    party = party_row(session, rt.practice_id, result.party)
    pseudonym = rt.pseudonyms.pseudonym(result.refs.get("patient"), result.refs.get("dob"))
    filed = attach(session, rt.practice_id, row, message, result, party, pseudonym, now)
    row.match_how = filed.how
    dates_day_first = day_first(message.from_domain, country)
    plan = plan_message(session, rt, row, message, result, filed.case, dates_day_first)
    report.deadlines_closed += close_moot(session, rt, filed.case, row, now)
    if filed.how == "opened" and filed.case is not None:
        report.deadlines_closed += adopt_waiting(session, rt, filed.case, row, now)
    report.messages += 1
    report.by_category[result.category or "unclassified"] += 1
    report.by_source[verdict.source or "none"] += 1
    report.needs_look += verdict.needs_look is not None
    report.filed[filed.how] += 1
    report.cases_opened += filed.how == "opened"
    report.deadlines += len(plan.deadlines)
    report.drafts_planned += len(plan.drafts)
    report.errors.extend(plan.problems)
    for exc in plan.failed_templates:
        report.failures.add("draft template", exc)
    context = FiledMessage(
        session=session,
        rt=rt,
        key=key,
        row=row,
        message=message,
        result=result,
        case=filed.case,
        party=party,
        day=message_day(message, row, rt, now),
        now=now,
        day_first=dates_day_first,
    )
    for step in steps.per_message:
        step.run(context, report)
    log.debug(
        "message %s: rule=%s source=%s needs_look=%s case=%s how=%s",
        message.fingerprint,
        verdict.rule_id,
        verdict.source,
        verdict.needs_look,
        filed.case.id if filed.case else None,
        filed.how,
    )
    return result.category


def _in_sent_order(item: tuple[str, Message | None]) -> float:
    """A batch is filed oldest first, whatever order the mailbox listed it in (messages of
    one moment, or without a date, as listed): a thread's first message opens its case
    before the replies that need it, so the case log, and every key derived from it, is the
    same however the mail was read."""
    message = item[1]
    try:
        return sent_order(message.date if message is not None else None)
    except (OverflowError, ValueError, OSError):  # a Date no calendar holds in UTC
        return float("inf")


def _sync_mail(rt: Runtime, steps: Steps, report: SyncReport, progress: Bar | None) -> None:
    source = rt.mail()
    with rt.sessions() as session:
        mailbox_id = rt.mailbox_id(session)
        session.commit()
        crash.step("mailbox.commit")
        mailbox = session.get(Mailbox, mailbox_id)
        assert mailbox is not None
        cursor = mailbox.cursor
    labelled = source.labelled_categories() if isinstance(source, Labels) else frozenset()
    if progress is not None and isinstance(source, Estimates):
        progress.set_total(source.estimate(cursor))
    name = f"{rt.config.practice.slug}/{rt.config.mail.get('connector', 'maildir')}"
    try:
        batches = iter(source.changes(cursor))
        first = next(batches, None)
    except CursorInvalid:
        log.info("sync cursor no longer valid: full resync (nothing is logged twice)")
        batches = iter(source.changes(None))
        first = next(batches, None)
    if first is None:
        return
    batch: Any = first
    while batch is not None:
        with rt.sessions.begin() as session:
            keyed: dict[str, Message | None] = {}
            earlier: dict[str, tuple[str, ...]] = {}
            own = own_summaries(session, rt, batch.messages)
            report.own_summaries += len(own)
            for index, message in enumerate(batch.messages):
                if index in own:  # chief's own summary, by chief's record: never a case
                    continue
                key = message_key(name, message, message.provider_id)
                keyed.setdefault(key, message)
                earlier.setdefault(key, earlier_keys(name, message))
            failed = {message_key(name, None, pid): (pid, why) for pid, why in batch.failed}
            candidates = [*keyed, *failed, *(old for keys in earlier.values() for old in keys)]
            stored = (
                set(session.scalars(select(MessageRow.key).where(MessageRow.key.in_(candidates))))
                if candidates
                else set()
            )
            known = {
                key
                for key in [*keyed, *failed]
                if key in stored or not stored.isdisjoint(earlier.get(key, ()))
            }
            report.skipped_known += len(known)
            for key, message in sorted(keyed.items(), key=_in_sent_order):
                if key not in known and message is not None:
                    try:
                        with session.begin_nested():  # one message's failure is its own
                            category = log_message(
                                session, rt, steps, mailbox_id, key, message, report
                            )
                    except Exception as exc:  # noqa: BLE001 - named below, the run goes on
                        # Not a word of the message: its id and the kind of failure only.
                        why = f"not filed ({type(exc).__name__})"
                        failed[key] = (message.provider_id, why)
                        log.warning("message %s: %s", message.provider_id[:80], why)
                        continue
                    if category in labelled:  # journalled with the batch, put on by effects
                        session.add(
                            LabelWrite(
                                key=stable_key(key, "label", category),
                                practice_id=rt.practice_id,
                                provider_id=message.provider_id[:255],
                                category=category,
                                state="planned",
                            )
                        )
            for key, (pid, why) in failed.items():
                if key in known:
                    continue
                session.add(
                    MessageRow(
                        key=key,
                        mailbox_id=mailbox_id,
                        provider_id=pid[:255],
                        logged_at=rt.now().astimezone(UTC),
                        error=why[:200],
                    )
                )
                report.errors.append(f"message {pid}: {why}")
            mailbox_row = session.get(Mailbox, mailbox_id)
            assert mailbox_row is not None
            mailbox_row.cursor = dict(batch.cursor)
            mailbox_row.last_sync = rt.now()
        crash.step("batch.commit")
        if progress is not None:
            progress(len(batch.messages) + len(batch.failed))
        if not rt.dry_run:
            # Labels and calendar entries as each batch is logged; drafts once the run's mail
            # is all filed, so that a later message of the same run can still make one moot
            # (bot/sync/draft_once.py) whatever the provider's batch size.
            effects = apply_pending(rt, report.started, drafts=False)
            effects.add_to(report)
        batch = next(batches, None)
    if not rt.dry_run:
        apply_pending(rt, report.started).add_to(report)


def sync(rt: Runtime, steps: Steps, progress: Bar | None = None) -> SyncReport:
    """One full pass for the practice with ``steps`` (``bot.jobs.catalogue.STEPS`` is the
    practice's); holds the practice's lock for its whole duration. A dry-run runtime
    (:mod:`bot.sync.dry_run`) plans everything and writes nothing beyond its case log, which
    it throws away."""
    report = SyncReport(started=rt.now())
    if rt.dry_run:
        steps = steps.planning_only()
    install_memory(rt)  # what the corrections so far taught, behind the rules
    with rt.sync_lock():
        if not rt.dry_run:
            # A previous run may have stopped between writing and recording: record what it
            # wrote first. Drafts it planned but never wrote wait for this run's mail, as in a
            # run that never stopped: a later message may make one moot (draft_once.py).
            apply_pending(rt, report.started, drafts="found").add_to(report)
        _sync_mail(rt, steps, report, progress)
        for practice_pass in steps.passes:
            log.debug("practice pass %s", practice_pass.name)
            practice_pass.run(rt, report)
    return report
