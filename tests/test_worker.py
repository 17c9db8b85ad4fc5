"""``chief worker``: queued syncs on PostgreSQL, one worker per mailbox, a killed worker's job
retried by another with nothing logged or drafted twice, workers that outlive a database
restart. Real parts only: PostgreSQL, Dovecot, ``chief worker`` processes."""

from __future__ import annotations

import email
import os
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from bot.errors import AuthError, ConnectorError, RateLimited, UserError
from bot.jobs.queue import prepare_database
from bot.jobs.tasks import MailboxBusy, load_practice, mailbox_lock
from bot.jobs.worker import (
    MAX_ATTEMPTS,
    _backoff,
    build_app,
    defer_sync,
    sync_cron,
)
from bot.keys import draft_marker, marker_of
from bot.store.models import Draft, Mailbox, MessageRow, Practice
from bot.sync.runtime import Runtime
from tests.fixtures_postgres import (
    queue_counts,
    sample_messages,
    start_worker,
    stop_worker,
    write_imap_practice,
)
from tests.servers.dovecot import seed

if TYPE_CHECKING:
    from tests.servers.dovecot import Dovecot, DovecotUser
    from tests.servers.postgres import Postgres

pytest_plugins = ["tests.fixtures_dovecot"]

CHIEF_KEY = "X-Chief-Key"


# --- helpers shared with tests/test_scale.py --------------------------------------------------


class Deployment:
    """Practices on Dovecot accounts, one PostgreSQL database, and the queue in it."""

    def __init__(self, root: Path, server: Dovecot, url: str) -> None:
        self.root = root
        self.server = server
        self.url = url
        self.practices = root / "practices"
        self.practices.mkdir(parents=True)
        self.users: dict[str, DovecotUser] = {}
        self.configs: dict[str, Path] = {}
        self.seeded: dict[str, int] = {}
        self.app = build_app(url)

    @property
    def dsn(self) -> str:
        from bot.jobs.queue import libpq_url

        return libpq_url(self.url)

    def add(self, slug: str, messages: list[bytes], batch_size: int = 5) -> Path:
        import secrets

        user = self.server.add_user(f"{slug}-{secrets.token_hex(3)}", secrets.token_urlsafe(12))
        seed(user, messages)
        config = write_imap_practice(
            self.practices / slug,
            slug,
            user.host,
            user.port,
            user.username,
            user.password,
            batch_size=batch_size,
        )
        self.users[slug], self.configs[slug], self.seeded[slug] = user, config, len(messages)
        return config

    def prepare(self) -> None:
        prepare_database(self.app, self.url)

    def defer_all(self) -> list[int]:
        with self.app.open():
            return [defer_sync(self.app, config) for config in self.configs.values()]

    def wait_idle(self, timeout: float, workers: Sequence[Any] = ()) -> None:
        """Until every sync job has finished (none waiting, none running)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = queue_counts(self.dsn)
            if not counts.get("todo") and not counts.get("doing"):
                assert not counts.get("failed"), counts
                return
            assert all(w.poll() is None for w in workers), "a worker exited"
            time.sleep(0.2)
        raise AssertionError(f"sync jobs still queued after {timeout}s: {queue_counts(self.dsn)}")

    def logged(self) -> dict[str, tuple[int, int]]:
        """slug → (message rows, distinct keys) in the case log."""
        rt = Runtime.from_config(load_practice(next(iter(self.configs.values()))))
        try:
            with rt.sessions() as s:
                rows = s.execute(
                    select(
                        Practice.slug,
                        func.count(MessageRow.id),
                        func.count(MessageRow.key.distinct()),
                    )
                    .join(Mailbox, Mailbox.practice_id == Practice.id)
                    .join(MessageRow, MessageRow.mailbox_id == Mailbox.id)
                    .group_by(Practice.slug)
                ).all()
        finally:
            rt.engine.dispose()
        return {slug: (int(n), int(k)) for slug, n, k in rows}

    def check_exactly_once(self) -> int:
        """Every message logged once; every draft once in the case log, written, and once in
        its practice's Drafts folder. Returns how many drafts there are."""
        assert self.logged() == {slug: (n, n) for slug, n in self.seeded.items()}
        total = 0
        for slug, config in self.configs.items():
            rt = Runtime.from_config(load_practice(config))
            try:
                with rt.sessions() as s:
                    drafts = s.execute(
                        select(Draft.key, Draft.state).where(Draft.practice_id == rt.practice_id)
                    ).all()
            finally:
                rt.engine.dispose()
            assert all(state in ("written", "moot") for _, state in drafts), slug
            keys = [draft_marker(key) for key, state in drafts if state == "written"]
            on_server = drafts_on_server(self.users[slug])
            assert len(on_server) == len(set(on_server)), f"{slug}: a draft is in Drafts twice"
            assert set(keys) <= set(on_server), f"{slug}: a recorded draft is not in Drafts"
            total += len(keys)
        return total


