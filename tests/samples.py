"""The demo practices' sample mail, as tests read it.

Each demo practice has its own sample mailbox (``examples/practices/<practice>/mailbox/new``,
addressed to its own practitioner) and calendar (``.../calendar.ics``), built by
``examples/build_sample_mailbox.py``; ``examples/mailbox-labels.csv`` labels them all, one row per
``practice,file``. A file is named ``NNNN-slug``: its place in its practice's mailbox, then a
slug unique across the three.
"""

from __future__ import annotations

from pathlib import Path

from bot.resources import shipped_examples

__all__ = [
    "PRACTICES",
    "mailbox",
    "sample",
    "sample_calendar",
    "sample_files",
]

PRACTICES = ("sports-medicine-us", "occupational-therapy-uk", "integrative-medicine")


def mailbox(practice: str) -> Path:
    """A practice's sample Maildir (its ``new/`` holds the mail)."""
    return shipped_examples() / "practices" / practice / "mailbox"


def sample_files(practice: str | None = None) -> list[Path]:
    """A practice's sample messages in order, or (``None``) all three practices' in turn."""
    chosen = PRACTICES if practice is None else (practice,)
    return [
        path
        for name in chosen
        for path in sorted((mailbox(name) / "new").iterdir())
        if path.is_file()
    ]


def sample(name: str) -> Path:
    """The sample message named ``NNNN-slug``, or by its slug alone, in whichever practice."""
    slug = name[5:] if name[:4].isdigit() and name[4:5] == "-" else name
    found = [p for p in sample_files() if p.name[5:] == slug]
    assert len(found) == 1, f"no sample message {name!r}"
    if name != slug:
        assert found[0].name == name, f"sample {slug!r} is now {found[0].name}"
    return found[0]


def sample_calendar(practice: str) -> Path:
    return shipped_examples() / "practices" / practice / "calendar.ics"
