"""pytest fixtures for a real PostgreSQL server on 127.0.0.1, and the PostgreSQL test pass.

Registered for every test by ``tests/conftest.py``. ``postgres_server`` (session scope) starts one
cluster (``tests/servers/postgres.py``, the recipe of ``../shared/servers/README.md``);
``postgres_database`` makes a fresh database for one test and drops it afterwards. A database
is a copy of a template migrated once per session (``CREATE DATABASE … TEMPLATE``, ~50 ms), so
a test does not pay for the migrations; ``postgres_database(migrated=False)`` gives an empty one.

The PostgreSQL pass: ``pytest --db=postgresql`` (or ``CHIEF_TEST_DB=postgresql``) runs the tests
of every module that opens a case log (the others would only run again), and points each test
at its own fresh database through ``$CHIEF_DATABASE_URL``, the deployment setting that
overrides ``[database] url``, so every test that opens a practice's case log (in this process
or in a ``chief`` subprocess) runs on PostgreSQL. In the default SQLite pass the variable is
removed, so a developer's own setting never leaks into the tests.

Plain helpers for ``tests/test_worker.py``, ``tests/test_scale.py`` and ``bench/scale.py``
follow: a demo practice reading an IMAP account, ``chief worker`` processes, the queue's state.

Without PostgreSQL installed the tests that need it skip with "install postgresql", or fail
under CI (``CI=true``): never a silent pass.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers.postgres import Postgres, postgres_bin_dir

__all__ = [
    "database_backend",
    "postgres_database",
    "postgres_server",
    "queue_counts",
    "sample_messages",
    "start_worker",
    "stop_worker",
    "write_imap_practice",
]

_numbers = itertools.count(1)
_TEMPLATE = "chief_template"


def database_backend(config: pytest.Config) -> str:
    """``sqlite`` (default) or ``postgresql``: the case-log backend of this test run."""
    chosen = config.getoption("--db", default=None) or os.environ.get("CHIEF_TEST_DB", "")
    backend = (chosen or "sqlite").lower()
    if backend in ("postgres", "pg"):
        backend = "postgresql"
    if backend not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"--db: {backend!r} is not sqlite or postgresql")
    return backend


def _need_postgres() -> None:
    if postgres_bin_dir() is None:
        reason = "PostgreSQL not found: install postgresql (Debian) to run the PostgreSQL tests"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        reason = "psycopg not installed: pip install -e '.[postgres]'"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    """One PostgreSQL cluster for the session, with a migrated template database."""
    _need_postgres()
    from bot.db import open_database

    server = Postgres()
    server.start()
    try:
        engine, _ = open_database(server.create_database(_TEMPLATE))
        engine.dispose()  # a template must have no connection while it is copied
        yield server
    finally:
        server.close()


@pytest.fixture
def postgres_database(postgres_server: Postgres) -> Iterator[Callable[..., str]]:
    """Make fresh databases for this test: ``postgres_database()`` → SQLAlchemy URL (schema at
    head), ``postgres_database(migrated=False)`` → an empty one. Dropped after the test."""
    if not postgres_server.running:
        postgres_server.start()  # a test that restarted the server may have left it stopped
    made: list[str] = []

    def make(migrated: bool = True) -> str:
        name = f"t{os.getpid()}_{next(_numbers)}"
        made.append(name)
        return postgres_server.create_database(name, template=_TEMPLATE if migrated else None)

    try:
        yield make
    finally:
        if not postgres_server.running:
            postgres_server.start()
        for name in made:
            postgres_server.drop_database(name)


# Left out of the PostgreSQL pass (they run in the default pass): tests that read the SQLite file
# itself (its bytes, its path) or reset the practice folder between rounds expecting a fresh
# case log with it, and modules that start their own PostgreSQL databases anyway.
NOT_IN_POSTGRESQL_PASS = {
    "tests/test_worker.py",
    "tests/test_scale.py",
    "tests/test_crash_points.py::test_killed_at_100_points_then_rerun_loses_and_duplicates_nothing",
    "tests/test_gmail_pipeline.py::test_killed_at_many_points_then_rerun_everything_exactly_once",
    "tests/test_gmail_pipeline.py::test_category_labels_exactly_once_across_kills",
    "tests/test_outlook_pipeline.py::test_killed_at_many_points_then_rerun_everything_exactly_once",
    "tests/test_pipeline.py::test_crash_at_every_durable_step_then_rerun",
    "tests/test_scheduler.py::test_run_syncs_refuses_a_second_daemon_and_stops_on_sigterm",
    "tests/test_hostile_input.py::test_generated_mail_through_maildir_and_pipeline",
    "tests/test_migrations.py",  # SQLite by name; tests/test_tenancy.py migrates PostgreSQL
    "tests/test_audit.py::test_upgrade_to_0003_keeps_audit_entries",  # SQLite by name
    "tests/test_no_patient_data.py",  # reads data/chief.db's bytes
    # A practice synced once by a module-scoped fixture, then read by each test:
    "tests/test_summary_demo.py",
    "tests/test_letters.py::test_pipeline_drafts_every_letter_addressed",
    "tests/test_letters.py::test_patient_identity_never_in_logs_drafts_or_case_log",
}


# A test module whose source names one of these opens a practice's case log (directly, through
# the pipeline, the command line or a practice folder); the others never touch a database.
_OPENS_A_CASE_LOG = re.compile(
    r"Runtime|run_demo|open_database|bot\.pipeline|bot\.cli|bot\.worker|bot\.tasks|CliRunner"
    r"|chief_exe|practice_dir|sessions"
)


def _opens_a_case_log(path: Path, seen: dict[Path, bool]) -> bool:
    if path not in seen:
        seen[path] = bool(_OPENS_A_CASE_LOG.search(path.read_text(errors="replace")))
    return seen[path]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass: the modules that open a case log, less NOT_IN_POSTGRESQL_PASS."""
    if database_backend(config) != "postgresql":
        return
    kept, left_out = [], []
    seen: dict[Path, bool] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        base = item.nodeid.split("[", 1)[0]
        skip = module in NOT_IN_POSTGRESQL_PASS or base in NOT_IN_POSTGRESQL_PASS
        (left_out if skip or not _opens_a_case_log(item.path, seen) else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(scope="module", autouse=True)
def _module_case_log(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """In the PostgreSQL pass, a database for the module's own module-scoped fixtures (a demo
    practice built once to compare with, say); None in the SQLite pass."""
    from bot.db import DATABASE_URL_ENV

    with pytest.MonkeyPatch.context() as patch:
        if database_backend(request.config) != "postgresql":
            patch.delenv(DATABASE_URL_ENV, raising=False)
            yield None
            return
        server: Postgres = request.getfixturevalue("postgres_server")
        name = f"m{os.getpid()}_{next(_numbers)}"
        patch.setenv(DATABASE_URL_ENV, server.create_database(name, template=_TEMPLATE))
        try:
            yield server.url(name)
        finally:
            if not server.running:
                server.start()
            server.drop_database(name)


@pytest.fixture(autouse=True)
def _case_log_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _module_case_log: str | None
) -> None:
    """In the PostgreSQL pass, this test's case log is a fresh PostgreSQL database (as in the
    SQLite pass each test's practice folder holds a fresh file)."""
    from bot.db import DATABASE_URL_ENV

    if _module_case_log is None:
        monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
        return
    make = request.getfixturevalue("postgres_database")
    monkeypatch.setenv(DATABASE_URL_ENV, make())


# --- practices and workers for the worker tests and bench/scale.py ----------------------------


def sample_messages(count: int, seed: int = 20261124) -> list[bytes]:
    """``count`` messages of the demo practice's sample mailbox (payer, solicitor, referral…
    mail that opens cases and asks for drafts), the same ones on every run."""
    import random

    from bot.resources import shipped_examples

    folder = shipped_examples() / "mailbox" / "new"
    paths = sorted(p for p in folder.iterdir() if p.is_file())
    chosen = sorted(random.Random(seed).sample(range(len(paths)), min(count, len(paths))))
    return [paths[i].read_bytes() for i in chosen]


def write_imap_practice(
    home: Path,
    slug: str,
    host: str,
    port: int,
    username: str,
    password: str,
    batch_size: int = 5,
    sync_minutes: int = 60,
) -> Path:
    """The demo practice (its register, own rules and calendar) as practice ``slug``, reading
    its mail from an IMAP account; returns the path of its chief.toml (0600)."""
    import shutil

    from bot.resources import shipped_examples

    examples = shipped_examples()
    source = examples / "practices" / "sports-medicine-us"
    (home / "secrets").mkdir(parents=True)
    shutil.copyfile(source / "register.yaml", home / "register.yaml")
    shutil.copyfile(examples / "calendar.ics", home / "calendar.ics")
    shutil.copytree(examples / "practice-rules", home / "rules")
    secret = home / "secrets" / "imap-password"
    secret.write_text(password + "\n")
    secret.chmod(0o600)
    text = (source / "chief.toml").read_text()
    text = text.replace('slug = "riverside-sports-medicine"', f'slug = "{slug}"', 1)
    head, _, rest = text.partition("[mail]")
    _, _, tail = rest.partition("[database]")
    mail = (
        "[mail]\n"
        'connector = "imap"\n'
        f'host = "{host}"\n'
        f"port = {port}\n"
        f'username = "{username}"\n'
        'password_file = "secrets/imap-password"\n'
        'tls = "none"\n'
        f"batch_size = {batch_size}\n"
        "timeout = 10\n\n"
        '[calendar]\nconnector = "ics"\npath = "calendar.ics"\n\n'
        f"[schedule]\nsync_minutes = {sync_minutes}\npush = false\n\n"
    )
    config = home / "chief.toml"
    config.write_text(head + mail + "[database]" + tail)
    config.chmod(0o600)
    return config


def start_worker(
    practices: Path,
    database_url: str,
    log_path: Path,
    stalled_after: float = 3.0,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """``chief worker`` for the practices under ``practices``, as its own process (and
    process group, so a test can SIGKILL it and nothing it started survives)."""
    import shutil

    exe = shutil.which("chief")
    assert exe, "the `chief` console script is not installed (pip install -e '.[test]')"
    env = {**os.environ, "CHIEF_DATABASE_URL": database_url, **(extra_env or {})}
    return subprocess.Popen(
        [exe, "worker", "--practices", str(practices), "--stalled-after", str(stalled_after)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("ab"),
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """SIGTERM (the running job finishes), then wait; SIGKILL if it will not stop."""
    import signal

    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    return process.wait(10)


def queue_counts(dsn: str, task: str = "chief.sync_mailbox") -> dict[str, int]:
    """How many of ``task``'s jobs are in each state (successful ones are deleted as they
    finish, so an empty answer means all done)."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT status::text, count(*) FROM procrastinate_jobs WHERE task_name = %s GROUP BY 1",
            (task,),
        ).fetchall()
    return {str(status): int(n) for status, n in rows}
