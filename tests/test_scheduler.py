"""`chief run`: syncs on start, one daemon per practice, clean stop on SIGTERM."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import deliver, make_message


def _logged(home: Path) -> int:
    """How many messages the practice's case log holds (0 before its first commit)."""
    path = home / "data" / "chief.db"
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            return int(db.execute("SELECT count(*) FROM message").fetchone()[0])
        except sqlite3.OperationalError:  # not migrated yet, or busy
            return 0


def test_run_syncs_refuses_a_second_daemon_and_stops_on_sigterm(
    practice_dir: Callable[..., Path], chief_exe: str
) -> None:
    home = practice_dir()
    deliver(home, "1", make_message("r1@x", "Hello", "Hello there."))
    env = {**os.environ, "CHIEF_CONFIG": str(home / "chief.toml")}
    daemon = subprocess.Popen(
        [chief_exe, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if (home / "data" / "run.lock").exists():
                second = subprocess.run([chief_exe, "run"], env=env, capture_output=True, text=True)
                if "another chief run holds" in second.stderr:
                    break
            time.sleep(0.2)
        else:
            raise AssertionError("the daemon did not start")
        assert second.returncode == 1
        # Wait for the first sync to log the message.
        while time.monotonic() < deadline:
            if _logged(home) == 1:
                break
            time.sleep(0.3)
        else:
            raise AssertionError("the daemon's first sync did not happen")
        daemon.send_signal(signal.SIGTERM)
        _, stderr = daemon.communicate(timeout=20)
        assert daemon.returncode == 0, stderr
        assert "stopped" in stderr
    finally:
        if daemon.poll() is None:
            daemon.kill()
