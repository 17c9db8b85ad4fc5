"""One draft per decision (issue 18, item 3), over a real Maildir and SQLite case log.

No draft for a matter already decided (the appeal decided, the claim paid, the authorisation
approved: by the case's status or by a later message of the same run or case); one draft per
case and purpose while it is open (the same ask repeated is answered once).
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.store.models import Draft
from bot.sync.runtime import Runtime
from tests.conftest import deliver

PARTIES = """\
kind: payer
parties:
  - name: Example Plan
    domains: [plan.example]
"""
RULES = """\
pack: test
extract:
  pa_ref: 'auth\\s*#\\s*:?\\s*([A-Z0-9-]{6,20})'
rules:
  - id: test.pa.pended
    category: payer
    case_kind: prior_auth
    event: pended
    priority: 500
    match: {from_party: payer, text_any: ['pended']}
    actions:
      - case: {key: pa_ref, status: pended, open: true}
      - draft: {template: payer/prior_auth_chase.j2}
  - id: test.pa.denied
    category: payer
    case_kind: prior_auth
    event: denied
    priority: 500
    match: {from_party: payer, text_any: ['denied']}
    actions:
      - case: {key: pa_ref, status: denied, open: true}
      - draft: {template: payer/appeal_request.j2}
  - id: test.pa.appeal_upheld
    category: payer
    case_kind: prior_auth
    event: appeal_upheld
    priority: 600
    match: {from_party: payer, text_any: ['appeal upheld']}
    actions:
      - case: {key: pa_ref, status: appeal_denied}
  - id: test.pa.approved
    category: payer
    case_kind: prior_auth
    event: approved
    priority: 500
    match: {from_party: payer, text_any: ['approved']}
    actions:
      - case: {key: pa_ref, status: approved, open: true}
"""
SENDER = "Plan PA Desk <pa@plan.example>"


def notice(mid: str, day: int, body: str) -> bytes:
    return (
        f"From: {SENDER}\nTo: dr@practice.example\nSubject: Prior authorization\n"
        f"Message-ID: <{mid}@plan.example>\nDate: {day:02d} Oct 2026 10:00:00 +0000\n\n{body}\n"
    ).encode()


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    return practice_dir({"test.yaml": RULES, "parties/payer.yaml": PARTIES})


def run(home: Path) -> Runtime:
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    sync(rt)
    return rt


def states(rt: Runtime) -> dict[str, list[str]]:
    """template → the states of its drafts, in the order planned."""
    with Session(rt.engine) as s:
        rows = s.execute(select(Draft.template, Draft.state).order_by(Draft.id)).all()
    out: dict[str, list[str]] = {}
    for template, state in rows:
        out.setdefault(template, []).append(state)
    return out


def in_drafts(home: Path) -> list[str]:
    folder = home / "Maildir" / ".Drafts" / "cur"
    if not folder.is_dir():
        return []
    return [
        str(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["In-Reply-To"])
        for p in folder.iterdir()
    ]


def test_no_appeal_for_a_denial_whose_appeal_was_decided_in_the_same_run(home: Path) -> None:
    deliver(home, "1", notice("d1", 1, "Auth #: PA-300001 denied."))
    deliver(home, "2", notice("d2", 20, "Auth #: PA-300001: appeal upheld."))
    rt = run(home)
    assert states(rt) == {"payer/appeal_request.j2": ["moot"]}
    assert in_drafts(home) == []


def test_no_chase_once_approved_even_when_the_approval_is_read_first(home: Path) -> None:
    """Mail read out of order: the approval (newer) is filed before the pended notice."""
    deliver(home, "1", notice("a1", 10, "Auth #: PA-300002 approved."))
    run(home)
    deliver(home, "2", notice("p1", 2, "Auth #: PA-300002 pended."))
    rt = run(home)
    assert "payer/prior_auth_chase.j2" not in states(rt)
    assert in_drafts(home) == []


def test_a_draft_already_written_is_never_touched(home: Path) -> None:
    deliver(home, "1", notice("p2", 2, "Auth #: PA-300003 pended."))
    run(home)
    assert in_drafts(home) == ["<p2@plan.example>"]
    deliver(home, "2", notice("a2", 9, "Auth #: PA-300003 approved."))
    rt = run(home)
    assert states(rt) == {"payer/prior_auth_chase.j2": ["written"]}
    assert in_drafts(home) == ["<p2@plan.example>"]  # hers now: left in Drafts


def test_the_same_ask_twice_is_answered_once(home: Path) -> None:
    deliver(home, "1", notice("p3", 2, "Auth #: PA-300004 pended."))
    deliver(home, "2", notice("p4", 5, "Auth #: PA-300004 pended: still waiting."))
    rt = run(home)
    # The first ask's chase stands (as if written when it came); the second plans none.
    assert states(rt) == {"payer/prior_auth_chase.j2": ["written"]}
    assert in_drafts(home) == ["<p3@plan.example>"]
    deliver(home, "3", notice("p5", 8, "Auth #: PA-300004 pended again."))
    rt = run(home)
    assert states(rt) == {"payer/prior_auth_chase.j2": ["written"]}  # still one in Drafts
    assert in_drafts(home) == ["<p3@plan.example>"]


def test_an_earlier_ask_read_late_replaces_the_later_asks_unwritten_draft(home: Path) -> None:
    """Read in either order, the same ask gives the same draft: the first ask's."""
    deliver(home, "1", notice("p9", 6, "Auth #: PA-300007 pended again."))
    deliver(home, "2", notice("p8", 2, "Auth #: PA-300007 pended."))
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    sync(rt)
    found = states(rt)["payer/prior_auth_chase.j2"]
    assert sorted(found) == ["moot", "written"] or found == ["written"]
    assert in_drafts(home) == ["<p8@plan.example>"]


def test_another_case_or_another_step_keeps_its_own_draft(home: Path) -> None:
    deliver(home, "1", notice("p6", 2, "Auth #: PA-300005 pended."))
    deliver(home, "2", notice("p7", 3, "Auth #: PA-300006 pended."))
    deliver(home, "3", notice("d3", 6, "Auth #: PA-300006 denied."))
    rt = run(home)
    found = states(rt)
    # PA-300005's chase stands; PA-300006's chase is moot (denied since), its appeal stands.
    assert found["payer/prior_auth_chase.j2"] == ["written", "moot"]
    assert found["payer/appeal_request.j2"] == ["written"]
    assert sorted(in_drafts(home)) == ["<d3@plan.example>", "<p6@plan.example>"]
