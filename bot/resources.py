"""Where the shipped rule packs, templates and demo practice live.

In an installed wheel they are package data under ``bot/_data`` (see ``pyproject.toml``); in an
editable install or a source checkout they are the repository's top-level folders.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["shipped_dir", "shipped_examples", "shipped_rules", "shipped_templates"]

_REPO_ROOT = Path(__file__).resolve().parent.parent


def shipped_dir(name: str) -> Path:
    """Return the shipped folder ``name`` (``rules``, ``templates``, ``examples`` or ``model``,
    the learned classifier's weights)."""
    packaged = Path(str(files("bot") / "_data" / name))
    if packaged.is_dir():
        return packaged
    in_repo = _REPO_ROOT / name
    if in_repo.is_dir():
        return in_repo
    raise FileNotFoundError(f"shipped folder {name!r} not found in the package or the source tree")


def shipped_rules() -> Path:
    return shipped_dir("rules")


def shipped_templates() -> Path:
    return shipped_dir("templates")


def shipped_examples() -> Path:
    return shipped_dir("examples")