def drafts_on_server(user: DovecotUser) -> list[str]:
    """The ``X-Chief-Key`` of every message in the account's Drafts folder."""
    with user.client() as client:
        if not client.folder_exists("Drafts"):
            return []
        client.select_folder("Drafts", readonly=True)
        uids = client.search(["ALL"])
        data = client.fetch(uids, ["BODY.PEEK[HEADER]"]) if uids else {}
    found = []
    for item in data.values():
        key = marker_of(email.message_from_bytes(item[b"BODY[HEADER]"])["Message-ID"])
        if key:
            found.append(str(key).strip())
    return found


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def deployment(
    tmp_path: Path,
    dovecot_server: Dovecot,
    postgres_database: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> Deployment:
    if not dovecot_server.running:
        dovecot_server.start()
    url = postgres_database()
    monkeypatch.setenv("CHIEF_DATABASE_URL", url)  # this process's Runtimes open it too
    found = Deployment(tmp_path, dovecot_server, url)
    found.prepare()
    return found


# --- plain parts ------------------------------------------------------------------------------


def test_sync_cron_follows_the_practice_schedule() -> None:
    assert sync_cron(5) == "*/5 * * * *"
    assert sync_cron(1) == "*/1 * * * *"
    assert sync_cron(120) == "0 */2 * * *"
    assert sync_cron(1440) == "0 */23 * * *"


def test_retries_back_off_and_spare_what_needs_a_person() -> None:
    strategy = _backoff()

    class Job:
        def __init__(self, attempts: int) -> None:
            self.attempts = attempts

    waits = []
    for attempts in range(3):
        decision = strategy.get_retry_decision(exception=ConnectorError("x"), job=Job(attempts))
        waits.append(decision.retry_at)
    assert waits[0] < waits[1] < waits[2]  # 2, 4, 8 seconds from now
    assert strategy.get_retry_decision(exception=MailboxBusy("busy"), job=Job(0)) is not None
    slow = strategy.get_retry_decision(exception=RateLimited("x", retry_after=120), job=Job(0))
    assert (slow.retry_at - waits[0]).total_seconds() > 100
    assert strategy.get_retry_decision(exception=AuthError("revoked"), job=Job(0)) is None
    assert strategy.get_retry_decision(exception=UserError("bad config"), job=Job(0)) is None
    assert strategy.get_retry_decision(exception=ValueError("bug"), job=Job(0)) is None
    last = Job(MAX_ATTEMPTS - 1)
    assert strategy.get_retry_decision(exception=ConnectorError("x"), job=last) is None


def test_worker_refuses_a_sqlite_case_log(
    practice_dir: Callable[..., Path], chief_exe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    monkeypatch.delenv("CHIEF_DATABASE_URL", raising=False)
    home = practice_dir()
    done = subprocess.run(
        [chief_exe, "--config", str(home / "chief.toml"), "worker"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "needs a PostgreSQL case log" in done.stderr
    assert "CHIEF_DATABASE_URL" in done.stderr


# --- on PostgreSQL ----------------------------------------------------------------------------


@pytest.mark.servers
def test_periodic_jobs_per_practice(deployment: Deployment) -> None:
    deployment.add("north", sample_messages(2))
    deployment.add("south", sample_messages(2))
    app = build_app(deployment.url, list(deployment.configs.values()))
    periodic = {pid: task.cron for (_, pid), task in app.periodic_registry.periodic_tasks.items()}
    assert periodic["sync:north"] == "0 */1 * * *"  # [schedule] sync_minutes = 60
    assert {"sync:south", "summary:north", "renewals:south", "stalled"} <= set(periodic)
    sync_task = app.periodic_registry.periodic_tasks[("chief.sync_mailbox", "sync:north")]
    assert sync_task.configure_kwargs["lock"] == "mailbox:north/imap"
    assert "queueing_lock" not in sync_task.configure_kwargs


@pytest.mark.servers
def test_mailbox_lock_is_held_by_one_process_and_freed_with_its_connection(
    deployment: Deployment,
) -> None:
    config = deployment.add("lonely", sample_messages(1))
    first = Runtime.from_config(load_practice(config))
    second = Runtime.from_config(load_practice(config))
    try:
        with mailbox_lock(first), pytest.raises(MailboxBusy), mailbox_lock(second):
            pass
        with mailbox_lock(second):  # released on leaving
            pass
        # A holder that dies without unlocking: PostgreSQL frees the lock with its session.
        holder = first.engine.connect()
        from sqlalchemy import text

        from bot.jobs.tasks import _advisory_key, mailbox_name

        key = _advisory_key(mailbox_name(first.config))
        assert holder.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
        with pytest.raises(MailboxBusy), mailbox_lock(second):
            pass
        holder.invalidate()  # the connection is closed under it, as a killed process's is
        with mailbox_lock(second):
            pass
    finally:
        first.engine.dispose()
        second.engine.dispose()


@pytest.mark.servers
def test_a_locked_mailbox_is_retried_with_backoff_then_synced(deployment: Deployment) -> None:
    config = deployment.add("busy", sample_messages(3))
    holder = Runtime.from_config(load_practice(config))
    log = deployment.root / "worker.log"
    worker = None
    try:
        with mailbox_lock(holder):  # another process is syncing this mailbox
            worker = start_worker(deployment.practices, deployment.url, log)
            deployment.defer_all()
            wait_for(lambda: "MailboxBusy" in log.read_text(), 60, "the job to meet the lock")
            assert deployment.logged() == {}  # nothing synced while the lock was held
        deployment.wait_idle(60, [worker])
        assert deployment.logged() == {"busy": (3, 3)}
    finally:
        holder.engine.dispose()
        if worker is not None:
            stop_worker(worker)


@pytest.mark.servers
@pytest.mark.slow
def test_worker_killed_mid_sync_its_job_is_retried_by_another_exactly_once(
    deployment: Deployment,
) -> None:
    messages = sample_messages(16)
    for slug in ("alder", "birch", "cedar", "damson"):
        deployment.add(slug, messages, batch_size=2)
    trace = deployment.root / "a.trace"
    log_a, log_b = deployment.root / "a.log", deployment.root / "b.log"
    a = start_worker(
        deployment.practices, deployment.url, log_a, extra_env={"CHIEF_CRASH_TRACE": str(trace)}
    )
    b = None
    try:
        deployment.defer_all()
        # A takes the first job; B starts once A is under way, so both share the rest.
        wait_for(lambda: trace.exists() and trace.stat().st_size > 0, 60, "worker A to start")
        b = start_worker(deployment.practices, deployment.url, log_b)
        wait_for(lambda: "draft.remote" in trace.read_text(), 60, "worker A to write a draft")
        os.killpg(a.pid, signal.SIGKILL)
        a.wait(10)
        assert queue_counts(deployment.dsn).get("doing", 0) >= 1  # A died holding a job
        partial = deployment.logged()
        assert any(n < deployment.seeded[s] for s, (n, _) in partial.items()) or len(partial) < 4
        deployment.wait_idle(120, [b])
        assert "of a lost worker queued again" in log_b.read_text()
        assert deployment.check_exactly_once() > 0
    finally:
        if a.poll() is None:
            os.killpg(a.pid, signal.SIGKILL)
        if b is not None:
            stop_worker(b)


@pytest.mark.servers
@pytest.mark.slow
def test_workers_reconnect_after_the_database_restarts(
    deployment: Deployment, postgres_server: Postgres
) -> None:
    messages = sample_messages(6)
    config = deployment.add("ember", messages[:3])
    log = deployment.root / "worker.log"
    worker = start_worker(deployment.practices, deployment.url, log)
    try:
        deployment.defer_all()
        deployment.wait_idle(60, [worker])
        assert deployment.logged() == {"ember": (3, 3)}
        postgres_server.stop()
        time.sleep(2)  # the worker notices: its connections are gone
        postgres_server.start()
        seed(deployment.users["ember"], messages[3:])
        deployment.seeded["ember"] = 6
        wait_for(lambda: _defer_once(deployment, config), 60, "the database to take a job")
        deployment.wait_idle(90, [worker])
        assert deployment.logged() == {"ember": (6, 6)}
        assert worker.poll() is None  # the same process, reconnected
        assert "reconnecting in" in log.read_text()
    finally:
        stop_worker(worker)


def _defer_once(deployment: Deployment, config: Path) -> bool:
    try:
        with deployment.app.open():
            defer_sync(deployment.app, config)
        return True
    except Exception:  # the server is still starting
        return False
