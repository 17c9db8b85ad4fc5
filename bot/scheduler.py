"""``chief run``: the unattended loop (APScheduler).

Jobs, in the practice's time zone:

- **sync** every ``[schedule] sync_minutes``: new mail in, drafts and calendar entries out;
- **renewals** daily: credential reminders planned and written even on a day the mail server
  is unreachable (a sync also does it; this job makes it independent of mail);
- **summary** daily at ``[summary] hour``.

Between two syncs a watcher thread waits for new mail on a connection of its own (IMAP IDLE,
``[schedule] push``, on by default) and runs the sync job at once when mail arrives; the
interval stays as the safety net for anything the watcher misses.

One daemon per practice (a lock held for the daemon's lifetime, besides the per-pass sync
lock); jobs never overlap themselves; a failed pass is logged and retried at the next tick.
SIGTERM and SIGINT stop it cleanly: the running job finishes, connections are closed.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import AuthError, ChiefError
from bot.locking import exclusive_lock
from bot.runtime import Runtime

__all__ = ["build_scheduler", "run_forever"]

log = logging.getLogger(__name__)

_WATCH_SLICE_S = 30.0  # the watcher notices a stop at least this often


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


def _watch(rt: Runtime, scheduler: BaseScheduler, stopping: threading.Event) -> None:
    """Wake the sync job as soon as new mail arrives: a second connection waits (IDLE) while
    the interval job stays the safety net. Errors back off; a refused sign-in ends the
    watching (the interval sync reports it)."""
    watcher = rt.mail_watcher()
    if watcher is None:
        return
    backoff = _WATCH_SLICE_S
    settled = False
    while not stopping.is_set():
        try:
            if not settled:
                watcher.mark_seen()
                settled = True
            if watcher.wait_for_changes(_WATCH_SLICE_S) and not stopping.is_set():
                watcher.mark_seen()  # before the sync looks: later mail wakes us again
                log.debug("new mail: syncing now")
                scheduler.modify_job("sync", next_run_time=rt.now())
            backoff = _WATCH_SLICE_S
        except AuthError as exc:
            log.error("watching for new mail stopped: %s", exc)
            return
        except (ChiefError, JobLookupError) as exc:
            log.warning("watching for new mail: %s; retrying in %d s", exc, backoff)
            settled = False
            stopping.wait(backoff)
            backoff = min(backoff * 2, rt.config.schedule.sync_minutes * 60)


def run_forever(rt: Runtime) -> None:
    """Run the jobs until SIGTERM / SIGINT; refuses to start beside another daemon."""
    with exclusive_lock(rt.config.data_path / "run.lock"):
        scheduler = build_scheduler(rt)
        stopping = threading.Event()
        watching = threading.Thread(
            target=_watch, args=(rt, scheduler, stopping), name="chief-watch", daemon=True
        )
        if rt.config.schedule.push:
            watching.start()

        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info("signal %d: stopping after the running job", signum)
            stopping.set()
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
        try:
            scheduler.start()
        finally:
            stopping.set()
            if watching.is_alive():
                watcher = rt.mail_watcher()
                if watcher is not None:
                    watcher.interrupt()
                watching.join(timeout=10)
            rt.close()
            log.info("stopped")
