"""The catalogue: every per-message step, practice pass and job, each named once.

``chief sync`` runs :data:`STEPS`; ``chief run`` (``bot.jobs.scheduler``) and ``chief worker``
(``bot.jobs.worker``) schedule :data:`JOBS`. Adding a feature is its module in
``bot/features/`` plus one line here: a message step if it reads something out of each new
message, a practice pass if it works over the whole practice once per sync.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.config import Config
from bot.features.booking_guard import booking_pass
from bot.features.case_notes import note_step, notes_folder_pass
from bot.features.cpd import certificate_step
from bot.features.note_reports import report_updates_pass
from bot.features.outbound_referrals import outbound_chase_pass, outbound_reply_step
from bot.features.payments import payments_step
from bot.features.recalls import recall_step
from bot.features.reminders import plan_credentials, reminders_pass
from bot.features.renewal_checklist import checklist_pass
from bot.features.research_digest import alert_step
from bot.features.retention import retention_pass
from bot.features.sent_replies import sent_replies_pass
from bot.progress import Bar
from bot.summary.delivery import deliver_summary
from bot.sync import pipeline
from bot.sync.corrections import corrections_pass
from bot.sync.effects import apply_pending, effects_pass
from bot.sync.runtime import Runtime
from bot.sync.steps import MessageStep, PracticePass, Steps, SyncReport

__all__ = [
    "JOBS",
    "MESSAGE_STEPS",
    "PRACTICE_PASSES",
    "STEPS",
    "Job",
    "job",
    "renewals",
    "summary",
    "sync",
]

# Run for every new message, in order, inside its batch's transaction.
MESSAGE_STEPS: tuple[MessageStep, ...] = (
    MessageStep("payments", payments_step),  # amounts billed, paid, adjusted
    MessageStep("cme certificates", certificate_step),  # credits against CME requirements
    MessageStep("research alerts", alert_step),  # kept for the digest
    MessageStep("notes", note_step),  # the practitioner's notes to herself: reports drafted
    MessageStep("outbound replies", outbound_reply_step),  # close the referrals she sent
    MessageStep("recalls", recall_step),  # products named on cases; a recall lists them
)

# Run once per sync, after the mail, in order.
PRACTICE_PASSES: tuple[PracticePass, ...] = (
    PracticePass("corrections", corrections_pass),  # messages moved to Chief/<Category>
    PracticePass("sent replies", sent_replies_pass),  # the practitioner's replies close deadlines
    PracticePass("notes folder", notes_folder_pass),  # notes/ files: reports drafted
    PracticePass("report updates", report_updates_pass, writes_outside=True),  # new notes
    PracticePass("outbound chases", outbound_chase_pass),  # her referrals left unanswered
    PracticePass("reminders", reminders_pass),  # register renewals and protocol reviews
    PracticePass("booking guard", booking_pass),  # imaging booked before authorisation
    PracticePass("renewal checklists", checklist_pass),  # a renewal window opens
    PracticePass("effects", effects_pass, writes_outside=True),  # what is planned, written
    PracticePass("retention", retention_pass),  # last: [retention] on what is filed
)

STEPS = Steps(per_message=MESSAGE_STEPS, passes=PRACTICE_PASSES)


def sync(rt: Runtime, progress: Bar | None = None) -> SyncReport:
    """One full sync pass of the practice: its mail, then its practice passes."""
    return pipeline.sync(rt, STEPS, progress)


def renewals(rt: Runtime) -> dict[str, Any]:
    """Credential and protocol reminders planned and written, independent of the mail server
    (a sync does it too; this job keeps it going on a day the mail server is unreachable)."""
    with rt.sync_lock(wait=True):
        plan_credentials(rt)
        effects = apply_pending(rt)
    return {"calendar_written": effects.calendar_written, "problems": len(effects.errors)}


def summary(rt: Runtime) -> dict[str, Any]:
    """Today's summary to the practitioner, at most once a day whatever the retries."""
    deliver_summary(rt)
    return {"delivered": True}


def _sync_job(rt: Runtime) -> dict[str, Any]:
    report = sync(rt)
    return {
        "messages": report.messages,
        "drafts_written": report.drafts_written,
        "calendar_written": report.calendar_written,
        "problems": len(report.problems()),
    }


@dataclass(frozen=True, slots=True)
class Job:
    """A job of ``chief run`` and ``chief worker``.

    ``every_minutes`` makes it an interval job (the mailbox's sync: one at a time per mailbox);
    otherwise it runs daily at ``daily_at`` (hour, minute), the practice's local time.
    ``grace_s`` is how late ``chief run`` may still start a missed run (a laptop asleep).
    ``task`` is its name in the worker's queue.
    """

    name: str
    task: str
    run: Callable[[Runtime], dict[str, Any]]
    every_minutes: Callable[[Config], int] | None = None
    daily_at: Callable[[Config], tuple[int, int]] | None = None
    grace_s: int | None = None

    @property
    def reads_mailbox(self) -> bool:
        return self.every_minutes is not None


JOBS: tuple[Job, ...] = (
    Job(
        "sync",
        "chief.sync_mailbox",
        _sync_job,
        every_minutes=lambda config: config.schedule.sync_minutes,
    ),
    Job(
        "renewals",  # half past the hour before the summary
        "chief.renewals",
        renewals,
        daily_at=lambda config: (max(config.summary.hour - 1, 0), 30),
        grace_s=12 * 3600,
    ),
    Job(
        "summary",
        "chief.summary",
        summary,
        daily_at=lambda config: (config.summary.hour, 0),
        grace_s=6 * 3600,
    ),
)


def job(name: str) -> Job:
    """The job called ``name`` in :data:`JOBS`."""
    return next(j for j in JOBS if j.name == name)
