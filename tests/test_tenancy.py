"""Many practices in one case log: nothing one practice asks for ever shows another's rows.

Two practices (two chief.toml files naming the same database URL; on the PostgreSQL pass the
same PostgreSQL database) each sync their own part of the demo's sample mailbox, the same
messages in places, so that both have payer, solicitor and referral cases, deadlines and
drafts. Every read the command line offers (cases, a case in full, deadlines, payments,
referrers, CPD, the daily summary, the audit trail) is taken for practice A before practice B
has any row, and again after B has synced everything: it must not change by a byte. Then the
same for B while A receives more mail. The case log itself is checked too: each practice's
messages, cases, drafts and deadlines carry its own practice and its own mailbox.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli.app import main
from bot.cli.demo import DEMO_DAY
from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.resources import shipped_examples
from bot.store.models import Case, Deadline, Draft, Mailbox, MessageRow, Practice
from bot.sync.runtime import Runtime
from tests.samples import sample_calendar, sample_files

SLUGS = ("alpha-sports", "beta-sports")
TODAY = DEMO_DAY.isoformat()


def _practice(root: Path, slug: str, database: Path) -> Path:
    """The demo practice as ``slug``, its mail in an own Maildir, its case log at ``database``
    (shared by both practices)."""
    examples = shipped_examples()
    source = examples / "practices" / "sports-medicine-us"
    home = root / slug
    for sub in ("cur", "new", "tmp"):
        (home / "Maildir" / sub).mkdir(parents=True)
    shutil.copyfile(source / "register.yaml", home / "register.yaml")
    shutil.copyfile(sample_calendar("sports-medicine-us"), home / "calendar.ics")
    shutil.copytree(examples / "practice-rules", home / "rules")
    text = (source / "chief.toml").read_text()
    text = text.replace('slug = "riverside-sports-medicine"', f'slug = "{slug}"', 1)
    text = text.replace('url = "sqlite:///data/chief.db"', f'url = "sqlite:///{database}"', 1)
    assert f'slug = "{slug}"' in text and str(database) in text
    config = home / "chief.toml"
    config.write_text(text)
    config.chmod(0o600)
    return config


def _deliver(config: Path, messages: list[Path]) -> None:
    for path in messages:
        (config.parent / "Maildir" / "new" / path.name).write_bytes(path.read_bytes())


def _sync(config: Path) -> int:
    rt = Runtime.from_config(load_config(config), today=DEMO_DAY)
    try:
        report = sync(rt)
    finally:
        rt.close()
        rt.engine.dispose()
    return report.messages


def _reads(config: Path) -> dict[str, str]:
    """Every read the command line offers, as this practice sees it (JSON where offered)."""
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, ["--config", str(config), *args])
        assert result.exit_code == 0, (args, result.output)
        return result.output

    reads = {
        "cases": run("cases", "--all", "--json"),
        "deadlines": run("deadlines", "--within", "3650", "--json"),
        "payments": run("payments", "--json", "--today", TODAY),
        "referrers": run("referrers", "--json", "--today", TODAY),
        "cpd": run("cpd", "--json", "--today", TODAY),
        "summary": run("summary", "--print", "--today", TODAY),
    }
    if "audit" in main.commands:
        reads["audit"] = run("audit", "--json")
    listed = reads["cases"].splitlines()
    for line in listed[:3] + listed[-3:]:  # a few cases in full: the first and the last
        case = json.loads(line)
        ident = str(case.get("short_id") or case.get("id"))
        reads[f"case {ident}"] = run("cases", "show", ident, "--json", "--today", TODAY)
    return reads


def _own_rows(config: Path) -> dict[str, set[int]]:
    """The ids of this practice's rows, and of rows that point into another practice."""
    rt = Runtime.from_config(load_config(config), today=DEMO_DAY)
    try:
        with rt.sessions() as s:
            pid = rt.practice_id
            mailboxes = set(s.scalars(select(Mailbox.id).where(Mailbox.practice_id == pid)))
            cases = set(s.scalars(select(Case.id).where(Case.practice_id == pid)))
            messages = set(
                s.scalars(select(MessageRow.id).where(MessageRow.mailbox_id.in_(mailboxes)))
            )
            crossing = set(
                s.scalars(
                    select(MessageRow.id).where(
                        MessageRow.mailbox_id.in_(mailboxes),
                        MessageRow.case_id.is_not(None),
                        MessageRow.case_id.not_in(cases),
                    )
                )
            )
            for model in (Deadline, Draft):
                crossing |= set(
                    s.scalars(
                        select(model.id).where(
                            model.practice_id == pid,
                            model.case_id.is_not(None),
                            model.case_id.not_in(cases),
                        )
                    )
                )
                crossing |= set(
                    s.scalars(
                        select(model.id).where(
                            model.practice_id == pid,
                            model.message_id.is_not(None),
                            model.message_id.not_in(messages),
                        )
                    )
                )
            drafts = set(s.scalars(select(Draft.id).where(Draft.practice_id == pid)))
            deadlines = set(s.scalars(select(Deadline.id).where(Deadline.practice_id == pid)))
    finally:
        rt.engine.dispose()
    return {
        "cases": cases,
        "messages": messages,
        "drafts": drafts,
        "deadlines": deadlines,
        "crossing": crossing,
    }


