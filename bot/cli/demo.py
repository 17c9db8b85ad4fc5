"""``chief demo``: a sample practice built in a folder and run end to end, no account needed.

The home folder gets the practice's ``chief.toml`` and credentials register, the demo
practices' own rules (``rules/``), a Maildir holding that practice's own sample mailbox (mail
addressed to its practitioner, built by ``examples/build_sample_mailbox.py``, and the mail it
keeps by hand in ``own-mail/``) and its own calendar; then one sync and the daily summary run
on it. No practice reads another's mail: the UK occupational therapist gets no US payer's
letter, the US practices no council's. Files already there are left alone, so a
second run (or a run after the user has read some mail, moving it from ``new/`` to ``cur/``)
adds nothing.

The sample practice lives on :data:`DEMO_DAY`, the day after its last message, unless told
otherwise: its appointments, deadlines and ages are those of that day, whatever the clock says.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.config import load_config
from bot.errors import UserError
from bot.file_safety import private_dir
from bot.jobs.catalogue import sync
from bot.progress import counter
from bot.resources import shipped_examples
from bot.store.models import CalendarEntryRow, Case, Draft, Mailbox, MessageRow
from bot.summary.delivery import deliver_summary
from bot.sync.runtime import Runtime

__all__ = ["DEMO_DAY", "prepare_home", "run_demo", "run_prepared"]

DEMO_DAY = date(2026, 11, 24)


def _copy_if_missing(source: Path, target: Path) -> None:
    """Copy a sample file into the practice folder, owner-only like everything there."""
    if not target.exists():
        private_dir(target.parent)
        shutil.copyfile(source, target)
        target.chmod(0o600)


def prepare_home(home: Path, practice: str) -> Path:
    """Lay out the demo practice in ``home``; return the path of its chief.toml.

    A folder holding a ``chief.toml`` other than this demo's is refused, untouched: it is a
    practice's own (or another demo's), and a demo run there would read its mailbox."""
    examples = shipped_examples()
    source = examples / "practices" / practice
    config = home / "chief.toml"
    if config.exists() and config.read_bytes() != (source / "chief.toml").read_bytes():
        raise UserError(
            f"{config} is not the {practice} demo's configuration: chief demo never runs in a "
            "practice's own folder (it would read that practice's mail). Give it a folder of its "
            "own: chief demo --home chief-demo"
        )
    private_dir(home)  # the practice folder: owner-only (0700) when created here
    for name in ("chief.toml", "register.yaml"):
        _copy_if_missing(source / name, home / name)  # 0600: `chief` refuses a readable config
    _copy_if_missing(source / "calendar.ics", home / "calendar.ics")
    for rule_file in sorted((examples / "practice-rules").glob("*.yaml")):
        _copy_if_missing(rule_file, home / "rules" / rule_file.name)
    maildir = home / "Maildir"
    for sub in ("cur", "new", "tmp"):
        private_dir(maildir / sub)
    present = {p.name.split(":", 1)[0] for sub in ("cur", "new") for p in (maildir / sub).iterdir()}
    own = source / "own-mail"  # kept by hand: replies to the letters it sent, notes to herself
    for sample in _files(source / "mailbox" / "new") + _files(own):
        if sample.is_file() and sample.name not in present:
            shutil.copyfile(sample, maildir / "tmp" / sample.name)
            (maildir / "tmp" / sample.name).chmod(0o600)  # as a delivery agent leaves mail
            (maildir / "tmp" / sample.name).rename(maildir / "new" / sample.name)
    _practice_files(source, home, maildir)
    return home / "chief.toml"


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _practice_files(source: Path, home: Path, maildir: Path) -> None:
    """The practitioner's own notes (``notes/``) and the letters she sent (``Sent``, as her
    mail client files them: ``.Sent/cur``, seen)."""
    for note in _files(source / "notes"):
        _copy_if_missing(note, home / "notes" / note.name)
    sent = maildir / ".Sent"
    for sub in ("cur", "new", "tmp"):
        private_dir(sent / sub)
    if not (sent / "maildirfolder").exists():
        (sent / "maildirfolder").touch(mode=0o600)  # the Maildir++ folder marker
    present = {p.name.split(":", 1)[0] for sub in ("cur", "new") for p in (sent / sub).iterdir()}
    for letter in _files(source / "sent"):
        if letter.name not in present:
            _copy_if_missing(letter, sent / "cur" / f"{letter.name}:2,S")


def totals(rt: Runtime) -> dict[str, Any]:
    with rt.sessions() as session:
        messages = session.scalar(
            select(func.count())
            .select_from(MessageRow)
            .join(Mailbox, Mailbox.id == MessageRow.mailbox_id)
            .where(Mailbox.practice_id == rt.practice_id)
        )
        cases = dict(
            session.execute(
                select(Case.kind, func.count())
                .where(Case.practice_id == rt.practice_id)
                .group_by(Case.kind)
            ).all()
        )
        drafts = session.scalar(
            select(func.count())
            .select_from(Draft)
            .where(Draft.practice_id == rt.practice_id, Draft.state == "written")
        )
        entries = session.scalar(
            select(func.count())
            .select_from(CalendarEntryRow)
            .where(
                CalendarEntryRow.practice_id == rt.practice_id, CalendarEntryRow.state == "written"
            )
        )
    return {
        "messages": messages or 0,
        "cases": cases,
        "drafts": drafts or 0,
        "calendar_entries": entries or 0,
    }


def run_demo(
    home: Path,
    practice: str = "sports-medicine-us",
    today: date | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    return run_prepared(prepare_home(home, practice), practice, today, progress)


def run_prepared(
    config_path: Path,
    practice: str = "sports-medicine-us",
    today: date | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """One sync and the day's summary on a demo practice already laid out (and perhaps
    reconfigured) by :func:`prepare_home`; what :func:`run_demo` reports."""
    home = config_path.parent
    rt = Runtime.from_config(load_config(config_path), today=today or DEMO_DAY)
    with counter("Reading mail", enabled=progress) as advance:
        report = sync(rt, progress=advance)
    summary = deliver_summary(rt)
    result = totals(rt)
    result.update(
        practice=practice,
        home=str(home.resolve()),
        maildir=str(rt.config.resolve(rt.config.mail.get("path", "Maildir"))),
        drafts_folder=str(rt.config.resolve(rt.config.mail.get("path", "Maildir")) / ".Drafts"),
        calendar=str(rt.config.resolve(rt.config.calendar.get("path", "calendar.ics"))),
        summary=str(summary),
        today=rt.today().isoformat(),
        new={
            "messages": report.messages,
            "cases": report.cases_opened,
            "drafts": report.drafts_written,
            "calendar_entries": report.calendar_written,
        },
        problems=report.errors,
    )
    return result
