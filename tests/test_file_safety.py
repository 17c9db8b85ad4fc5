"""Practice files are the owner's alone, whatever the umask, and `chief` refuses a configuration
others can read.

`chief demo` runs under a lax umask (0002, common on shared machines): every folder it makes
in the practice is 0700 and every file it writes 0600 — the case log, its keys, the calendar,
the mail it copies in, the drafts, the summary copies, the research alerts and the locks.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from bot.errors import UserError
from bot.file_safety import create_private_file, private_dir, require_private
from tests.fixtures_postgres import case_log_text, case_log_url
from tests.samples import sample_files


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _chief(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["chief", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: os.umask(0o002),
    )


def test_the_demo_practice_is_owner_only_under_a_lax_umask(tmp_path: Path) -> None:
    home = tmp_path / "practice"
    done = _chief("demo", "--home", str(home))
    assert done.returncode == 0, done.stderr
    folders = [home, *(p for p in home.rglob("*") if p.is_dir())]
    files = [p for p in home.rglob("*") if p.is_file()]
    names = {p.relative_to(home).as_posix() for p in files}
    expected = {
        "chief.toml",
        "calendar.ics",
        "data/pseudonym.key",
        "data/case-log.json",
        "data/summaries/summary-2026-11-24.eml",
    }
    if case_log_url(home).startswith("sqlite:"):  # not in the PostgreSQL pass
        expected.add("data/chief.db")
    assert expected <= names
    # the mail, the drafts and the rest were all looked at
    assert len(files) > len(sample_files("sports-medicine-us")) + 40
    open_folders = sorted(p.relative_to(home).as_posix() for p in folders if _mode(p) & 0o077)
    assert open_folders == []
    # Every file, the empty Maildir++ ``maildirfolder`` markers included, is 0600.
    open_files = sorted(p.relative_to(home).as_posix() for p in files if _mode(p) & 0o077)
    assert open_files == []


def test_a_configuration_others_can_read_is_refused_with_the_fix(tmp_path: Path) -> None:
    home = tmp_path / "practice"
    assert _chief("demo", "--home", str(home)).returncode == 0
    config = home / "chief.toml"
    config.chmod(0o644)
    before = case_log_text(home)
    done = _chief("--config", str(config), "sync")
    assert done.returncode != 0
    assert "can be read by others" in done.stderr
    assert f"chmod 600 {config}" in done.stderr
    assert "Traceback" not in done.stderr
    assert case_log_text(home) == before  # nothing was done
    config.chmod(0o600)
    assert _chief("--config", str(config), "sync").returncode == 0
    assert case_log_text(home) != before  # as the refused run would have changed it


def test_private_files_and_folders_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o002)
    try:
        folder = private_dir(tmp_path / "a" / "b")
        assert create_private_file(folder / "c.db")
        assert not create_private_file(folder / "c.db")  # already there: left alone
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a") == 0o700 and _mode(folder) == 0o700
    assert _mode(folder / "c.db") == 0o600
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    private_dir(shared)
    assert _mode(shared) == 0o755  # an existing folder (a home, say) is not changed
    (folder / "c.db").chmod(0o640)
    with pytest.raises(UserError) as caught:
        require_private(folder / "c.db", "case log")
    assert caught.value.problems == [f"run `chmod 600 {folder / 'c.db'}`"]
