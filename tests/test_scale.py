"""Scale-out at small scale, for real: one PostgreSQL database, two ``chief worker`` processes,
fifty practices each with its own mailbox on one local Dovecot (fifty users). One worker is
killed (SIGKILL) in the middle of the run; the other takes over its job. At the end every
message is logged exactly once and every draft is in the case log once, written, and in its
practice's Drafts folder once."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.fixtures_postgres import sample_messages, start_worker, stop_worker
from tests.test_worker import Deployment, deployment, wait_for  # noqa: F401 - the fixture

pytest_plugins = ["tests.fixtures_dovecot"]
pytestmark = [pytest.mark.servers, pytest.mark.slow]

MAILBOXES = 50
MESSAGES = 8  # per mailbox: a seeded sample of the demo's mail, different for each mailbox


def test_fifty_mailboxes_two_workers_one_killed_everything_exactly_once(
    deployment: Deployment,  # noqa: F811 - the fixture imported from tests/test_worker.py
) -> None:
    for n in range(MAILBOXES):
        deployment.add(f"practice-{n:02d}", sample_messages(MESSAGES, seed=n), batch_size=4)
    trace = deployment.root / "a.trace"
    log_a, log_b = deployment.root / "a.log", deployment.root / "b.log"
    started = time.monotonic()
    a = start_worker(
        deployment.practices, deployment.url, log_a, extra_env={"CHIEF_CRASH_TRACE": str(trace)}
    )
    b = None
    try:
        jobs = deployment.defer_all()
        assert len(set(jobs)) == MAILBOXES
        # A alone until it has committed a good share of batches (with both started at once,
        # B could take so much of the queue that A never got that far); then B joins, and A
        # is killed in the middle of more.
        wait_for(
            lambda: trace.exists() and trace.read_text().count("batch.commit") >= 20,
            360,
            "worker A to be well into the run",
        )
        b = start_worker(deployment.practices, deployment.url, log_b)
        os.killpg(a.pid, signal.SIGKILL)
        a.wait(10)
        counts_at_kill = deployment.logged()
        assert sum(n for n, _ in counts_at_kill.values()) < MAILBOXES * MESSAGES  # mid-run
        deployment.wait_idle(600, [b])
        elapsed = time.monotonic() - started
        assert "of a lost worker queued again" in log_b.read_text()
        drafts = deployment.check_exactly_once()
        assert drafts >= MAILBOXES  # the sample mail asks for drafts in every mailbox
        print(
            f"\n{MAILBOXES} mailboxes, {MAILBOXES * MESSAGES} messages, {drafts} drafts "
            f"in {elapsed:.1f} s with one worker killed"
        )
    finally:
        if a.poll() is None:
            os.killpg(a.pid, signal.SIGKILL)
        if b is not None:
            stop_worker(b)
