"""A lost case log is noticed and named, never rebuilt in silence; a lost calendar is rebuilt
from the case log. On the embedded default here (and in the PostgreSQL pass, where the case
log is lost by pointing the practice at a fresh database); over IMAP and CalDAV in
``tests/test_servers_e2e.py``."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import icalendar
import pytest

from bot.cli.demo import prepare_home
from connectors.ical.vevent import UID_SUFFIX
from tests.fixtures_postgres import case_log_url


def chief(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIEF_CONFIG": str(config)}
    env.pop("CHIEF_CRASH_AFTER", None)
    return subprocess.run(
        ["chief", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def drafts_on_disk(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "Maildir" / ".Drafts" / "cur").iterdir())


def chief_events(home: Path) -> list[str]:
    calendar = icalendar.Calendar.from_ical((home / "calendar.ics").read_bytes())
    return sorted(
        str(e["UID"]) for e in calendar.walk("VEVENT") if str(e.get("UID", "")).endswith(UID_SUFFIX)
    )


@pytest.fixture
def synced(tmp_path: Path) -> Path:
    """A demo practice synced once: its case log, drafts and calendar entries written."""
    config = prepare_home(tmp_path / "home", "sports-medicine-us")
    done = chief(config, "sync")
    assert done.returncode == 0, done.stderr[-2000:]
    return config


def lose_case_log(home: Path, new_case_log: Callable[[], str | None], how: str) -> None:
    if not case_log_url(home).startswith("sqlite:"):
        new_case_log()  # the practice now points at a database that never heard of it
        return
    db = home / "data" / "chief.db"
    for leftover in home.glob("data/chief.db-*"):
        leftover.unlink()
    if how == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"")


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_case_log_is_refused_with_the_way_on(
    synced: Path, new_case_log: Callable[[], str | None], how: str
) -> None:
    home = synced.parent
    drafts = drafts_on_disk(home)
    events = chief_events(home)
    lose_case_log(home, new_case_log, how)
    for command in (("sync",), ("summary",), ("sync", "--dry-run")):
        refused = chief(synced, *command)
        assert refused.returncode == 1, (command, refused.stderr[-2000:])
        assert "the case log" in refused.stderr and "--new-case-log" in refused.stderr
        assert "backup" in refused.stderr
    assert drafts_on_disk(home) == drafts  # nothing drafted again
    assert chief_events(home) == events
    if case_log_url(home).startswith("sqlite:") and how == "deleted":
        assert not (home / "data" / "chief.db").exists()  # refused before anything was made

    # Started afresh on purpose: the marker is rewritten and the sync runs.
    doctor = chief(synced, "doctor", "--new-case-log", "--json")
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["database"]["ok"], checks["database"]
    again = chief(synced, "sync", "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout)["messages"] > 80
    assert drafts_on_disk(home) == drafts  # found by their keys, not written twice
    assert chief_events(home) == events
    assert chief(synced, "sync").returncode == 0  # and it is the practice's case log now


def test_a_first_run_writes_the_marker_and_a_dry_run_does_not(tmp_path: Path) -> None:
    config = prepare_home(tmp_path / "home", "sports-medicine-us")
    marker = config.parent / "data" / "case-log.json"
    assert chief(config, "sync", "--dry-run").returncode == 0
    assert not marker.exists()
    assert chief(config, "sync").returncode == 0
    record = json.loads(marker.read_text())
    assert set(record) == {"practice", "since"}  # nothing about a patient
    assert marker.stat().st_mode & 0o777 == 0o600


def test_a_lost_calendar_is_rebuilt_and_doctor_says_so(synced: Path) -> None:
    home = synced.parent
    events = chief_events(home)
    assert len(events) > 50
    (home / "calendar.ics").unlink()
    doctor = chief(synced, "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    calendar = checks["calendar (ics)"]
    assert not calendar["ok"] and f"none of the {len(events)} entries" in calendar["detail"]
    rebuilt = chief(synced, "sync", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    assert json.loads(rebuilt.stdout)["calendar_written"] == len(events)
    assert chief_events(home) == events
    assert json.loads(chief(synced, "doctor", "--json").stdout)["ok"] is True


def test_an_entry_the_practitioner_deleted_stays_deleted(synced: Path) -> None:
    home = synced.parent
    path = home / "calendar.ics"
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    ours = [c for c in calendar.subcomponents if str(c.get("UID", "")).endswith(UID_SUFFIX)]
    gone = str(ours[1]["UID"])
    calendar.subcomponents.remove(ours[1])
    path.write_bytes(calendar.to_ical())
    again = chief(synced, "sync", "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout)["calendar_written"] == 0
    assert gone not in chief_events(home)
