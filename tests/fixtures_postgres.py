"""pytest fixtures for a real PostgreSQL server on 127.0.0.1, and the PostgreSQL test pass.

Registered for every test by ``tests/conftest.py``. ``postgres_server`` (session scope) starts one
cluster (``tests/servers/postgres.py``, the recipe of ``../shared/servers/README.md``);
``postgres_database`` makes a fresh database for one test and drops it afterwards. A database
is a copy of a template migrated once per session (``CREATE DATABASE … TEMPLATE``, ~50 ms), so
a test does not pay for the migrations; ``postgres_database(migrated=False)`` gives an empty one.

The PostgreSQL pass: ``pytest --db=postgresql`` (or ``CHIEF_TEST_DB=postgresql``) runs the
modules declared in POSTGRESQL_PASS (those whose outcome can depend on the database), and
points each test at its own fresh database through ``$CHIEF_DATABASE_URL``, the deployment setting
that overrides ``[database] url``, so every test that opens a practice's case log (in this process
or in a ``chief`` subprocess) runs on PostgreSQL. In the default SQLite pass the variable is
removed, so a developer's own setting never leaks into the tests. Tests that need a case log other
than the one they were given use ``module_case_log`` (the practice a module-scoped fixture synced),
``new_case_log`` (a fresh one for the next round of a kill loop, say) or ``empty_database``
(no schema, for the migration tests); ``case_log_url`` and ``case_log_text`` read a practice's
case log whichever the backend.

Plain helpers for ``tests/test_worker.py``, ``tests/test_scale.py`` and ``bench/scale.py``
follow: a demo practice reading an IMAP account, ``chief worker`` processes, the queue's state.

Without PostgreSQL installed the tests that need it skip with "install postgresql", or fail
under CI (``CI=true``): never a silent pass.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.store.database import DATABASE_URL_ENV, database_url
from tests.servers.postgres import Postgres, postgres_bin_dir

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = [
    "case_log",
    "case_log_text",
    "case_log_url",
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
    from bot.store.database import open_database

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


# The PostgreSQL pass runs the modules whose outcome can depend on the database: its SQL
# (queries, aggregates, dates, deletes), its transactions and locks (under kills and with two
# processes), its migrations and tenancy, and what its driver's errors carry. The rest of the
# suite (parsing, rules, clocks, connectors, letters, the summary's rendering) runs the same
# code on either backend and runs once, in the SQLite pass. tests/test_worker.py and
# tests/test_scale.py start PostgreSQL databases of their own in the SQLite pass.
POSTGRESQL_PASS = {
    # filing, planning and the exactly-once keys, killed at every durable step:
    "tests/test_pipeline.py",
    # the whole demo practice through every feature's queries, and the CLI's readers:
    "tests/test_demo.py",
    "tests/test_summary_demo.py",
    "tests/test_cli.py",
    # one case log, two practices:
    "tests/test_tenancy.py",
    # upgrade with rows, downgrade; a first migration killed:
    "tests/test_migrations.py",
    # deletes, updates and the audit trail:
    "tests/test_retention.py",
    "tests/test_audit.py",
    # aggregates and date arithmetic in SQL:
    "tests/test_payments.py",
    "tests/test_referral_network.py",
    "tests/test_cpd.py",
    "tests/test_booking_guard.py",
    "tests/test_research_digest.py",
    "tests/test_appointment_brief.py",
    # a case log lost (a database that never heard of the practice) is refused:
    "tests/test_lost_case_log.py",
    # the practice's key fingerprint, set once by concurrent processes:
    "tests/test_pseudonym_key.py",
    # every row of every table searched for patients' names; driver errors:
    "tests/test_no_patient_data.py",
    # SAVEPOINTs inside one rolled-back transaction:
    "tests/test_dry_run.py",
    # notes sealed on their case, reports replaced in place; referrals out and their dates:
    "tests/test_case_notes.py",
    "tests/test_outbound_referrals.py",
    # a report's draft replaced (journal, remove, write, record) and killed at each step:
    "tests/test_note_drafts_servers.py",
    # a refile in one transaction, JSON journals, counts added and taken away:
    "tests/test_corrections.py",
    # a refile that raises rolled back to its SAVEPOINT, the rest of the batch committed:
    "tests/test_corrections_failures.py",
}


def _module_of(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass: the tests of POSTGRESQL_PASS."""
    if database_backend(config) != "postgresql":
        return
    kept, left_out = [], []
    for item in items:
        (kept if _module_of(item) in POSTGRESQL_PASS else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(scope="module", autouse=True)
def _module_case_log(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """In the PostgreSQL pass, a database for the module's own module-scoped fixtures (a demo
    practice built once to compare with, say); None in the SQLite pass."""
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
    if _module_case_log is not None:
        make = request.getfixturevalue("postgres_database")
        monkeypatch.setenv(DATABASE_URL_ENV, make())


@pytest.fixture
def module_case_log(monkeypatch: pytest.MonkeyPatch, _module_case_log: str | None) -> None:
    """This test reads the practice its module's fixture synced once: in the PostgreSQL pass,
    the module's database (where that sync went) rather than the fresh one each test gets."""
    if _module_case_log is not None:
        monkeypatch.setenv(DATABASE_URL_ENV, _module_case_log)


@pytest.fixture
def new_case_log(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _module_case_log: str | None
) -> Callable[[], str | None]:
    """``new_case_log()``: what this test runs next logs to a new, empty case log. In the
    PostgreSQL pass, a fresh database becomes $CHIEF_DATABASE_URL and its URL is returned; in
    the SQLite pass the case log is the file in the practice's folder, which the test makes
    anew, so nothing is needed and None is returned."""

    def make() -> str | None:
        if _module_case_log is None:
            return None
        url: str = request.getfixturevalue("postgres_database")()
        monkeypatch.setenv(DATABASE_URL_ENV, url)
        return url

    return make


@pytest.fixture
def empty_database(
    request: pytest.FixtureRequest, tmp_path: Path, _module_case_log: str | None
) -> str:
    """The URL of a database with nothing in it, not even a schema (to migrate step by step):
    a fresh PostgreSQL database in the PostgreSQL pass, a new SQLite file otherwise."""
    if _module_case_log is None:
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url: str = request.getfixturevalue("postgres_database")(migrated=False)
    return url


def case_log_url(home: Path) -> str:
    """The case log of the practice at ``home`` (with the default ``[database] url``): the
    PostgreSQL pass's database, or the SQLite file in its data folder."""
    return database_url(f"sqlite:///{home / 'data' / 'chief.db'}")


@contextmanager
def case_log(home: Path) -> Iterator[Connection]:
    """The case log of the practice at ``home``, one transaction."""
    from sqlalchemy import create_engine

    engine = create_engine(case_log_url(home))
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def case_log_text(home: Path) -> str:
    """Everything the case log of the practice at ``home`` holds, as text, to search for what
    must never be there: the SQLite file's bytes (its write-ahead log too, and the free pages
    where deleted rows linger), or every row of every table of the PostgreSQL database."""
    url = case_log_url(home)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        data = path.read_bytes()
        for wal in path.parent.glob(path.name + "-wal"):
            data += wal.read_bytes()
        return data.decode("utf-8", "replace")
    from sqlalchemy import MetaData, create_engine, select

    engine = create_engine(url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as conn:
            return "\n".join(
                repr(tuple(row))
                for table in tables.sorted_tables
                for row in conn.execute(select(table))
            )
    finally:
        engine.dispose()


# --- practices and workers for the worker tests and bench/scale.py ----------------------------


def sample_messages(count: int, seed: int = 20261124) -> list[bytes]:
    """``count`` messages of the sports-medicine demo practice's sample mailbox (payer, referral…
    mail that opens cases and asks for drafts), the same ones on every run."""
    import random

    from tests.samples import sample_files

    paths = sample_files("sports-medicine-us")
    chosen = sorted(random.Random(seed).sample(range(len(paths)), min(count, len(paths))))
    return [paths[i].read_bytes() for i in chosen]


def write_imap_practice(
    home: Path,
    slug: str | None,
    host: str,
    port: int,
    username: str,
    password: str,
    batch_size: int = 5,
    sync_minutes: int = 60,
) -> Path:
    """The demo practice (its register, own rules and calendar) as practice ``slug`` (None:
    the demo's own), reading its mail from an IMAP account; returns the path of its chief.toml
    (0600)."""
    import shutil

    from bot.resources import shipped_examples

    examples = shipped_examples()
    source = examples / "practices" / "sports-medicine-us"
    (home / "secrets").mkdir(parents=True)
    shutil.copyfile(source / "register.yaml", home / "register.yaml")
    shutil.copyfile(source / "calendar.ics", home / "calendar.ics")
    shutil.copytree(examples / "practice-rules", home / "rules")
    secret = home / "secrets" / "imap-password"
    secret.write_text(password + "\n")
    secret.chmod(0o600)
    text = (source / "chief.toml").read_text()
    if slug is not None:
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
