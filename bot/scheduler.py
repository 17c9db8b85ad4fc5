"""``chief run``: the unattended loop (APScheduler).

Jobs, in the practice's time zone:

- **sync** every ``[schedule] sync_minutes``: new mail in, drafts and calendar entries out;
- **renewals** daily: credential reminders planned and written even on a day the mail server
  is unreachable (a sync also does it; this job makes it independent of mail);
- **summary** daily at ``[summary] hour``.

One daemon per practice (a lock held for the daemon's lifetime, besides the per-pass sync
lock); jobs never overlap themselves; a failed pass is logged and retried at the next tick.
SIGTERM and SIGINT stop it cleanly: the running job finishes, connections are closed.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import ChiefError
from bot.locking import exclusive_lock
from bot.runtime import Runtime

__all__ = ["build_scheduler", "run_forever"]

log = logging.getLogger(__name__)


def _sync_job(rt: Runtime) -> None:
    from bot.pipeline import sync

    try:
        report = sync(rt)
        log.info(
            "sync: %d new message(s), %d draft(s), %d calendar entr(ies), %d problem(s)",
            report.messages,
            report.drafts_written,
            report.calendar_written,
            len(report.errors),
        )
    except ChiefError as exc:
        log.error("sync failed: %s", exc)


def _renewals_job(rt: Runtime) -> None:
    from bot.effects import apply_pending
    from bot.pipeline import SyncReport, plan_credentials

    try:
        with exclusive_lock(rt.config.data_path / "sync.lock", wait=True):
            plan_credentials(rt, SyncReport())
            apply_pending(rt)
    except ChiefError as exc:
        log.error("renewal check failed: %s", exc)


def _summary_job(rt: Runtime) -> None:
    from bot.daily_summary import deliver_summary

    try:
        deliver_summary(rt)
        log.info("daily summary delivered")
    except ChiefError as exc:
        log.error("daily summary failed: %s", exc)


def build_scheduler(rt: Runtime) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=rt.tz)
    common = {"args": [rt], "max_instances": 1, "coalesce": True}
    scheduler.add_job(
        _sync_job,
        IntervalTrigger(minutes=rt.config.schedule.sync_minutes, timezone=rt.tz),
        id="sync",
        next_run_time=rt.now(),
        **common,
    )
    scheduler.add_job(
        _renewals_job,
        CronTrigger(hour=max(rt.config.summary.hour - 1, 0), minute=30, timezone=rt.tz),
        id="renewals",
        misfire_grace_time=12 * 3600,
        **common,
    )
    scheduler.add_job(
        _summary_job,
        CronTrigger(hour=rt.config.summary.hour, timezone=rt.tz),
        id="summary",
        misfire_grace_time=6 * 3600,
        **common,
    )
    return scheduler


def run_forever(rt: Runtime) -> None:
    """Run the jobs until SIGTERM / SIGINT; refuses to start beside another daemon."""
    with exclusive_lock(rt.config.data_path / "run.lock"):
        scheduler = build_scheduler(rt)

        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %d: stopping after the running job", signum)
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
        try:
            scheduler.start()
        finally:
            rt.close()
            log.info("stopped")
