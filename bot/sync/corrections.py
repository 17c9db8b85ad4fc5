"""Corrections from the mailbox: a message the practitioner moved to ``Chief/<Category>``.

The practitioner never needs the command line to correct chief: moving or copying a message
into a correction folder (Maildir++ ``.Chief.Referral``, IMAP ``Chief/Referral`` under the
personal namespace, an Outlook child folder of ``Chief``) or labelling it ``Chief/Referral`` in
Gmail says "this is a referral". ``Chief/Not practice mail`` says it is no practice's business.
The names are the ``[corrections]`` table's (:class:`bot.config.CorrectionsConfig`), matched
whatever their case; chief makes the folders on its first run (:class:`connectors.base.
MakesCorrectionFolders`) and otherwise only reads them, through the connector's
:class:`connectors.base.WatchesCorrections`, with a cursor of its own
(``mailbox.corrections_cursor``).

Each corrected message is refiled **once**, in one transaction with the correction's row and
the folders' cursor: its wrong filing withdrawn (:mod:`bot.sync.withdrawing`: case link,
deadlines, untouched drafts), its category's rule found (:meth:`bot.rules.engine.RuleSet.
classify_as`), its case found or opened and its deadlines and drafts planned as for any new
message. The correction's KEY (the message's key and the category) is unique, so a provider
that reports a message again (Outlook's delta repeats what changed, a copy left in two
folders, a cursor lost) refiles nothing twice; a crash before the commit refiles it on the
rerun, after it never again. What it planned is written by the effects pass, as always.

What is not a correction: a message already filed under the category and not held for a look
(nothing to correct), and a label chief itself put on (Gmail's ``category_labels`` share the
correction labels' names: the case log's journal of labels says which ones chief put on). Where
chief labels what it files, a correction takes chief's wrong label off and puts the right one
on, journalled with the correction (:mod:`bot.sync.correction_mail`). A correction undone and
its message put back is no longer one: moved into the folder again, it is refiled again.

NOT REFILED: a corrected message that cannot be read (an unparseable file) or whose refile
raises (its savepoint rolled back, nothing of it kept) is reported by its provider id, never a
word of it, and counted among the pass's failures (``chief sync`` exits 3); the other messages
are refiled and the rest of the sync goes on. The folders' cursor is then kept where it was
before that message, so the next sync reads it again (what was refiled meanwhile is known by
its correction's KEY and refiled nothing twice): nothing is lost. A connector that cannot read
the folders at all is a failure of the pass in the same way.

Each correction also teaches (:mod:`bot.sync.learning`: hashed feature counts in the case log)
and, for an organisation's address, adds the sender's domain to the practice's own party
directory (:mod:`bot.rules.party_learning`), journalled on the correction (``party_state``
``planned``), written, then recorded ``written``: a crash between the two writes the file again,
which changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import crash
from bot.errors import ConnectorError, CursorInvalid, MessageError
from bot.keys import stable_key
from bot.mail.message import Message
from bot.rules.classification import Classification
from bot.rules.learned import message_features
from bot.rules.parties import Party as DirectoryParty
from bot.rules.party_learning import (
    add_party,
    known,
    organisation_domain,
    party_kind,
    remove_party,
)
from bot.rules.practice_memory import label_of
from bot.rules.stated_dates import day_first
from bot.store.models import Correction, Draft, Mailbox, MessageRow
from bot.sync.closing import close_moot
from bot.sync.correction_mail import labelled_by_chief, relabel
from bot.sync.learning import teach
from bot.sync.matching import attach
from bot.sync.pipeline import earlier_keys, log_message, message_key, party_row
from bot.sync.planning import draft_key, plan_message
from bot.sync.runtime import Runtime
from bot.sync.steps import Steps, SyncReport
from bot.sync.withdrawing import withdraw_filing
from connectors.base import Correction as FolderBatch
from connectors.base import Cursor, MakesCorrectionFolders, WatchesCorrections

__all__ = [
    "corrections_pass",
    "practice_rules_dir",
    "refile",
    "remove_parties",
    "write_parties",
]

log = logging.getLogger(__name__)

CORRECTION_SOURCE = "correction"


def corrections_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass: make the folders on the first run, then refile what was moved."""
    settings = rt.config.corrections
    source = rt.mail()
    if not settings.enabled or not isinstance(source, WatchesCorrections):
        return
    with rt.sessions() as session:
        mailbox_id = rt.mailbox_id(session)
        session.commit()
        mailbox = session.get(Mailbox, mailbox_id)
        cursor = mailbox.corrections_cursor if mailbox is not None else None
    first_run = cursor is None and settings.make_folders and not rt.dry_run
    if first_run and isinstance(source, MakesCorrectionFolders):
        try:
            made = source.make_correction_folders(list(settings.folder_names()))
            log.info("corrections: %d correction folder(s) made", made)
        except ConnectorError as exc:
            report.failures.add("correction folders", exc)
    unknown: set[str] = set()
    held = False  # a message not refiled: the folders' cursor stays before it (NOT REFILED)
    batches = _batches(source, cursor)
    while True:
        try:
            batch = next(batches, None)
        except ConnectorError as exc:
            report.failures.add("correction folders", exc)
            log.warning("corrections: the correction folders not read (%s)", type(exc).__name__)
            break
        if batch is None:
            break
        known_name, category = settings.category_of(batch.category)
        with rt.sessions.begin() as session:
            for message in batch.batch.messages:
                if not known_name:
                    unknown.add(batch.category)
                    continue
                try:
                    with session.begin_nested():
                        done = refile(
                            session, rt, mailbox_id, message, category, batch.category, report
                        )
                except Exception as exc:  # one message never stops the run
                    _not_refiled(report, message.provider_id, type(exc).__name__)
                    held = True
                    continue
                report.corrections += done
            for provider_id, why in batch.batch.failed:
                _not_refiled(report, provider_id, why)
                held = True
            row = session.get(Mailbox, mailbox_id)
            if row is not None and not held:
                row.corrections_cursor = dict(batch.batch.cursor)
        crash.step("corrections.commit")
    for name in sorted(unknown):
        log.warning("corrections: a folder under Chief names no category; see [corrections]")
        log.debug("corrections: unknown folder %r", name)
    if not rt.dry_run:
        write_parties(rt)
        remove_parties(rt)  # an undo stopped before it took its party out


