"""Delivering the day's summary: at most once a day, whatever the kills, retries and races.

Under the practice's lock (the one every sync holds), so a summary never reads a case log a
sync is half-way through writing, and two deliveries never overlap. The order is a journal's:

1. the copy (``data/summaries/summary-DAY.eml``) is written, atomically: it is the intent,
   and it carries the key the summary is delivered under;
2. ``summary-DAY.sending`` is written beside it just before the remote write;
3. the summary is delivered (``send_to_practitioner``), then recorded with its audit row and,
   in the same transaction, the research digest it carried (so the digest is shown once);
4. the ``.sending`` mark is removed.

A run killed between 2 and 3 leaves the mark. Delivered into the practitioner's own mailbox
(Maildir, IMAP APPEND, Gmail, Outlook), the delivery is looked for by its key, so delivering
again is safe and the summary arrives exactly once. By SMTP it cannot be: a mail server keeps
no record a client can ask about, so the mark means "perhaps sent"; the summary is then not
sent again (at most once), recorded as ``uncertain``, and the warning names the copy so the
practitioner can read it there if it never came.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select

from bot import crash
from bot.features.research_digest import record_digest_in, research_digest
from bot.file_safety import write_private
from bot.store.models import AuditEvent
from bot.summary.job import collect_summary, copy_key, summary_key_today
from bot.summary.render import build_summary
from bot.sync.audit import connector_name, record_audit
from bot.sync.runtime import Runtime

__all__ = ["UNCERTAIN", "copy_path", "deliver_summary"]

log = logging.getLogger(__name__)

# The remote id recorded for a summary an SMTP run was killed while sending.
UNCERTAIN = "uncertain"


def copy_path(rt: Runtime) -> Path:
    return rt.config.data_path / "summaries" / f"summary-{rt.today().isoformat()}.eml"


def _sending_mark(copy: Path) -> Path:
    return copy.with_suffix(".sending")


def deliver_summary(rt: Runtime) -> Path:
    """Deliver today's summary to the practitioner at most once (module docstring); return the
    path of its copy. Waits for a sync in progress to finish first."""
    with rt.sync_lock(wait=True):
        return _deliver(rt)


def _deliver(rt: Runtime) -> Path:
    copy = copy_path(rt)
    raw = copy.read_bytes() if copy.exists() else None
    key = (copy_key(raw) if raw is not None else None) or summary_key_today(rt)
    connector = connector_name(rt, "summary")
    mark = _sending_mark(copy)
    with rt.sessions() as session:
        done = session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.practice_id == rt.practice_id,
                AuditEvent.action == "summary.deliver",
                AuditEvent.target == key,
            )
        )
        if done is not None and raw is not None:
            mark.unlink(missing_ok=True)
            return copy
        if raw is None:
            data = collect_summary(rt)
            digest = data.research_digest
            raw = build_summary(data, rt.template_dirs, rt.practitioner, key, now=rt.now())
            write_private(copy, raw)
            crash.step("summary.copy")
        else:  # written before a crash: the digest it carries is this week's, recomputed
            digest = research_digest(rt)
        if connector == "smtp" and mark.exists():
            remote = UNCERTAIN
            log.warning(
                "a run stopped while sending today's summary by SMTP; it is not sent again "
                "(it may have arrived): the copy is %s",
                copy,
            )
        else:
            write_private(mark, key.encode())
            remote = str(rt.sender().send_to_practitioner(raw, key))
            crash.step("summary.remote")
        record_audit(session, rt, "summary.deliver", key, remote_id=remote, connector=connector)
        if digest is not None:  # shown once: the next digest starts after it
            record_digest_in(session, rt, digest)
        session.commit()
        crash.step("summary.commit")
    mark.unlink(missing_ok=True)
    return copy
