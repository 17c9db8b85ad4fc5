"""The audit trail over the real demo practice: one entry per external write, with its
connector, key, remote id, case and rule; ``chief audit`` lists them oldest first, ids only."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import DateTime, bindparam, create_engine, inspect, text

from bot.cli.demo import DEMO_DAY, run_demo
from bot.config import load_config
from bot.errors import UserError
from bot.store.case_ids import short_case_id
from bot.store.database import alembic_config, open_database
from bot.sync.audit import parse_since
from bot.sync.planning import draft_key
from bot.sync.runtime import Runtime
from tests.fixtures_postgres import case_log

WRITES = {
    "draft.create",
    "draft.reconcile",
    "calendar.upsert",
    "summary.deliver",
    "labels.apply",
    "research.digest",
}


@pytest.fixture(scope="module")
def demo_practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("audit") / "practice"
    run_demo(home, today=DEMO_DAY, progress=False)
    return home


@pytest.fixture
def demo_home(demo_practice: Path, module_case_log: None) -> Path:
    """The demo practice synced once for the module (read from the module's own database in
    the PostgreSQL pass)."""
    return demo_practice


def chief(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIEF_CONFIG": str(home / "chief.toml")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_every_draft_has_one_entry_with_connector_case_and_rule(demo_home: Path) -> None:
    rt = Runtime.from_config(load_config(demo_home / "chief.toml"))
    with case_log(demo_home) as db:
        drafts = db.execute(
            text(
                "SELECT d.key, d.remote_id, d.case_id, d.template, m.key, m.rule_id FROM draft d"
                " JOIN message m ON m.id = d.message_id WHERE d.state = 'written'"
            )
        ).fetchall()
        entries = {
            row[0]: row[1:]
            for row in db.execute(
                text(
                    "SELECT target, remote_id, connector, case_id, rule, actor FROM audit_event"
                    " WHERE action IN ('draft.create', 'draft.reconcile')"
                )
            )
        }
        per_key = Counter(
            t
            for (t,) in db.execute(
                text("SELECT target FROM audit_event WHERE action LIKE 'draft.%'")
            )
        )
    assert len(drafts) > 20
    assert set(per_key.values()) == {1}  # exactly one entry per draft
    with_rule = 0
    for key, remote_id, case_id, template, message_key, rule in drafts:
        assert entries[key][:3] == (remote_id, "maildir", case_id)
        assert entries[key][4] == "chief"
        if key == draft_key(rt, message_key, template):  # planned by the message's rule
            assert entries[key][3] == rule is not None
            with_rule += 1
        else:  # planned by the booking guard, not by a rule
            assert entries[key][3] is None and template.startswith("payer/")
    assert len(drafts) - 2 <= with_rule < len(drafts)  # one booking chase in the demo


def test_calendar_summary_and_checklist_entries_name_their_connector(demo_home: Path) -> None:
    with case_log(demo_home) as db:
        written = db.execute(
            text("SELECT key, remote_id, source FROM calendar_entry WHERE state = 'written'")
        ).fetchall()
        calendar = {
            t: (r, c, case, rule, d)
            for t, r, c, case, rule, d in db.execute(
                text(
                    "SELECT target, remote_id, connector, case_id, rule, detail FROM audit_event"
                    " WHERE action = 'calendar.upsert'"
                )
            )
        }
        deadlines = {
            key: (case_id, rule)
            for key, case_id, rule in db.execute(
                text(
                    "SELECT d.key, d.case_id, m.rule_id FROM deadline d"
                    " LEFT JOIN message m ON m.id = d.message_id"
                )
            )
        }
        others = db.execute(
            text(
                "SELECT action, connector, remote_id FROM audit_event"
                " WHERE action IN ('summary.deliver', 'research.digest')"
            )
        ).fetchall()
        checklists = db.execute(  # drafts that answer no message: checklist, notes' reports
            text(
                "SELECT a.action, a.connector, a.detail, a.remote_id = d.remote_id"
                " FROM audit_event a JOIN draft d ON d.key = a.target"
                " WHERE d.message_id IS NULL"
            )
        ).fetchall()
    assert len(written) == len(calendar) > 50
    linked = 0
    for key, remote_id, source in written:
        remote, connector, case_id, rule, detail = calendar[key]
        assert (remote, connector, detail) == (remote_id, "ics", source)
        if source == "deadline":
            assert (case_id, rule) == deadlines[key]
            linked += case_id is not None
        else:
            assert case_id is None and rule is None
    assert linked > 10
    actions = Counter(action for action, _, _ in others)
    assert actions == {"summary.deliver": 1, "research.digest": 1}
    assert sorted(checklists, key=lambda row: str(row[2])) == [
        ("draft.create", "maildir", "credentialing/renewal_checklist.j2", True),
        ("draft.create", "maildir", "reports/clearance.j2", True),  # from the demo's notes/
        ("draft.create", "maildir", "reports/initial_assessment.j2", True),
    ]
    assert {connector for _, connector, _ in others} == {"maildir"}
    assert all(remote for action, _, remote in others if action != "research.digest")


def test_a_second_run_records_nothing_more(demo_home: Path) -> None:
    with case_log(demo_home) as db:
        before = db.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    result = run_demo(demo_home, today=DEMO_DAY, progress=False)
    assert result["new"]["drafts"] == 0
    with case_log(demo_home) as db:
        assert db.execute(text("SELECT count(*) FROM audit_event")).scalar_one() == before
        actions = {a for (a,) in db.execute(text("SELECT DISTINCT action FROM audit_event"))}
    assert actions <= WRITES


def _subjects(home: Path) -> set[str]:
    """Every subject line of the demo mailbox worth looking for in output."""
    found = set()
    for path in (home / "Maildir").glob("*/*"):
        if path.is_file():
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            subject = str(msg.get("subject", "")).strip()
            if len(subject) >= 12:
                found.add(subject)
    return found


def test_chief_audit_lists_every_entry_oldest_first_with_ids_only(demo_home: Path) -> None:
    as_json = chief(demo_home, "audit", "--json")
    assert as_json.returncode == 0, as_json.stderr
    lines = [json.loads(line) for line in as_json.stdout.splitlines()]
    with case_log(demo_home) as db:
        count, first_case = db.execute(
            text("SELECT count(*), min(case_id) FROM audit_event WHERE action = 'draft.create'")
        ).one()
        total = db.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    assert len(lines) == total
    assert sum(e["action"] == "draft.create" for e in lines) == count
    moments = [datetime.fromisoformat(e["at"]) for e in lines]
    assert moments == sorted(moments)
    assert all(m.utcoffset() == timedelta(hours=-5) for m in moments)  # America/New_York
    assert {
        "at",
        "action",
        "actor",
        "connector",
        "key",
        "remote_id",
        "case",
        "rule",
    } <= set(lines[0])
    assert short_case_id(first_case) in {e["case"] for e in lines}
    table = chief(demo_home, "audit")
    assert table.returncode == 0
    assert len(table.stdout.splitlines()) == total
    assert f"{total} entries" in table.stderr
    subjects = _subjects(demo_home)
    assert len(subjects) > 50
    for output in (as_json.stdout, table.stdout):
        assert not [s for s in subjects if s in output]
        assert "Dr " not in output and "Subject" not in output


def test_since_keeps_only_later_entries(demo_home: Path) -> None:
    tz = ZoneInfo("America/New_York")
    old = datetime.now(tz) - timedelta(days=10)  # kept in the practice's clock, as chief does
    with case_log(demo_home) as db:
        db.execute(
            text("UPDATE audit_event SET at = :old WHERE action = 'calendar.upsert'").bindparams(
                bindparam("old", type_=DateTime(timezone=True))
            ),
            {"old": old},
        )
        total, aged = db.execute(
            text(
                "SELECT count(*), sum(CASE WHEN action = 'calendar.upsert' THEN 1 ELSE 0 END)"
                " FROM audit_event"
            )
        ).one()
    recent = chief(demo_home, "audit", "--json", "--since", "7d")
    assert recent.returncode == 0, recent.stderr
    actions = [json.loads(line)["action"] for line in recent.stdout.splitlines()]
    assert len(actions) == total - aged and "calendar.upsert" not in actions
    by_date = chief(demo_home, "audit", "--json", "--since", str(old.date()))
    assert len(by_date.stdout.splitlines()) == total
    # The aged entries now come first: oldest first.
    assert json.loads(by_date.stdout.splitlines()[0])["action"] == "calendar.upsert"
    wrong = chief(demo_home, "audit", "--since", "last week")
    assert wrong.returncode == 1
    assert "neither a date nor a duration" in wrong.stderr


def test_parse_since_forms() -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert parse_since("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T09:30", now) == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert parse_since("12h", now) == now - timedelta(hours=12)
    assert parse_since("1w3d", now) == now - timedelta(days=10)
    assert parse_since("90M", now) == now - timedelta(minutes=90)
    for bad in ("", "7", "7x", "2026-13-01", "d7"):
        with pytest.raises(UserError):
            parse_since(bad, now)


def test_upgrade_to_0003_keeps_audit_entries(empty_database: str) -> None:
    url = empty_database
    engine = create_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(text("INSERT INTO practice (id, slug, name) VALUES (1, 'p', 'P')"))
        conn.execute(
            text(
                "INSERT INTO audit_event (id, practice_id, at, actor, action, target, remote_id)"
                " VALUES (1, 1, '2026-11-02 10:00:00', 'chief', 'draft.create', 'k1', 'r1')"
            )
        )
    engine.dispose()
    upgraded, _ = open_database(url)
    with upgraded.connect() as conn:
        row = conn.execute(
            text("SELECT target, remote_id, connector, case_id, rule FROM audit_event")
        ).one()
        assert tuple(row) == ("k1", "r1", None, None, None)
    with upgraded.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
        columns = {c["name"] for c in inspect(conn).get_columns("audit_event")}
        assert "connector" not in columns and "rule" not in columns
        assert conn.execute(text("SELECT target FROM audit_event")).all() == [("k1",)]
