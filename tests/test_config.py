"""chief.toml validation: every mistake named with its file and key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import load_config
from bot.errors import UserError


def test_valid_config_resolves_paths(practice_dir: Callable[..., Path]) -> None:
    home = practice_dir()
    config = load_config(home / "chief.toml")
    assert config.practice.country == "US"
    assert config.database_url == f"sqlite:///{home / 'data/chief.db'}"
    name, kwargs = config.connector_args("mail")
    assert name == "maildir" and kwargs["path"] == home / "Maildir"


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        (('timezone = "America/New_York"', 'timezone = "Mars/Olympus"'), "unknown time zone"),
        (('country = "US"', 'country = "FR"'), "`country`"),
        (('name = "Test Practice"\n', ""), "missing key `name` in [practice]"),
        (("[mail]", '[mail]\nfolderz = "x"'), None),
        (('email = "dr@practice.example"', 'email = "not an address"'), "`email`"),
        (("[practice]", 'colour = "red"\n[practice]'), "unknown key `colour` in [top level]"),
        (
            ("[practice]\n", "[practice]\nschool_closures = [[2027-01-04, 2026-12-19]]\n"),
            "a closure ends (2026-12-19) before it starts (2027-01-04)",
        ),
    ],
)
def test_mistakes_are_named(
    practice_dir: Callable[..., Path], replace: tuple[str, str], expected: str | None
) -> None:
    home = practice_dir()
    path = home / "chief.toml"
    path.write_text(path.read_text().replace(*replace, 1))
    with pytest.raises(UserError) as info:
        config = load_config(path)
        config.connector_args("mail")
    message = str(info.value)
    assert str(path.name) in message
    if expected is None:
        assert "unknown key `folderz` in [mail] of chief.toml; known:" in message
        assert "path" in message
    else:
        assert expected in message


@pytest.mark.parametrize(
    ("replace", "line"),
    [
        (('timezone = "America/New_York"', 'timezone = "Mars/Olympus"'), 7),
        (('country = "US"', 'country = "FR"'), 6),
        (('email = "dr@practice.example"', 'email = "not an address"'), 5),
        (('name = "Test Practice"\n', ""), 1),  # a missing key: the line of its table
        (("[mail]", '[mail]\nfolderz = "x"'), 10),
        (("[practice]", 'colour = "red"\n[practice]'), 1),
        (('slug = "test-practice"', 'slug = """\ncountry = 1\n"""'), 3),  # not the string's inside
    ],
)
def test_each_mistake_names_its_line(
    practice_dir: Callable[..., Path], replace: tuple[str, str], line: int
) -> None:
    home = practice_dir()
    path = home / "chief.toml"
    path.write_text(path.read_text().replace(*replace, 1))
    with pytest.raises(UserError) as info:
        load_config(path).connector_args("mail")
    assert f"chief.toml:{line}: " in str(info.value)


def test_toml_syntax_error_gives_line(tmp_path: Path) -> None:
    path = tmp_path / "chief.toml"
    path.write_text('[practice]\nname = "x\n')
    with pytest.raises(UserError, match=r"chief.toml: .*line 2"):
        load_config(path)


def test_missing_config_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="chief init"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("env", "toml", "said"),
    [
        ("mysql+nodriver://chief:hunter2@db.invalid/x", None, "$CHIEF_DATABASE_URL"),
        ("not a url at all", None, "$CHIEF_DATABASE_URL"),
        (None, "postgres-ql://chief:hunter2@db.invalid/x", "[database] url"),
    ],
)
def test_a_database_url_nothing_can_open_is_named_not_an_internal_error(
    practice_dir: Callable[..., Path],
    chief_exe: str,
    monkeypatch: pytest.MonkeyPatch,
    env: str | None,
    toml: str | None,
    said: str,
) -> None:
    import subprocess

    extra = f'[database]\nurl = "{toml}"\n' if toml else ""
    home = practice_dir(extra_toml=extra)
    if env is None:
        monkeypatch.delenv("CHIEF_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("CHIEF_DATABASE_URL", env)
    done = subprocess.run(
        [chief_exe, "--config", str(home / "chief.toml"), "sync"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert said in done.stderr and "internal error" not in done.stderr
    assert "hunter2" not in done.stderr  # a password in the URL is never shown