def _not_refiled(report: SyncReport, provider_id: str, why: str) -> None:
    """Count a corrected message that could not be refiled (NOT REFILED), by its id only."""
    report.failures.add("correction", MessageError(provider_id[:200], f"not refiled ({why})"))
    log.warning(
        "corrections: message %s not refiled (%s); tried again on the next sync", provider_id, why
    )


def _batches(source: WatchesCorrections, cursor: Cursor | None) -> Iterator[FolderBatch]:
    try:
        batches = iter(source.corrections(cursor))
        first = next(batches, None)
    except CursorInvalid:
        log.info("corrections cursor no longer valid: reading the correction folders again")
        batches = iter(source.corrections(None))
        first = next(batches, None)
    if first is not None:
        yield first
        yield from batches


def _mailbox_name(rt: Runtime) -> str:
    return f"{rt.config.practice.slug}/{rt.config.mail.get('connector', 'maildir')}"


def _logged(session: Session, name: str, message: Message) -> tuple[str, MessageRow | None]:
    key = message_key(name, message, message.provider_id)
    for candidate in (key, *earlier_keys(name, message)):
        row = session.scalar(select(MessageRow).where(MessageRow.key == candidate))
        if row is not None:
            return row.key, row
    return key, None


def refile(
    session: Session,
    rt: Runtime,
    mailbox_id: int,
    message: Message,
    category: str | None,
    folder: str,
    report: SyncReport,
) -> bool:
    """Refile ``message`` as ``category`` (None: not practice mail), once; False when there is
    nothing to do (already so filed, chief's own label, this correction already made)."""
    name = _mailbox_name(rt)
    key, row = _logged(session, name, message)
    if labelled_by_chief(session, rt.practice_id, message.provider_id, category):
        return False  # chief's own category label read back, not the practitioner's word
    correction_key = _correction_key(session, key, category)
    if correction_key is None:
        return False  # reported again (Outlook's delta, a copy in two folders): done once
    if row is None:  # never read from the watched folders: logged as the rules see it first
        log_message(session, rt, Steps(), mailbox_id, key, message, report)
        row = session.scalar(select(MessageRow).where(MessageRow.key == key))
        assert row is not None
    elif row.category == category and row.needs_look is None:
        return False  # already filed so: nothing to correct
    now = rt.now()
    was = row.category
    before = withdraw_filing(session, rt, row, now)
    result = rt.rules.classify_as(message, category, rt.config.practice.country)
    row.category, row.case_kind, row.event = result.category, result.case_kind, result.event
    row.rule_id, row.source, row.confidence = result.rule_id, CORRECTION_SOURCE, 1.0
    row.needs_look = None
    _free_draft_keys(session, rt, row, result)
    party = party_row(session, rt.practice_id, result.party)
    pseudonym = rt.pseudonyms.pseudonym(result.refs.get("patient"), result.refs.get("dob"))
    filed = attach(session, rt.practice_id, row, message, result, party, pseudonym, now)
    row.match_how = filed.how
    dates_day_first = day_first(message.from_domain, rt.config.practice.country)
    plan = plan_message(session, rt, row, message, result, filed.case, dates_day_first)
    report.deadlines_closed += close_moot(session, rt, filed.case, row, now)
    report.deadlines += len(plan.deadlines)
    report.drafts_planned += len(plan.drafts)
    report.cases_opened += filed.how == "opened"
    report.errors.extend(plan.problems)
    features = message_features(message) if rt.config.corrections.learn else []
    label = label_of(result.category, result.case_kind)
    correction = Correction(
        key=correction_key,
        practice_id=rt.practice_id,
        message_id=row.id,
        provider_id=message.provider_id[:255],
        category=category,
        folder=folder[:200],
        state="refiled",
        before=before,
        features=sorted(features),
        label=label,
        case_id=filed.case.id if filed.case else None,
        at=now,
    )
    domain = _party_domain(rt, message, result.party, category)
    if domain is not None:
        correction.party_domain, correction.party_state = domain, "planned"
    session.add(correction)
    relabel(session, rt, message.provider_id, correction_key, was, result.category)
    if features:
        teach(session, rt.practice_id, label, features, 1)
    log.info(
        "correction: message %s refiled as %s (case %s, %s)",
        message.fingerprint,
        category or "not practice mail",
        filed.case.id if filed.case else None,
        filed.how,
    )
    return True


