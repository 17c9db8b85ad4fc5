"""chief's own markers are trusted only when chief's record says so (issue 22, items 1 and 2).

Over a real Maildir and SQLite case log: a message is never skipped for an ``X-Chief-*`` header
it carries; chief's own summary read back from INBOX is not filed; a third party carrying the
summary's key (or any key) is filed as ordinary mail and cannot suppress the real summary.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.keys import keyed_key, stable_key
from bot.mail.mime import parse_message
from bot.store.models import AuditEvent, Draft, MessageRow
from bot.summary.delivery import deliver_summary
from bot.sync.own_mail import summary_key
from bot.sync.pipeline import message_key
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_message
from tests.test_pipeline import PARTIES, RULES, SENDER

DAY = date(2026, 11, 2)  # the day make_message's messages are dated
PRACTITIONER = "Dr Test <dr@practice.example>"


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    return practice_dir({"test.yaml": RULES, "parties/payer.yaml": PARTIES})


def runtime(home: Path) -> Runtime:
    return Runtime.from_config(load_config(home / "chief.toml"), today=DAY)


def logged(rt: Runtime) -> set[str]:
    with Session(rt.engine) as s:
        return set(s.scalars(select(MessageRow.provider_id)))


def inbox(home: Path) -> list[email.message.Message]:
    files = [*(home / "Maildir" / "new").iterdir(), *(home / "Maildir" / "cur").iterdir()]
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.compat32) for f in files]


def test_keyed_keys_need_the_secret() -> None:
    secret, other = b"s" * 32, b"t" * 32
    key = keyed_key(secret, "slug", "summary", "2026-11-02")
    assert key == keyed_key(secret, "slug", "summary", "2026-11-02")
    assert key != keyed_key(other, "slug", "summary", "2026-11-02")
    assert key != stable_key("slug", "summary", "2026-11-02")
    assert len(key) == 32 and int(key, 16) >= 0
    with pytest.raises(ValueError):
        keyed_key(b"short", "x")


def test_the_summary_key_is_the_practices_own(
    home: Path, practice_dir: Callable[..., Path], tmp_path: Path
) -> None:
    rt = runtime(home)
    key = summary_key(rt, DAY)
    assert key == summary_key(runtime(home), DAY)  # stable across runs: the same secret
    assert key != stable_key("test-practice", "summary", DAY.isoformat())
    (home / "data" / "pseudonym.key").write_text("ab" * 32)
    other = Runtime.from_config(load_config(home / "chief.toml"), today=DAY, new_pseudonym_key=True)
    assert summary_key(other, DAY) != key  # another secret, another key


def test_a_chief_header_never_hides_a_message(home: Path) -> None:
    """Anyone can write X-Chief-Generated / X-Chief-Key: each such message is filed."""
    deliver(
        home,
        "marked",
        make_message(
            "m1@plan",
            "PA pended",
            "Member: Alex Example DOB: 01/02/1990\nAuth #: PA-200001 pended",
            SENDER,
            "X-Chief-Generated: draft",
        ),
    )
    deliver(
        home,
        "claims-summary",
        make_message(
            "m2@else",
            "Practice summary",
            "Click here",
            PRACTITIONER,  # a forged From: the practitioner's own address
            f"X-Chief-Generated: summary\nX-Chief-Key: {'0' * 32}\nAuto-Submitted: auto-generated",
        ),
    )
    rt = runtime(home)
    report = sync(rt)
    assert logged(rt) == {"marked", "claims-summary"}
    assert report.messages == 2 and report.own_summaries == 0
    assert report.cases_opened == 1  # the marked payer message opened its case


def test_a_sent_draft_coming_back_is_ordinary_mail(home: Path) -> None:
    deliver(
        home,
        "1",
        make_message(
            "p1@plan",
            "PA pended",
            "Member: Alex Example DOB: 01/02/1990\nAuth #: PA-300001 pended",
            SENDER,
        ),
    )
    rt = runtime(home)
    sync(rt)
    with Session(rt.engine) as s:
        draft = s.scalars(select(Draft)).one()
        assert draft.state == "written"
        key = draft.key
    # The practitioner sent the draft; the payer replies keeping its headers.
    deliver(
        home,
        "reply",
        make_message(
            "p2@plan",
            "Re: PA pended",
            "Authorization # PA-300001 approved",
            SENDER,
            f"X-Chief-Key: {key}\nX-Chief-Generated: draft\nIn-Reply-To: <p1@plan>",
        ),
    )
    report = sync(runtime(home))
    assert "reply" in logged(rt)
    assert report.messages == 1 and report.own_summaries == 0
    assert report.filed["thread"] == 1


def test_chiefs_own_summary_is_not_filed(home: Path) -> None:
    rt = runtime(home)
    deliver_summary(rt)
    (summary,) = inbox(home)
    assert summary["X-Chief-Key"] == summary_key(rt, DAY)
    report = sync(runtime(home))
    assert report.own_summaries == 1 and report.messages == 0
    assert logged(rt) == set()


def test_an_outsider_cannot_suppress_the_summary(home: Path) -> None:
    """The attacker's message carries every key an outsider could compute, from a forged
    practitioner address: the real summary is still delivered, and theirs is filed."""
    rt = runtime(home)
    unkeyed = stable_key("test-practice", "summary", DAY.isoformat())
    guesses = [
        unkeyed,
        f"summary-{DAY.isoformat()}",
        f"summary-{DAY.isoformat()}-{unkeyed}",
    ]
    for n, guess in enumerate(guesses):
        deliver(
            home,
            f"attacker-{n}",
            make_message(
                f"a{n}@evil.example",
                "Practice summary",
                "Nothing to do today.",
                PRACTITIONER,
                f"X-Chief-Key: {guess}\nX-Chief-Generated: summary",
            ),
        )
    copy = deliver_summary(rt)
    messages = inbox(home)
    real = [m for m in messages if m["X-Chief-Key"] == summary_key(rt, DAY)]
    assert len(real) == 1 and len(messages) == len(guesses) + 1
    ours = email.message_from_bytes(copy.read_bytes(), policy=email.policy.compat32)
    assert real[0]["Message-ID"] == ours["Message-ID"] and "Practice summary" in ours["Subject"]
    with Session(rt.engine) as s:
        (remote,) = s.scalars(
            select(AuditEvent.remote_id).where(AuditEvent.action == "summary.deliver")
        )
    assert remote is not None and "attacker" not in remote
    report = sync(runtime(home))
    assert report.own_summaries == 1
    assert logged(rt) == {"attacker-0", "attacker-1", "attacker-2"}


def test_a_copy_keeps_the_key_it_was_delivered_under(home: Path) -> None:
    """A copy written before a crash carries its key; a rerun looks for that key, and so
    delivers nothing twice even when today's key would now be made differently."""
    rt = runtime(home)
    copy = deliver_summary(rt)
    old = "legacy-summary-key-2026-11-02"
    delivered = [*(home / "Maildir" / "new").iterdir(), *(home / "Maildir" / "cur").iterdir()]
    for path in (copy, *delivered):
        path.write_bytes(path.read_bytes().replace(summary_key(rt, DAY).encode(), old.encode()))
    with Session(rt.engine) as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.action == "summary.deliver")).one()
        row.target = old
        s.commit()
    deliver_summary(runtime(home))
    assert len(inbox(home)) == 1


