"""Shared fixtures: paths, corpora from ../shared, a practice folder builder."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

# A PostgreSQL server and the PostgreSQL pass (`pytest --db=postgresql`).
pytest_plugins = ["tests.fixtures_postgres"]

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def need_shared(relative: str) -> Path:
    """A folder from ../shared: under CI a missing one fails, elsewhere the test skips."""
    path = SHARED / relative
    if not path.is_dir():
        reason = f"{path} not found: place the project's shared folder beside the checkout"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


MESSAGE = """\
From: {sender}
To: Dr Test <dr@practice.example>
Subject: {subject}
Message-ID: <{mid}>
Date: Mon, 02 Nov 2026 10:00:00 +0000
{extra}
{body}
"""


def make_message(
    mid: str,
    subject: str = "Hello",
    body: str = "Hello there.",
    sender: str = "Someone <someone@elsewhere.example>",
    extra: str = "",
) -> bytes:
    extra = (extra.rstrip("\n") + "\n") if extra else ""
    return MESSAGE.format(sender=sender, subject=subject, mid=mid, extra=extra, body=body).encode()


def make_practice(root: Path, rules: dict[str, str] | None = None, extra_toml: str = "") -> Path:
    """A practice folder under ``root``: chief.toml, an empty Maildir, optional own rules."""
    home = root / "practice"
    for sub in ("cur", "new", "tmp"):
        (home / "Maildir" / sub).mkdir(parents=True, exist_ok=True)
    rule_lines = ""
    if rules:
        (home / "rules").mkdir(exist_ok=True)
        for name, text in rules.items():
            (home / "rules" / name).parent.mkdir(parents=True, exist_ok=True)
            (home / "rules" / name).write_text(textwrap.dedent(text))
        rule_lines = '[rules]\ndirs = ["rules"]\n'
    (home / "chief.toml").write_text(
        textwrap.dedent(
            """\
            [practice]
            name = "Test Practice"
            slug = "test-practice"
            practitioner = "Dr Test"
            email = "dr@practice.example"
            country = "US"
            timezone = "America/New_York"

            [mail]
            connector = "maildir"
            path = "Maildir"

            [calendar]
            connector = "ics"
            path = "calendar.ics"
            """
        )
        + rule_lines
        + extra_toml
    )
    (home / "chief.toml").chmod(0o600)  # `chief` refuses a configuration others can read
    return home


@pytest.fixture
def practice_dir(tmp_path: Path) -> Callable[..., Path]:
    """Build a practice folder: chief.toml, an empty Maildir, optional own rules."""

    def build(rules: dict[str, str] | None = None, extra_toml: str = "") -> Path:
        return make_practice(tmp_path, rules, extra_toml)

    return build


def deliver(home: Path, name: str, raw: bytes) -> Path:
    """Drop a message into the practice's Maildir the way a delivery agent does."""
    tmp = home / "Maildir" / "tmp" / name
    tmp.write_bytes(raw)
    target = home / "Maildir" / "new" / name
    tmp.rename(target)
    return target


@pytest.fixture
def chief_exe() -> str:
    exe = shutil.which("chief")
    assert exe, "the `chief` console script is not installed (pip install -e '.[test]')"
    return exe


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default=None,
        help="case-log backend for the tests (default sqlite, or $CHIEF_TEST_DB): postgresql "
        "runs each test on a fresh database of a local PostgreSQL server",
    )
