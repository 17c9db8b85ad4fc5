"""Retention and erasure over the real demo practice: ``chief forget`` removes a case's stored
data yet a full resync never brings the case or its drafts back; ``[retention]`` reduces old
messages to their keys and forgets closed cases, at the end of a sync pass."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, DateTime, TextClause, bindparam, text

from bot.cli.demo import DEMO_DAY, prepare_home, run_prepared
from bot.config import load_config
from bot.features.retention import apply_retention
from bot.store.case_ids import short_case_id
from bot.sync.runtime import Runtime
from tests.fixtures_postgres import case_log

# Long ago, as chief keeps it: a message's logged_at in UTC, a case's updated_at in the
# practice's clock (the demo practice's zone).
OLD_UTC = datetime(2026, 9, 1, tzinfo=UTC)
OLD_LOCAL = datetime(2026, 9, 1, tzinfo=ZoneInfo("America/New_York"))


def _sql(query: str, lists: tuple[str, ...] = (), moments: tuple[str, ...] = ()) -> TextClause:
    """``query`` with its ``lists`` parameters expanded for ``IN :name`` and its ``moments``
    bound as timestamps (with their zone on PostgreSQL, their wall clock on SQLite)."""
    return text(query).bindparams(
        *(bindparam(name, expanding=True) for name in lists),
        *(bindparam(name, type_=DateTime(timezone=True)) for name in moments),
    )


def chief(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CHIEF_CONFIG": str(home / "chief.toml")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        check=False,
    )


def _demo(tmp_path: Path, retention: str = "") -> Path:
    home = tmp_path / "practice"
    config = prepare_home(home, "sports-medicine-us")
    if retention:
        config.write_text(config.read_text() + f"\n[retention]\n{retention}\n")
    run_prepared(home / "chief.toml", today=DEMO_DAY, progress=False)
    return home


def _drafts_folder(home: Path) -> int:
    return sum(1 for p in (home / "Maildir" / ".Drafts").glob("*/*") if p.is_file())


def _case_with_drafts_and_deadlines(db: Connection) -> tuple[int, str]:
    case_id, ref = db.execute(
        text(
            "SELECT c.id, r.value FROM case_ c JOIN case_ref r ON r.case_id = c.id"
            " WHERE c.kind = 'prior_auth'"
            " AND EXISTS (SELECT 1 FROM draft d WHERE d.case_id = c.id AND d.state = 'written')"
            " AND EXISTS (SELECT 1 FROM deadline d WHERE d.case_id = c.id)"
            " ORDER BY c.id LIMIT 1"
        )
    ).one()
    return case_id, ref


def test_forget_erases_a_case_and_a_full_resync_never_brings_it_back(tmp_path: Path) -> None:
    home = _demo(tmp_path)
    with case_log(home) as db:
        case_id, ref = _case_with_drafts_and_deadlines(db)
        case = {"case": case_id}
        messages = [
            tuple(row)
            for row in db.execute(
                text("SELECT id, key FROM message WHERE case_id = :case ORDER BY id"), case
            )
        ]
        drafts = [
            tuple(row)
            for row in db.execute(
                text("SELECT key, remote_id FROM draft WHERE case_id = :case ORDER BY id"), case
            )
        ]
        deadline_keys = [
            k for (k,) in db.execute(text("SELECT key FROM deadline WHERE case_id = :case"), case)
        ]
        totals = db.execute(
            text(
                "SELECT (SELECT count(*) FROM case_), (SELECT count(*) FROM draft),"
                " (SELECT count(*) FROM message), (SELECT count(*) FROM audit_event)"
            )
        ).one()
        audited = db.execute(
            text("SELECT count(*) FROM audit_event WHERE case_id = :case"), case
        ).scalar_one()
    assert messages and drafts and deadline_keys and audited
    in_folder = _drafts_folder(home)

    done = chief(home, "forget", short_case_id(case_id), "--yes", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["number"] == case_id and report["messages"] == len(messages)
    assert report["drafts"] == len(drafts) and report["deadlines"] == len(deadline_keys)
    assert ref not in done.stdout

    with case_log(home) as db:
        for table in ("case_ref", "case_event", "deadline", "payment"):
            assert db.execute(
                text(f"SELECT count(*) FROM {table} WHERE case_id = :case"), case
            ).one() == (0,)
        assert db.execute(
            _sql("SELECT count(*) FROM calendar_entry WHERE key IN :keys", lists=("keys",)),
            {"keys": deadline_keys},
        ).one() == (0,)
        assert db.execute(
            text(
                "SELECT kind, status, closed, party_id, patient_pseudonym FROM case_"
                " WHERE id = :case"
            ),
            case,
        ).one() == ("forgotten", "forgotten", True, None, None)
        kept = db.execute(
            _sql(
                "SELECT id, key, message_id, thread_root, sender_hash, subject_hash,"
                " sender_domain, category, rule_id, case_id, received_at, reply_address"
                " FROM message WHERE id IN :ids ORDER BY id",
                lists=("ids",),
            ),
            {"ids": [m for m, _ in messages]},
        ).fetchall()
        assert [(row[0], row[1]) for row in kept] == messages  # the exactly-once keys stay
        assert {row[2:] for row in kept} == {(None, None, "", "", "", None, None, None, None, None)}
        assert db.execute(
            _sql(
                "SELECT key, remote_id, raw, case_id FROM draft WHERE key IN :keys ORDER BY id",
                lists=("keys",),
            ),
            {"keys": [k for k, _ in drafts]},
        ).fetchall() == [(k, r, None, None) for k, r in drafts]
        entries = db.execute(
            text(
                "SELECT action, actor, target, detail FROM audit_event WHERE case_id = :case"
                " ORDER BY id"
            ),
            case,
        ).fetchall()
        assert len(entries) == audited + 1
        assert all(detail is None for *_, detail in entries[:-1])
        action, actor, target, detail = entries[-1]
        assert (action, actor, target) == ("case.forget", "user", short_case_id(case_id))
        assert json.loads(detail)["messages"] == len(messages)
        assert ref not in detail

        # A full resync: the cursor forgotten too, every message of the Maildir read again.
        db.execute(text("UPDATE mailbox SET cursor = NULL"))
    again = run_prepared(home / "chief.toml", today=DEMO_DAY, progress=False)
    assert again["new"] == {"messages": 0, "cases": 0, "drafts": 0, "calendar_entries": 0}
    with case_log(home) as db:
        assert db.execute(
            text(
                "SELECT (SELECT count(*) FROM case_), (SELECT count(*) FROM draft),"
                " (SELECT count(*) FROM message), (SELECT count(*) FROM audit_event)"
            )
        ).one() == (totals[0], totals[1], totals[2], totals[3] + 1)
        assert db.execute(
            text("SELECT count(*) FROM case_ref WHERE value = :ref"), {"ref": ref}
        ).one() == (0,)
        assert db.execute(
            _sql(
                "SELECT count(*) FROM message WHERE case_id IS NULL AND category IS NULL"
                " AND error IS NULL AND id IN :ids",
                lists=("ids",),
            ),
            {"ids": [m for m, _ in messages]},
        ).one() == (len(messages),)
    assert _drafts_folder(home) == in_folder
    shown = chief(home, "summary", "--print", "--today", DEMO_DAY.isoformat())
    assert shown.returncode == 0, shown.stderr
    assert ref not in shown.stdout
    again_forget = chief(home, "forget", str(case_id), "--yes")
    assert again_forget.returncode == 0 and "already forgotten" in again_forget.stdout


def test_forget_asks_first_and_names_a_wrong_id(tmp_path: Path) -> None:
    home = _demo(tmp_path)
    refs = text("SELECT count(*) FROM case_ref WHERE case_id = :case")
    with case_log(home) as db:
        case_id, ref = _case_with_drafts_and_deadlines(db)
        before = db.execute(refs, {"case": case_id}).one()
    refused = chief(home, "forget", short_case_id(case_id).lower(), stdin="")
    assert refused.returncode == 1
    assert "without --yes" in refused.stderr
    missing = chief(home, "forget", "#99999", "--yes")
    assert missing.returncode == 1 and "no case #99999" in missing.stderr
    typo = chief(home, "forget", "ZZ", "--yes")
    assert typo.returncode == 1 and "not a case id" in typo.stderr
    with case_log(home) as db:  # nothing changed, not even an audit entry
        assert db.execute(refs, {"case": case_id}).one() == before
        assert db.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'case.forget'")
        ).one() == (0,)
        assert db.execute(
            text("SELECT status FROM case_ WHERE id = :case"), {"case": case_id}
        ).one() != ("forgotten",)


def test_message_days_reduces_old_messages_to_their_keys(tmp_path: Path) -> None:
    home = _demo(tmp_path, "message_days = 30")
    with case_log(home) as db:
        # Nothing is old yet: the first pass reduced nothing.
        assert db.execute(text("SELECT count(*) FROM message WHERE sender_hash = ''")).one() == (0,)
        quiet, active = (
            row[0]
            for row in db.execute(
                text(
                    "SELECT c.id FROM case_ c WHERE c.closed = false AND (SELECT count(*)"
                    " FROM message m WHERE m.case_id = c.id) >= 2 ORDER BY c.id LIMIT 2"
                )
            )
        )
        # Unfiled mail and two cases' mail logged long ago; only `quiet` has had no mail since.
        db.execute(
            _sql(
                "UPDATE message SET logged_at = :old"
                " WHERE case_id IS NULL OR case_id IN (:quiet, :active)",
                moments=("old",),
            ),
            {"old": OLD_UTC, "quiet": quiet, "active": active},
        )
        db.execute(
            _sql("UPDATE case_ SET updated_at = :old WHERE id = :case", moments=("old",)),
            {"old": OLD_LOCAL, "case": quiet},
        )
        before = {
            row[0]: tuple(row[1:])
            for row in db.execute(
                text(
                    "SELECT id, key, category, rule_id, case_id, received_at, sender_domain,"
                    " message_id, sender_hash FROM message"
                )
            )
        }
        aged = {
            m
            for (m,) in db.execute(
                text(
                    "SELECT id FROM message WHERE (case_id IS NULL OR case_id = :quiet)"
                    " AND error IS NULL"
                ),
                {"quiet": quiet},
            )
        }
    assert len(aged) > 20

    # the pass ends with retention
    result = run_prepared(home / "chief.toml", today=DEMO_DAY, progress=False)
    assert result["new"]["messages"] == 0
    with case_log(home) as db:
        after = {
            row[0]: tuple(row[1:])
            for row in db.execute(
                text(
                    "SELECT id, key, category, rule_id, case_id, received_at, sender_domain,"
                    " message_id, sender_hash, subject_hash, thread_root, reply_address"
                    " FROM message"
                )
            )
        }
        reduced = {m for m, row in after.items() if row[6:] == (None, "", "", None, None)}
        assert reduced == aged
        for m in after:  # the key and the filing stay; only what points at people goes
            assert after[m][:6] == before[m][:6]
            if m not in aged:
                assert after[m][6:8] == before[m][6:8]
        assert {after[m][3] for m in aged} >= {None, quiet}
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=DEMO_DAY)
    assert apply_retention(rt).messages_reduced == 0  # done once, never again
    assert run_prepared(home / "chief.toml", today=DEMO_DAY, progress=False)["new"]["messages"] == 0


def test_closed_case_days_forgets_closed_cases_but_keeps_cme_records(tmp_path: Path) -> None:
    home = _demo(tmp_path, "closed_case_days = 30")
    refs = text("SELECT count(*) FROM case_ref WHERE case_id = :case")
    with case_log(home) as db:
        old_closed, recent_closed = (
            row[0]
            for row in db.execute(
                text("SELECT id FROM case_ WHERE kind = 'referral' ORDER BY id LIMIT 2")
            )
        )
        cme = db.execute(
            text("SELECT id FROM case_ WHERE kind = 'cme' ORDER BY id LIMIT 1")
        ).scalar_one()
        db.execute(
            text("UPDATE case_ SET closed = true WHERE id IN (:old, :recent)"),
            {"old": old_closed, "recent": recent_closed},
        )
        db.execute(
            _sql("UPDATE case_ SET updated_at = :at WHERE id IN (:old, :cme)", moments=("at",)),
            {"at": OLD_LOCAL, "old": old_closed, "cme": cme},
        )
        cme_refs = db.execute(refs, {"case": cme}).one()
    assert cme_refs[0] > 0
    run_prepared(home / "chief.toml", today=DEMO_DAY, progress=False)
    with case_log(home) as db:
        status = dict(
            tuple(row)
            for row in db.execute(
                text("SELECT id, status FROM case_ WHERE id IN (:old, :recent, :cme)"),
                {"old": old_closed, "recent": recent_closed, "cme": cme},
            )
        )
        assert status[old_closed] == "forgotten"
        assert status[recent_closed] != "forgotten" and status[cme] != "forgotten"
        assert db.execute(refs, {"case": cme}).one() == cme_refs
        assert db.execute(refs, {"case": old_closed}).one() == (0,)
        assert db.execute(
            text("SELECT action, actor, case_id FROM audit_event WHERE action = 'case.forget'")
        ).fetchall() == [("case.forget", "retention", old_closed)]
    cpd = chief(home, "cpd", "--json", "--today", DEMO_DAY.isoformat())
    assert cpd.returncode == 0 and json.loads(cpd.stdout)["certificates"]
