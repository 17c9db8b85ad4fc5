"""One pass: read new mail, classify, file against cases, plan and apply actions.

::

    mail.changes(cursor) → Batch of Messages
      → rules.classify → matching.attach → planning.plan_message → payments.record_payments
        → cpd.record_certificate (CME certificates) → research_digest.note_alert (journal alerts)
      → one transaction per batch: messages, case links, planned actions, amounts, the cursor
      → effects.apply_pending: drafts and calendar entries written, exactly once
    then: credential and protocol reminders from the register; booking_guard.plan_booking_chases
    (imaging booked before its authorisation is approved); effects again; renewal checklists
    (renewal_checklist.write_renewal_checklists)

A message's key (mailbox + Message-ID + sender, or mailbox + provider id when it has no
Message-ID) is unique in the case log, so rereading a batch after a crash, a cursor reset or a
resync logs nothing twice. A message that cannot be parsed is logged once with its error (no
content) and the run goes on.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import crash
from bot.booking_guard import plan_booking_chases
from bot.cpd import record_certificate
from bot.credentials import plan_reminders
from bot.drafting import valid_address
from bot.effects import apply_pending
from bot.errors import ConnectorError, CursorInvalid, UserError
from bot.keys import stable_key
from bot.locking import exclusive_lock
from bot.mail_message import Message
from bot.matching import attach
from bot.models import Mailbox, MessageRow, Party
from bot.parties import Party as DirectoryParty
from bot.payments import message_day, record_payments
from bot.planning import plan_calendar_entry, plan_message
from bot.progress import Bar
from bot.protocols import plan_protocol_reminders
from bot.register import Register, load_practice_register
from bot.renewal_checklist import write_renewal_checklists
from bot.research_digest import note_alert
from bot.retention import apply_retention
from bot.rules_engine import Classification
from bot.runtime import Runtime

__all__ = ["SyncReport", "message_key", "sync"]

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    messages: int = 0
    skipped_known: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    cases_opened: int = 0
    filed: Counter[str] = field(default_factory=Counter)  # how: thread|reference|party|...
    deadlines: int = 0
    drafts_planned: int = 0
    drafts_written: int = 0
    calendar_written: int = 0
    labelled: int = 0  # messages given their category's label (Gmail `category_labels`)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "skipped_known": self.skipped_known,
            "by_category": dict(self.by_category),
            "cases_opened": self.cases_opened,
            "filed": dict(self.filed),
            "deadlines": self.deadlines,
            "drafts_planned": self.drafts_planned,
            "drafts_written": self.drafts_written,
            "calendar_written": self.calendar_written,
            "labelled": self.labelled,
            "errors": list(self.errors),
        }


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def message_key(mailbox: str, message: Message | None, provider_id: str) -> str:
    """The exactly-once key of a message in a mailbox.

    By Message-ID and sender; a message without a Message-ID by its content (sender, date,
    subject, text, size), which survives what provider ids do not (an IMAP UIDVALIDITY reset,
    a Maildir file renamed); a message that could not be parsed at all by its provider id.
    """
    if message is None:
        return stable_key(mailbox, "pid", provider_id)
    if message.message_id:
        return stable_key(mailbox, "mid", message.message_id, message.from_addr)
    return stable_key(
        mailbox,
        "content",
        message.from_addr,
        message.date.isoformat() if message.date else "",
        message.subject,
        _sha(message.text),
        message.size,
    )


def _party_row(session: Session, practice_id: int, party: DirectoryParty | None) -> Party | None:
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


def _log_message(
    session: Session, rt: Runtime, mailbox_id: int, key: str, message: Message, report: SyncReport
) -> str | None:
    """Classify, file and plan one new message in ``session``; returns its category."""
    result = rt.rules.classify(message)
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
        category=result.category,
        case_kind=result.case_kind,
        event=result.event,
        rule_id=result.rule_id,
        reply_address=_payer_reply_address(message, result),
    )
    session.add(row)
    session.flush()
    party = _party_row(session, rt.practice_id, result.party)
    pseudonym = rt.pseudonyms.pseudonym(result.refs.get("patient"), result.refs.get("dob"))
    filed = attach(session, rt.practice_id, row, message, result, party, pseudonym, now)
    row.match_how = filed.how
    plan = plan_message(session, rt, row, message, result, filed.case)
    day_first = rt.config.practice.country == "GB" or message.from_domain.endswith(".uk")
    record_payments(
        session,
        rt.practice_id,
        row,
        message,
        result,
        filed.case,
        party,
        message_day(message, row, rt.tz, now),
        day_first,
    )
    report.cases_opened += record_certificate(
        session,
        rt.practice_id,
        row,
        message,
        result,
        filed.case,
        party,
        message_day(message, row, rt.tz, now),
        now,
        day_first,
    )
    if note_alert(rt, key, message, result, now):  # a journal alert, kept for the digest
        crash.step("alert.append")  # appended, its batch not yet committed
    report.messages += 1
    report.by_category[result.category or "unclassified"] += 1
    report.filed[filed.how] += 1
    report.cases_opened += filed.how == "opened"
    report.deadlines += len(plan.deadlines)
    report.drafts_planned += len(plan.drafts)
    report.errors.extend(plan.problems)
    log.debug(
        "message %s: rule=%s case=%s how=%s",
        message.fingerprint,
        result.rule_id,
        filed.case.id if filed.case else None,
        filed.how,
    )
    return result.category


def _sync_mail(rt: Runtime, report: SyncReport, progress: Bar | None) -> None:
    source = rt.mail()
    with rt.sessions() as session:
        mailbox_id = rt.mailbox_id(session)
        session.commit()
        crash.step("mailbox.commit")
        mailbox = session.get(Mailbox, mailbox_id)
        assert mailbox is not None
        cursor = mailbox.cursor
    labeller = getattr(source, "label_messages", None)  # a label per category (Gmail)
    estimate = getattr(source, "estimate", None)
    if progress is not None and estimate is not None:
        progress.set_total(estimate(cursor))
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
            for message in batch.messages:
                if message.generated_by_chief:
                    continue
                keyed.setdefault(message_key(name, message, message.provider_id), message)
            failed = {message_key(name, None, pid): (pid, why) for pid, why in batch.failed}
            candidates = [*keyed, *failed]
            known = (
                set(session.scalars(select(MessageRow.key).where(MessageRow.key.in_(candidates))))
                if candidates
                else set()
            )
            report.skipped_known += len(known)
            by_category: dict[str | None, list[str]] = {}
            for key, message in keyed.items():
                if key not in known and message is not None:
                    category = _log_message(session, rt, mailbox_id, key, message, report)
                    by_category.setdefault(category, []).append(message.provider_id)
            if labeller is not None and by_category:
                # Before the commit: a crash in between labels them again on the rerun.
                report.labelled += labeller(by_category)
                crash.step("labels.remote")
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
        effects = apply_pending(rt)
        report.drafts_written += effects.drafts_written
        report.calendar_written += effects.calendar_written
        report.errors.extend(effects.errors)
        batch = next(batches, None)


def plan_credentials(rt: Runtime, report: SyncReport) -> Register | None:
    """Renewal reminders and protocol review reminders from the practice's register into the
    calendar; returns the register (None when the practice has none)."""
    path = rt.config.practice.register_file
    if path is None:
        return None
    register = load_practice_register(
        rt.config.resolve(path), rt.config.reminders.credential_lead_days
    )
    alarms = tuple(rt.config.reminders.deadline_alarm_minutes)
    planned = [
        *((entry, "credential") for entry in plan_reminders(register.credentials, rt.today())),
        *(
            (entry, "protocol")
            for entry in plan_protocol_reminders(register.protocols, rt.today(), alarms)
        ),
    ]
    with rt.sessions.begin() as session:
        for entry, source in planned:
            # Scoped to the practice: one case log may serve several practices.
            scoped = replace(entry, key=stable_key(rt.config.practice.slug, entry.key))
            plan_calendar_entry(session, rt, scoped, source)
    crash.step("reminders.commit")
    return register


def sync(rt: Runtime, progress: Bar | None = None) -> SyncReport:
    """One full pass for the practice; holds the practice's lock for its whole duration."""
    report = SyncReport()
    with exclusive_lock(rt.config.data_path / "sync.lock"):
        # A previous run may have stopped between planning and writing: finish that first.
        leftover = apply_pending(rt)
        report.drafts_written += leftover.drafts_written
        report.calendar_written += leftover.calendar_written
        _sync_mail(rt, report, progress)
        register = None
        try:
            register = plan_credentials(rt, report)
        except UserError as exc:
            report.errors.append(str(exc))
        try:
            report.drafts_planned += plan_booking_chases(rt)
            crash.step("chases.commit")
        except ConnectorError as exc:
            report.errors.append(f"booking guard: calendar unreadable: {exc}")
        effects = apply_pending(rt)
        report.drafts_written += effects.drafts_written
        report.calendar_written += effects.calendar_written
        report.errors.extend(effects.errors)
        if register is not None:
            checklists = write_renewal_checklists(rt, register)
            report.drafts_written += checklists.written
            report.errors.extend(checklists.errors)
        apply_retention(rt)  # [retention]: last, once this pass's mail is filed and written
    return report
