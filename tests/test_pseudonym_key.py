"""Every process that serves a practice holds the pseudonym key its case log was written with.

Patients are matched by a keyed hash (``bot/store/pseudonyms.py``); a second machine (or a practice
folder whose ``data/pseudonym.key`` was lost) with a key of its own would match no patient
seen before and open their cases again. The case log keeps the key's fingerprint per practice:
a process with another key is refused with the fix, and ``chief doctor --new-pseudonym-key``
adopts the present key when the old one is lost for good.

Two "machines" here are two practice folders for one practice sharing one case log: the first
folder's SQLite file, or the PostgreSQL pass's database.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from bot.store.models import MessageRow, Practice
from bot.store.pseudonyms import Pseudonymiser
from tests.conftest import deliver, make_message
from tests.fixtures_postgres import case_log_url


def _chief(chief_exe: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chief_exe, "--config", str(home / "chief.toml"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _first_machine(practice_dir: Callable[..., Path], chief_exe: str) -> Path:
    home = practice_dir()
    for n in range(3):
        deliver(home, f"m{n}", make_message(f"m{n}@x", f"Note {n}", "Hello there."))
    done = _chief(chief_exe, home, "sync", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["messages"] == 3
    return home


def _second_machine(first: Path, target: Path) -> Path:
    """A copy of the practice folder (its mail and settings) without the pseudonym key, on
    the first machine's case log."""
    shutil.copytree(first, target, ignore=shutil.ignore_patterns("data"))
    config = target / "chief.toml"
    config.write_text(
        config.read_text() + f'\n[database]\nurl = "{case_log_url(first)}"\n'
    )  # the PostgreSQL pass's $CHIEF_DATABASE_URL overrides this, for both folders alike
    return target


def _messages(home: Path) -> int:
    engine = create_engine(case_log_url(home))
    try:
        with Session(engine) as session:
            return int(session.scalar(select(func.count()).select_from(MessageRow)) or 0)
    finally:
        engine.dispose()


def test_a_second_machine_with_another_key_is_refused_until_it_has_the_key(
    practice_dir: Callable[..., Path], chief_exe: str, tmp_path: Path
) -> None:
    first = _first_machine(practice_dir, chief_exe)
    second = _second_machine(first, tmp_path / "second")
    deliver(second, "m3", make_message("m3@x", "Note 3", "Hello there."))

    refused = _chief(chief_exe, second, "sync")
    assert refused.returncode == 1
    assert f"{second / 'data' / 'pseudonym.key'} is not the pseudonym key" in refused.stderr
    assert "copy data/pseudonym.key from the machine that served it first" in refused.stderr
    assert "internal error" not in refused.stderr
    assert _messages(first) == 3  # the refused process logged nothing

    doctor = _chief(chief_exe, second, "doctor", "--json")
    database = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "database")
    assert not database["ok"] and "chief doctor --new-pseudonym-key" in database["detail"]

    shutil.copyfile(first / "data" / "pseudonym.key", second / "data" / "pseudonym.key")
    done = _chief(chief_exe, second, "sync", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["messages"] == 1 and _messages(first) == 4  # the new one; none twice
    assert _chief(chief_exe, first, "sync").returncode == 0  # and the first goes on as before


def test_a_lost_key_is_replaced_only_when_asked(
    practice_dir: Callable[..., Path], chief_exe: str, tmp_path: Path
) -> None:
    home = _first_machine(practice_dir, chief_exe)
    key = home / "data" / "pseudonym.key"
    old = key.read_bytes()
    key.unlink()  # lost: the next process makes a new one, which the case log does not know
    assert _chief(chief_exe, home, "sync").returncode == 1
    assert key.read_bytes() != old

    adopted = _chief(chief_exe, home, "doctor", "--new-pseudonym-key", "--json")
    database = next(c for c in json.loads(adopted.stdout)["checks"] if c["name"] == "database")
    assert database["ok"], database
    assert "is now the practice's key" in adopted.stderr
    again = _chief(chief_exe, home, "sync", "--json")
    assert again.returncode == 0, again.stderr
    assert _messages(home) == 3  # nothing logged twice

    key.write_bytes(old)  # the old key, found again, is now the stranger
    assert _chief(chief_exe, home, "sync").returncode == 1


def test_a_practice_without_a_fingerprint_takes_the_next_processs_key(
    practice_dir: Callable[..., Path], chief_exe: str, tmp_path: Path
) -> None:
    """A case log upgraded from before the fingerprint: the next process's key is taken as
    the practice's, and a process with another key is refused from then on."""
    first = _first_machine(practice_dir, chief_exe)
    second = _second_machine(first, tmp_path / "second")
    engine = create_engine(case_log_url(first))
    try:
        with Session(engine) as session, session.begin():
            session.execute(update(Practice).values(pseudonym_check=None))
    finally:
        engine.dispose()

    assert _chief(chief_exe, second, "sync").returncode == 0  # takes the second's new key
    second_key = (second / "data" / "pseudonym.key").read_bytes()
    engine = create_engine(case_log_url(first))
    try:
        with Session(engine) as session:
            held = session.scalar(select(Practice.pseudonym_check))
    finally:
        engine.dispose()
    assert held == Pseudonymiser(bytes.fromhex(second_key.decode().strip())).key_check
    assert _chief(chief_exe, first, "sync").returncode == 1
