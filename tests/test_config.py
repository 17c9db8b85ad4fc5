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


def test_toml_syntax_error_gives_line(tmp_path: Path) -> None:
    path = tmp_path / "chief.toml"
    path.write_text('[practice]\nname = "x\n')
    with pytest.raises(UserError, match=r"chief.toml: .*line 2"):
        load_config(path)


def test_missing_config_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="chief init"):
        load_config(tmp_path / "nope.toml")
