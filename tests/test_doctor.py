"""`chief doctor` says what is wrong in plain words and exits 1; all ok exits 0."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


def doctor(exe: str, home: Path) -> tuple[int, dict[str, dict[str, object]]]:
    env = {**os.environ, "CHIEF_CONFIG": str(home / "chief.toml")}
    result = subprocess.run([exe, "doctor", "--json"], env=env, capture_output=True, text=True)
    data = json.loads(result.stdout)
    return result.returncode, {c["name"].split(" (")[0]: c for c in data["checks"]}


def test_healthy_practice(practice_dir: Callable[..., Path], chief_exe: str) -> None:
    code, checks = doctor(chief_exe, practice_dir())
    assert code == 0
    assert all(c["ok"] for c in checks.values())
    assert {"configuration", "database", "mail", "calendar", "file permissions"} <= set(checks)


def test_problems_are_named_with_the_fix(practice_dir: Callable[..., Path], chief_exe: str) -> None:
    home = practice_dir({"broken.yaml": "pack: broken\nrules:\n  - id: x\n"})
    doctor(chief_exe, home)  # creates the data folder and key
    (home / "data" / "pseudonym.key").chmod(0o644)
    code, checks = doctor(chief_exe, home)
    assert code == 1
    assert not checks["rules, clocks and templates"]["ok"]
    assert "broken.yaml:3" in str(checks["rules, clocks and templates"]["detail"])
    assert "chmod 600" in str(checks["file permissions"]["detail"])
    assert checks["mail"]["ok"]


def test_bad_config_stops_early(tmp_path: Path, chief_exe: str) -> None:
    (tmp_path / "chief.toml").write_text("[practice]\nname = 1\n")
    code, checks = doctor(chief_exe, tmp_path)
    assert code == 1
    assert list(checks) == ["configuration"]
    assert "missing key `practitioner`" in str(checks["configuration"]["detail"])


@pytest.mark.parametrize(
    ("where", "mode", "fix"),
    [("data/chief.db", 0o644, "chmod 600"), ("data", 0o755, "chmod 700")],
)
def test_a_case_log_or_data_folder_others_can_read_is_flagged(
    practice_dir: Callable[..., Path], chief_exe: str, where: str, mode: int, fix: str
) -> None:
    home = practice_dir()
    assert doctor(chief_exe, home)[0] == 0  # creates the data folder, key and case log
    (home / where).chmod(mode)
    code, checks = doctor(chief_exe, home)
    assert code == 1
    detail = str(checks["file permissions"]["detail"])
    assert f"{fix} {home / where}" in detail
    assert "readable by others" in detail
