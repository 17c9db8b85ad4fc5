"""The case log encrypted at rest with SQLCipher (``[database] encryption = "sqlcipher"``).

The demo practice runs through the real `chief` command with encryption on: the file on disk
is not readable as SQLite and shows none of the practice's references; a rerun with the same
key adds nothing; a wrong key, a key file others can read and a key from the OS keyring are
each handled as a practitioner needs.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from bot.cli.demo import prepare_home
from tests.servers.os_keyring import OsKeyring

PRACTICE = "sports-medicine-us"


def encrypted_practice(home: Path) -> Path:
    config = prepare_home(home, PRACTICE)
    text = config.read_text()
    assert "[database]" in text
    config.write_text(text.replace("[database]\n", '[database]\nencryption = "sqlcipher"\n', 1))
    return config


def chief(
    config: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run chief; with no OS keyring unless ``env`` brings one."""
    run_env = {**(env or os.environ), "CHIEF_CONFIG": str(config)}
    if env is None:
        run_env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return subprocess.run(
        ["chief", *args], env=run_env, capture_output=True, text=True, timeout=300
    )


def database_file(config: Path) -> Path:
    return config.parent / "data" / "chief.db"


def test_the_case_log_on_disk_is_ciphertext(tmp_path: Path) -> None:
    config = encrypted_practice(tmp_path / "practice")
    first = chief(config, "sync", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["messages"] > 80 and report["drafts_written"] > 10

    key_file = config.parent / "secrets" / "database.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32

    path = database_file(config)
    raw = path.read_bytes() + b"".join(
        p.read_bytes() for p in path.parent.glob("chief.db-*") if p.is_file()
    )
    assert not raw.startswith(b"SQLite format 3")
    cases = [json.loads(line) for line in chief(config, "cases", "--json").stdout.splitlines()]
    refs = {v for case in cases for v in case["refs"].values() if len(v) >= 6}
    assert len(refs) > 5
    assert [r for r in refs if r.encode() in raw] == []  # no reference readable on disk
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone()

    again = chief(config, "sync", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["messages"] == 0  # same key: the same log, nothing twice
    doctor = json.loads(chief(config, "doctor", "--json").stdout)
    database = next(c for c in doctor["checks"] if c["name"] == "database")
    assert database["ok"] and "encrypted (SQLCipher)" in database["detail"]


def test_a_wrong_key_is_named_and_nothing_is_touched(tmp_path: Path) -> None:
    config = encrypted_practice(tmp_path / "practice")
    assert chief(config, "sync").returncode == 0
    before = database_file(config).read_bytes()
    key_file = config.parent / "secrets" / "database.key"
    key_file.write_text(os.urandom(32).hex() + "\n")
    done = chief(config, "sync")
    assert done.returncode != 0
    assert "cannot be opened with its key" in done.stderr
    assert str(database_file(config)) in done.stderr
    assert "Traceback" not in done.stderr
    assert database_file(config).read_bytes() == before


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    config = encrypted_practice(tmp_path / "practice")
    key_file = config.parent / "secrets" / "database.key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(os.urandom(32).hex())
    key_file.chmod(0o644)
    done = chief(config, "sync")
    assert done.returncode != 0
    assert f"chmod 600 {key_file}" in done.stderr
    assert not database_file(config).exists()  # refused before anything was written


@pytest.fixture
def os_keyring(tmp_path: Path) -> Iterator[OsKeyring]:
    ring = OsKeyring(tmp_path / "desktop").start()
    try:
        yield ring
    finally:
        ring.stop()


def test_the_key_can_live_in_the_os_keyring(tmp_path: Path, os_keyring: OsKeyring) -> None:
    key = os.urandom(32).hex()
    stored = subprocess.run(
        [
            sys.executable,
            "-c",
            "import keyring, sys; keyring.set_password('practice-chief', "
            "'database:riverside-sports-medicine', sys.argv[1])",
            key,
        ],
        env=os_keyring.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stored.returncode == 0, stored.stderr[-300:]
    config = encrypted_practice(tmp_path / "practice")
    done = chief(config, "sync", "--json", env=os_keyring.env)
    assert done.returncode == 0, done.stderr
    assert not (config.parent / "secrets" / "database.key").exists()  # no key on disk

    connection = sqlcipher.connect(str(database_file(config)))
    connection.execute(f"PRAGMA key = \"x'{key}'\"")
    (messages,) = connection.execute("SELECT count(*) FROM message").fetchone()
    connection.close()
    assert messages == json.loads(done.stdout)["messages"]


def readme_conversion_script() -> str:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("### Encrypting the case log") :]
    return section[
        section.index("```python\n") + 10 : section.index("\n```", section.index("```python"))
    ]


def test_the_readmes_conversion_encrypts_an_existing_log(tmp_path: Path) -> None:
    """The README's one-off conversion, run as written: the plain log becomes an encrypted
    one that `chief` opens with encryption on and that holds everything it held."""
    config = prepare_home(tmp_path / "practice", PRACTICE)
    first = chief(config, "sync", "--json")
    assert first.returncode == 0, first.stderr
    logged = json.loads(first.stdout)["messages"]
    key_file = config.parent / "secrets" / "database.key"
    key_file.parent.mkdir(exist_ok=True)
    key_file.write_text(os.urandom(32).hex() + "\n")
    key_file.chmod(0o600)
    converted = subprocess.run(
        [sys.executable, "-c", readme_conversion_script()],
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert converted.returncode == 0, converted.stderr
    data = config.parent / "data"
    (data / "chief-encrypted.db").replace(data / "chief.db")
    for leftover in ("chief.db-wal", "chief.db-shm"):
        (data / leftover).unlink(missing_ok=True)
    config.write_text(
        config.read_text().replace("[database]\n", '[database]\nencryption = "sqlcipher"\n', 1)
    )
    assert not (data / "chief.db").read_bytes().startswith(b"SQLite format 3")
    again = chief(config, "sync", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["messages"] == 0  # every message already in the log
    connection = sqlcipher.connect(str(data / "chief.db"))
    connection.execute(f"PRAGMA key = \"x'{key_file.read_text().strip()}'\"")
    (count,) = connection.execute("SELECT count(*) FROM message").fetchone()
    connection.close()
    assert count == logged
