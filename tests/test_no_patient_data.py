"""No patient name or date of birth from the mail reaches logs, output or the case log.

The sentinels are the identities the rules themselves extract from the sample mailbox
(``patient`` and ``dob`` refs): the demo runs at debug level, and neither its stderr, its
JSON output nor the SQLite case log may contain any of them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.classify_files import iter_message_files, load_layers
from bot.mail_message import parse_message
from bot.resources import shipped_examples


def sentinels() -> set[str]:
    rules, _ = load_layers([])
    found: set[str] = set()
    for path in iter_message_files([shipped_examples() / "mailbox"]):
        refs = rules.classify(parse_message(path.read_bytes(), path.name)).refs
        for name in ("patient", "dob"):
            value = refs.get(name, "").strip()
            if len(value) >= 6:
                found.add(value)
    return found


def test_debug_run_leaks_no_patient_identity(tmp_path: Path, chief_exe: str) -> None:
    names = sentinels()
    assert len(names) >= 20, "the sample mailbox should carry patient identities to test with"
    home = tmp_path / "home"
    result = subprocess.run(
        [chief_exe, "-v", "demo", "--home", str(home), "--json"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "DEBUG" in result.stderr  # the debug log really was on
    database = (home / "data" / "chief.db").read_bytes()
    for wal in home.glob("data/chief.db-wal"):
        database += wal.read_bytes()
    leaks = {
        where
        for name in names
        for where, text in (
            ("stderr", result.stderr),
            ("stdout", result.stdout),
            ("case log", database.decode("utf-8", "replace")),
        )
        if name in text
    }
    assert not leaks, f"patient identity found in: {sorted(leaks)}"  # never print the names
