"""Every command has help and is documented in the README; the README's TOML is valid."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli.app import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


COMMANDS = _commands(main)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help_and_is_in_readme(name: str, command: click.Command) -> None:
    assert command.help, f"`chief {name}` has no help text"
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert f"chief {name}" in README, f"`chief {name}` is not documented in README.md"


def test_readme_config_reference_is_a_valid_config(tmp_path: Path) -> None:
    from bot.config import load_config

    block = re.search(r"```toml\n(.*?)```", README, re.S)
    assert block is not None
    tomllib.loads(block.group(1))
    path = tmp_path / "chief.toml"
    path.write_text(block.group(1))
    config = load_config(path)
    assert config.practice.register_file == Path("register.yaml")
    assert config.data_dir == Path("data")


def test_readme_shows_the_two_setup_commands() -> None:
    assert "python -m pip install . && chief demo" in README
    assert "python -m pip install -e '.[test]' && python -m pytest" in README
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "python -m pip install -e '.[test]' && python -m pytest" in ci


def test_readme_server_connector_keys_are_real(tmp_path: Path) -> None:
    """The README's IMAP / CalDAV / SMTP example only uses keys the connectors take."""
    from bot.config import load_config

    blocks = re.findall(r"```toml\n(.*?)```", README, re.S)
    practice = blocks[0][blocks[0].index("[practice]") : blocks[0].index("[rules]")]
    servers = next(b for b in blocks if 'connector = "imap"' in b)
    path = tmp_path / "chief.toml"
    path.write_text(practice + servers)
    config = load_config(path)
    assert config.summary.via == "smtp"
    for section in ("mail", "calendar", "smtp"):
        _, kwargs = config.connector_args(section)  # raises on a key the connector lacks
        assert kwargs["password_file"].parent == tmp_path / "secrets"  # resolved to the file
