"""A throw-away PostgreSQL server on 127.0.0.1, for tests and benchmarks.

Plain code, no pytest: ``tests/fixtures_postgres.py`` wraps it in fixtures and
``bench/scale.py`` uses it directly. The recipe is the verified one from
``../shared/servers/README.md`` (Debian ``postgresql``, server 15): ``initdb`` with trust
authentication for the user ``test``, the server listening on 127.0.0.1 and a socket in its own
directory, ``fsync`` off (a test server never needs to survive a power cut). Like
``tests/servers/dovecot.py``, every process runs as an ordinary user: PostgreSQL refuses to run
as root, so as root we use ``chiefci`` (created if missing) through ``subprocess``'s
``user=``/``group=``.

The ``postgres`` binary runs in the foreground (no ``pg_ctl``), in its own process group, so
:meth:`Postgres.stop` is a plain SIGINT ("fast shutdown": sessions are ended, the data is kept)
and :meth:`Postgres.start` can bring the same cluster back on the same port, which is what a
test of "the database restarted, the workers reconnect" needs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.servers.dovecot import HOST, _service_account, free_port

__all__ = ["Postgres", "postgres_bin_dir"]

SUPERUSER = "test"
_SETTINGS = {
    "listen_addresses": HOST,
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    # Room for a test session's engines, two or three workers and the benchmark's pools.
    "max_connections": "300",
    "shared_buffers": "64MB",
}


def postgres_bin_dir() -> Path | None:
    """The folder of ``initdb`` and ``postgres`` (Debian keeps them out of PATH), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        for version in sorted(root.iterdir(), key=lambda p: p.name, reverse=True):
            if (version / "bin" / "initdb").exists() and (version / "bin" / "postgres").exists():
                return version / "bin"
    return None


class Postgres:
    """One PostgreSQL cluster (its own directory and port), started and stopped at will."""

    def __init__(self, root: Path | None = None, port: int | None = None) -> None:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise FileNotFoundError(
                "PostgreSQL is not installed (Debian: apt-get install postgresql)"
            )
        self.bin_dir = bin_dir
        self.user, self.uid, self.gid = _service_account()
        self.root = Path(root or tempfile.mkdtemp(prefix="chief-postgres-"))
        self.host = HOST
        self.port = port or free_port()
        self.data = self.root / "data"
        self.socket_dir = self.root / "run"
        self._process: subprocess.Popen[bytes] | None = None
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(self.root, self.uid, self.gid)
            os.chown(self.socket_dir, self.uid, self.gid)
        if not (self.data / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server (psycopg 3)."""
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """The libpq connection string of ``database`` (for psycopg and procrastinate)."""
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    # --- process ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 30.0) -> None:
        """Start the server in the foreground and wait until it accepts a connection."""
        if self.running:
            return
        options = [f"-c{name}={value}" for name, value in _SETTINGS.items()]
        self._process = subprocess.Popen(
            [
                str(self.bin_dir / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-k",
                str(self.socket_dir),
                *options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "postgres.log").open("ab"),
            start_new_session=True,
            cwd=self.root,
            **self._as_service_user(),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"postgres exited ({self._process.returncode}):\n{self.log_text()[-2000:]}"
                )
            if self._ready():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"postgres did not answer on {self.host}:{self.port} within {timeout}s")

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown (SIGINT): open sessions are ended, committed data is kept."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def close(self) -> None:
        """Stop the server and remove its directory."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Postgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- databases --------------------------------------------------------------------------

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE / DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(self.dsn(database), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # test-made SQL, names from our code

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create ``name`` (a copy of ``template`` when given); returns its SQLAlchemy URL."""
        copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        self.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name`` even while clients are still connected to it (PostgreSQL 13+)."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log_text(self) -> str:
        try:
            return (self.root / "postgres.log").read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.dsn(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [str(self.bin_dir / tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.root,
            **self._as_service_user(),
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stderr.strip()[-2000:]}")

    def _as_service_user(self) -> dict[str, Any]:
        if os.geteuid() != 0:
            return {}
        import pwd

        home = pwd.getpwuid(self.uid).pw_dir
        env = {
            "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
            "HOME": home,
            "LC_ALL": "C",
        }
        return {"user": self.uid, "group": self.gid, "extra_groups": [], "env": env}