@pytest.mark.slow
def test_one_practice_never_sees_another_practices_rows(tmp_path: Path) -> None:
    everything = sample_files("sports-medicine-us")
    mailbox = everything[::3]  # a third of the sample mailbox, every kind of mail in it
    # Overlapping parts: the shared third is the same mail sent to both practices.
    third = len(mailbox) // 3
    mail_a, mail_b = mailbox[: 2 * third], mailbox[third:]
    later_a = mail_b[-10:]  # more mail for A once B is in
    database = tmp_path / "shared.db"
    a, b = (_practice(tmp_path, slug, database) for slug in SLUGS)

    _deliver(a, mail_a)
    assert _sync(a) == len(mail_a)
    alone = _reads(a)
    assert json.loads(alone["cases"].splitlines()[0])  # A has cases to leak, or not

    _deliver(b, mail_b)
    assert _sync(b) == len(mail_b)
    assert _reads(a) == alone, "practice B's rows changed what practice A sees"

    before_more = _reads(b)
    _deliver(a, [p for p in later_a if p not in mail_a])
    _sync(a)
    assert _reads(b) == before_more, "practice A's new rows changed what practice B sees"

    rows_a, rows_b = _own_rows(a), _own_rows(b)
    for kind in ("cases", "messages", "drafts", "deadlines"):
        assert rows_a[kind] and rows_b[kind], kind  # both have some of each to leak
        assert not rows_a[kind] & rows_b[kind], kind
    assert not rows_a["crossing"] and not rows_b["crossing"]

    engine_rt = Runtime.from_config(load_config(a), today=DEMO_DAY)
    try:
        with engine_rt.sessions() as s:
            slugs = set(s.scalars(select(Practice.slug)))
    finally:
        engine_rt.engine.dispose()
    assert slugs == set(SLUGS)  # one case log, two practices


# --- the same schema and the same logging on PostgreSQL --------------------------------------


@pytest.mark.servers
def test_migrations_build_the_models_schema_on_postgresql_and_downgrade(
    postgres_database: Callable[..., str],
) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from bot.store.database import alembic_config, open_database
    from bot.store.models import Base

    url = postgres_database(migrated=False)
    engine, _ = open_database(url)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
            head = MigrationContext.configure(conn).get_current_revision()
        open_database(url)[0].dispose()  # a second open finds it done
        cfg = alembic_config(url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
            assert inspect(conn).get_table_names() == ["alembic_version"]
            command.upgrade(cfg, "head")
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head
    finally:
        engine.dispose()