def _correction_key(session: Session, key: str, category: str | None) -> str | None:
    """The KEY of a correction of message ``key`` to ``category``, None when it is made: a
    correction undone and its message put back (:mod:`bot.sync.correction_mail`) does not
    count, so the same move made again is a new correction."""
    candidate = stable_key(key, "correction", category or "-")
    while True:
        found = session.scalar(select(Correction).where(Correction.key == candidate))
        if found is None:
            return candidate
        if found.state != "undone" or found.return_state not in ("returned", "gone"):
            return None
        candidate = stable_key(candidate, "again", str(found.id))


def _free_draft_keys(
    session: Session, rt: Runtime, row: MessageRow, result: Classification
) -> None:
    """A message filed back under a category it had before (corrected to B, then to A again)
    plans drafts under the keys of its earlier ones: those rows step aside (their key kept
    apart by their number), and a draft still in the mailbox under the key is found and
    adopted by the new plan rather than written twice."""
    keys = [draft_key(rt, row.key, action.draft.template) for action in result.draft_actions]
    if not keys:
        return
    for draft in session.scalars(select(Draft).where(Draft.key.in_(keys))).all():
        draft.key = stable_key(draft.key, "superseded", str(draft.id))
        if draft.state == "withdraw":
            draft.state = "withdrawn"
    session.flush()


def _party_domain(
    rt: Runtime, message: Message, found: DirectoryParty | None, category: str | None
) -> str | None:
    """The sender's domain to add to the practice's party directory, or None."""
    if category is None or not rt.config.corrections.add_parties:
        return None
    if practice_rules_dir(rt) is None:
        return None
    domain = organisation_domain(message.from_addr)
    if domain is None or known(rt.rules.parties, domain, party_kind(category)):
        return None
    return domain


def practice_rules_dir(rt: Runtime) -> Path | None:
    """The practice's own rules folder (the last of ``[rules] dirs``), None without one."""
    dirs = rt.config.rules.dirs
    folder = rt.config.resolve(dirs[-1]) if dirs else None
    return folder if folder is not None and folder.is_dir() else None


def write_parties(rt: Runtime) -> int:
    """Write the planned party entries into the practice's directory, then record them."""
    folder = practice_rules_dir(rt)
    if folder is None:
        return 0
    written = 0
    with rt.sessions() as session:
        pending = session.scalars(
            select(Correction)
            .where(Correction.practice_id == rt.practice_id, Correction.party_state == "planned")
            .order_by(Correction.id)
        ).all()
        for correction in pending:
            assert correction.party_domain is not None and correction.category is not None
            kind = party_kind(correction.category)
            day = correction.at.astimezone(rt.tz).date() if correction.at.tzinfo else rt.today()
            try:
                add_party(
                    folder, kind, correction.party_domain, day, correction.id, correction.folder
                )
            except OSError as exc:
                log.warning("corrections: party directory not written: %s", exc.strerror or exc)
                return written
            crash.step("party.file")
            rt.rules.parties.add(
                DirectoryParty(kind, correction.party_domain, (correction.party_domain,))
            )
            correction.party_state = "written"
            session.commit()
            crash.step("party.commit")
            written += 1
    return written


def remove_parties(rt: Runtime) -> int:
    """Remove the party entries of undone corrections from the directory, then record it."""
    folder = practice_rules_dir(rt)
    removed = 0
    with rt.sessions() as session:
        pending = session.scalars(
            select(Correction).where(
                Correction.practice_id == rt.practice_id, Correction.party_state == "remove"
            )
        ).all()
        for correction in pending:
            if folder is not None and correction.party_domain and correction.category:
                remove_party(folder, party_kind(correction.category), correction.party_domain)
                crash.step("party.file")
            correction.party_state = "removed"
            session.commit()
            removed += 1
    return removed