def test_a_summary_delivered_before_a_crash_is_known_by_its_key(home: Path) -> None:
    """Killed between the delivery and its audit row: the key proves itself (only this
    practice can make it), so the summary is still not filed."""
    rt = runtime(home)
    deliver_summary(rt)
    with Session(rt.engine) as s:
        s.execute(delete(AuditEvent).where(AuditEvent.action == "summary.deliver"))
        s.commit()
    report = sync(runtime(home))
    assert report.own_summaries == 1 and logged(rt) == set()


def test_another_practices_summary_is_mail(home: Path, tmp_path: Path) -> None:
    """A summary key made with another secret (another practice, or a guess) is not ours."""
    rt = runtime(home)
    theirs = keyed_key(b"x" * 32, "test-practice", "summary", DAY.isoformat())
    deliver(
        home,
        "other",
        make_message(
            "o1@else",
            "Practice summary",
            "Hello",
            PRACTITIONER,
            f"X-Chief-Key: summary-{DAY.isoformat()}-{theirs}\nX-Chief-Generated: summary",
        ),
    )
    report = sync(rt)
    assert report.own_summaries == 0 and logged(rt) == {"other"}


def test_an_outsider_cannot_suppress_a_draft(home: Path) -> None:
    """The sender of a message knows its Message-ID and address, from which an unkeyed draft
    key follows; their second message carrying it must not pass for the draft."""
    raw = make_message(
        "p9@plan",
        "PA pended",
        "Member: Alex Example DOB: 01/02/1990\nAuth #: PA-900001 pended",
        SENDER,
    )
    predicted = stable_key(
        message_key("test-practice/maildir", parse_message(raw, "x"), "x"),
        "draft",
        "payer/prior_auth_chase.j2",
    )
    deliver(
        home,
        "decoy",
        make_message("d9@plan", "fyi", "nothing", SENDER, f"X-Chief-Key: {predicted}"),
    )
    deliver(home, "pended", raw)
    rt = runtime(home)
    sync(rt)
    with Session(rt.engine) as s:
        draft = s.scalars(select(Draft)).one()
    assert draft.state == "written" and draft.key != predicted
    assert draft.remote_id is not None and "decoy" not in draft.remote_id
    drafts = list((home / "Maildir" / ".Drafts" / "cur").iterdir())
    assert len(drafts) == 1 and b"DRAFT FOR REVIEW" in drafts[0].read_bytes()
