"""The shapes of the pipeline's steps: what a per-message step reads and what a practice pass is.

MESSAGE STEP
    A function ``(FiledMessage, SyncReport) -> None`` run once for every new message, inside
    the batch's open transaction, after the message is classified, filed to its case and its
    deadlines and drafts are planned. It adds rows to ``filed.session`` (never commits) and
    counts what it did in the report. A feature that reads amounts, certificates or alerts
    out of mail is a message step.
PRACTICE PASS
    A named function ``(Runtime, SyncReport) -> None`` run once per sync, after the mail, in
    the order of the list. It opens its own transactions; a problem it can report (a broken
    register, an unreadable calendar) goes into ``report.errors`` and the next pass runs.
STEPS
    The two lists a sync runs (``bot.jobs.catalogue`` declares the practice's). Adding a
    feature is its module plus one line there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.sync.retries import Failures

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.mail.message import Message
    from bot.rules.engine import Classification
    from bot.store.models import Case, MessageRow, Party
    from bot.sync.runtime import Runtime

__all__ = ["FiledMessage", "MessageStep", "PracticePass", "Steps", "SyncReport"]


@dataclass
class SyncReport:
    messages: int = 0
    skipped_known: int = 0
    own_summaries: int = 0  # chief's own summaries read back from INBOX, not filed
    by_category: Counter[str] = field(default_factory=Counter)
    cases_opened: int = 0
    filed: Counter[str] = field(default_factory=Counter)  # how: thread|reference|party|...
    deadlines: int = 0
    deadlines_closed: int = 0  # made moot by a status, answered by a sent reply (closing)
    replies_seen: int = 0  # the practitioner's sent replies matched to a case
    drafts_planned: int = 0
    drafts_written: int = 0
    calendar_written: int = 0
    labelled: int = 0  # messages given their category's label (Gmail `category_labels`)
    corrections: int = 0  # messages refiled as the practitioner moved them (Chief/<Category>)
    drafts_withdrawn: int = 0  # chief's untouched drafts of a wrong filing, removed
    by_source: Counter[str] = field(default_factory=Counter)  # rule | model | none
    needs_look: int = 0  # held for the practitioner (bot/rules/classification.py)
    errors: list[str] = field(default_factory=list)
    # Remote writes that failed in this pass, by kind: tried again on a later one.
    failures: Failures = field(default_factory=Failures)
    started: datetime | None = None  # when the pass began (bot.sync.retries.due)

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "skipped_known": self.skipped_known,
            "own_summaries": self.own_summaries,
            "by_category": dict(self.by_category),
            "cases_opened": self.cases_opened,
            "filed": dict(self.filed),
            "deadlines": self.deadlines,
            "drafts_planned": self.drafts_planned,
            "drafts_written": self.drafts_written,
            "calendar_written": self.calendar_written,
            "labelled": self.labelled,
            "corrections": self.corrections,
            "drafts_withdrawn": self.drafts_withdrawn,
            "by_source": dict(self.by_source),
            "needs_look": self.needs_look,
            "errors": [*self.errors, *self.failures.lines()],
            "failed_writes": sum(self.failures.counts.values()),
        }

    def problems(self) -> list[str]:
        """Every problem of the pass, failed writes as one line per kind."""
        return [*self.errors, *self.failures.lines()]


@dataclass(frozen=True, slots=True)
class FiledMessage:
    """One new message, classified and filed in the batch's open transaction."""

    session: Session
    rt: Runtime
    key: str  # the message's exactly-once key (see bot.sync.pipeline.message_key)
    row: MessageRow
    message: Message
    result: Classification
    case: Case | None
    party: Party | None
    day: date  # the day it was sent, in the practice's time zone
    now: datetime  # when it was read
    day_first: bool  # how its writer orders a numeric date (bot.rules.stated_dates.day_first)


@dataclass(frozen=True, slots=True)
class MessageStep:
    """A step run for every new message (see MESSAGE STEP). ``writes_outside``: it writes
    beyond the case log (a file, a remote object), so ``chief sync --dry-run`` leaves it out."""

    name: str
    run: Callable[[FiledMessage, SyncReport], None]
    writes_outside: bool = False


@dataclass(frozen=True, slots=True)
class PracticePass:
    """A pass over the whole practice, once per sync (see PRACTICE PASS). ``writes_outside``
    as for a message step."""

    name: str
    run: Callable[[Runtime, SyncReport], None]
    writes_outside: bool = False


@dataclass(frozen=True, slots=True)
class Steps:
    """What a sync runs: per-message steps in order, then practice passes in order."""

    per_message: tuple[MessageStep, ...] = ()
    passes: tuple[PracticePass, ...] = ()

    def planning_only(self) -> Steps:
        """The steps that write nothing beyond the case log (``--dry-run``)."""
        return Steps(
            tuple(s for s in self.per_message if not s.writes_outside),
            tuple(p for p in self.passes if not p.writes_outside),
        )
