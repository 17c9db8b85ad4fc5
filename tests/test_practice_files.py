"""Every file a practitioner edits is reported (``file:line``) and skipped when it is broken or
is not a file at all, and the run goes on: rule packs, party directories, clocks, templates,
the register and ``chief.toml`` itself (which has nothing to go on without, so it is refused
at once, never waited on).

What is put in their place: a FIFO (reading one waits for a writer for ever), a symlink to
``/dev/zero`` (reads without end), a file over the size limit, a pack nested deeper than the
parser's recursion can take, and a ``clocks.yaml`` with a mistake in it.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import UserError
from bot.file_safety import MAX_PRACTICE_FILE_BYTES, UnreadableFile, read_practice_file
from bot.letters.templates import template_environment
from bot.register.register import load_register
from bot.resources import shipped_templates
from bot.rules.yaml_source import MAX_DEPTH, YamlProblem, load_yaml
from tests.conftest import deliver, make_message

TIMEOUT = 60  # each of these ran for ever before; a hang fails the test instead of the run
GOOD_RULES = {"own.yaml": "pack: own\nrules: []\n"}


def _fifo(path: Path) -> Path:
    os.mkfifo(path, 0o600)
    return path


def _to_dev_zero(path: Path) -> Path:
    path.symlink_to("/dev/zero")
    return path


def _too_large(path: Path) -> Path:
    big = path.with_name("big.bin")
    big.write_bytes(b"# padding\n" * (MAX_PRACTICE_FILE_BYTES // 10 + 1))
    path.symlink_to(big)  # a symlink to a regular file is followed
    return path


def _too_deep(path: Path) -> Path:
    path.write_text("rules:\n" + "".join("  " * i + "-\n" for i in range(990)))
    return path


def _broken_clocks(path: Path) -> Path:
    path.write_text("clocks:\n  - id: own.clock\n    amount: many\n    unit: days\n")
    return path


BREAKERS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (_fifo, "not a regular file (a FIFO)"),
    "dev zero": (_to_dev_zero, "not a regular file (a device)"),
    "too large": (_too_large, "larger than 1024 KiB; not a practice file"),
}


def _chief(exe: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe, *args], cwd=home, capture_output=True, text=True, timeout=TIMEOUT)


@pytest.mark.parametrize("kind", sorted(BREAKERS))
def test_only_a_regular_file_of_bounded_size_is_read(tmp_path: Path, kind: str) -> None:
    make, reason = BREAKERS[kind]
    path = make(tmp_path / "pack.yaml")
    with pytest.raises(UnreadableFile) as refused:
        read_practice_file(path)
    assert refused.value.reason == reason
    with pytest.raises(YamlProblem, match=re.escape(f"pack.yaml:1: {reason}")):
        load_yaml(path)


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    assert load_yaml(tmp_path / "link.yaml") == {"a": 1}


def test_nesting_is_bounded_and_named_by_line(tmp_path: Path) -> None:
    path = _too_deep(tmp_path / "deep.yaml")
    with pytest.raises(YamlProblem, match=rf"deep\.yaml:{MAX_DEPTH + 2}: nested more than"):
        load_yaml(path)
    (tmp_path / "ok.yaml").write_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")
    assert load_yaml(tmp_path / "ok.yaml") is not None


@pytest.mark.parametrize(
    ("name", "make", "said"),
    [
        ("fifo.yaml", _fifo, "fifo.yaml:1: not a regular file (a FIFO)"),
        ("zero.yaml", _to_dev_zero, "zero.yaml:1: not a regular file (a device)"),
        ("big.yaml", _too_large, "big.yaml:1: larger than"),
        ("deep.yaml", _too_deep, f"deep.yaml:{MAX_DEPTH + 2}: nested more than"),
        ("clocks.yaml", _fifo, "clocks.yaml:1: not a regular file (a FIFO)"),
        ("clocks.yaml", _broken_clocks, "clocks.yaml:3: clock `own.clock`: `amount`"),
    ],
)
def test_rules_check_and_sync_report_a_broken_practice_file_and_go_on(
    practice_dir: Callable[..., Path],
    chief_exe: str,
    name: str,
    make: Callable[[Path], Path],
    said: str,
) -> None:
    home = practice_dir(GOOD_RULES)
    make(home / "rules" / name)
    checked = _chief(chief_exe, home, "rules", "check", "rules")
    assert checked.returncode == 1, checked.stderr
    assert said in checked.stdout + checked.stderr
    assert "internal error" not in checked.stderr
    deliver(home, "m1", make_message("1@plan", "Hello", "Hello there."))
    synced = _chief(chief_exe, home, "sync")
    assert synced.returncode == 0, synced.stderr
    assert said in synced.stderr  # reported, then skipped
    assert "1 new message(s)" in synced.stdout


def test_a_template_that_is_not_a_regular_file_is_skipped_for_the_shipped_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    name = "_partials/signature.j2"
    (tmp_path / "_partials").mkdir()
    _fifo(tmp_path / name)
    caplog.set_level(logging.WARNING)
    env = template_environment([tmp_path])
    source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    assert filename == str((shipped_templates() / name).resolve())
    assert source == (shipped_templates() / name).read_text(encoding="utf-8")
    assert any("not a regular file (a FIFO)" in r.getMessage() for r in caplog.records)


def test_a_register_that_is_not_a_regular_file_is_a_problem_at_line_1(tmp_path: Path) -> None:
    path = _to_dev_zero(tmp_path / "register.yaml")
    with pytest.raises(UserError) as refused:
        load_register(path)
    assert f"{path}:1: not a regular file (a device)" in refused.value.problems


def test_a_configuration_that_is_a_fifo_is_refused_at_once(
    practice_dir: Callable[..., Path], chief_exe: str
) -> None:
    home = practice_dir()
    (home / "chief.toml").unlink()
    _fifo(home / "chief.toml")
    done = _chief(chief_exe, home, "sync")
    assert done.returncode != 0
    assert "chief.toml:1: cannot use the configuration: not a regular file (a FIFO)" in done.stderr
