"""A case log that goes missing is noticed, never silently rebuilt.

The case log remembers what the practice decided: drafts it discarded, cases it erased with
``chief forget``, deadlines it closed. A new, empty case log in its place would draft the
discarded again and bring the erased back. So the practice's folder remembers that it has a
case log: ``data/case-log.json`` (0600), written once the practice's row is in the case log,
holding the practice's slug and the day the case log was started (nothing about a patient).

CASE LOG MISSING
    The marker is there, and either the SQLite file is gone or empty (0 bytes), or the case
    log opened holds no row for the practice (a database replaced, or dropped on the server).
    ``chief`` refuses to run and says how to restore it, or how to start a new case log on
    purpose: ``chief doctor --new-case-log``, which writes the marker afresh.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import UserError
from bot.file_safety import write_private

__all__ = [
    "MARKER",
    "check_file_present",
    "has_case_log",
    "missing_case_log",
    "remember_case_log",
]

MARKER = "case-log.json"


def _marker(data_path: Path) -> Path:
    return data_path / MARKER


def _since(data_path: Path) -> str:
    try:
        return str(json.loads(_marker(data_path).read_text(encoding="utf-8"))["since"])
    except (OSError, ValueError, KeyError, TypeError):
        return "an earlier run"


def _shown(url: str) -> str:
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    return make_url(url).render_as_string(hide_password=True)


def missing_case_log(data_path: Path, url: str, why: str) -> UserError:
    """The error for CASE LOG MISSING: what happened and the two ways on."""
    since = _since(data_path)
    return UserError(
        f"the case log {_shown(url)} {why}, but this practice has kept one since {since}",
        [
            "restore it from your backup (a SQLite file with its -wal beside it, if any)",
            "or start a new case log on purpose: `chief doctor --new-case-log`; every draft "
            "you discarded may then be drafted again, and cases you erased logged again",
        ],
    )


def check_file_present(data_path: Path, url: str) -> None:
    """Refuse a SQLite case log that is gone or empty when the practice had one."""
    if not url.startswith("sqlite:///") or not _marker(data_path).exists():
        return
    path = Path(url.removeprefix("sqlite:///"))
    if not path.exists():
        raise missing_case_log(data_path, url, "is missing")
    if path.stat().st_size == 0:
        raise missing_case_log(data_path, url, "is empty (0 bytes)")


def remember_case_log(data_path: Path, slug: str, today: date, again: bool = False) -> None:
    """Write the marker (once; ``again``: afresh, for a new case log started on purpose)."""
    marker = _marker(data_path)
    if marker.exists() and not again:
        return
    record = {"practice": slug, "since": today.isoformat()}
    write_private(marker, (json.dumps(record) + "\n").encode())


def has_case_log(data_path: Path) -> bool:
    """Whether the practice's folder says it has kept a case log."""
    return _marker(data_path).exists()
