"""Renewal checklists: when a renewal window opens, one draft to the practitioner per cycle."""

from __future__ import annotations

import email
import email.policy
import textwrap
from collections.abc import Callable
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clocks.files import load_clocks
from bot.config import load_config
from bot.features.renewal_checklist import (
    checklist_key,
    due_checklists,
    key_dates,
    plan_renewal_checklists,
    render_checklist,
    window_opens,
)
from bot.jobs.catalogue import sync
from bot.keys import draft_marker, marker_of
from bot.register.credentials import KINDS, Credential
from bot.register.register import load_practice_register
from bot.store.models import AuditEvent, Draft
from bot.sync.effects import apply_pending
from bot.sync.runtime import Runtime
from connectors.base import OutgoingDraft

ROOT = Path(__file__).resolve().parent.parent
CLOCKS = load_clocks([ROOT / "rules" / "clocks.yaml"])

REGISTER = """\
credentials:
  - id: ny-licence
    kind: state_licence
    name: New York State medical license
    issuer: NYSED Office of the Professions
    number: "298765"
    expires: 2027-01-31
  - id: hcpc
    kind: hcpc
    name: HCPC registration
    expires: 2027-10-31
    lead_days: [92, 30, 7]
  - id: dea
    kind: dea
    name: DEA registration
    expires: 2027-02-28
    lead_days: [90, 65, 30, 7]
cme:
  - id: licence-cme
    name: CME for the licence
    required: 50
    period_start: 2025-02-01
    period_end: 2027-01-31
    credential: ny-licence
"""


def cred(kind: str, expires: date, leads: tuple[int, ...] = (90, 30, 7)) -> Credential:
    return Credential(id=kind, kind=kind, name=f"The {kind}", expires=expires, lead_days=leads)


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    home = practice_dir()
    config = home / "chief.toml"
    config.write_text(
        config.read_text().replace(
            'timezone = "America/New_York"\n',
            'timezone = "America/New_York"\nregister = "register.yaml"\n',
        )
    )
    (home / "register.yaml").write_text(REGISTER)
    return home


def runtime(home: Path, today: date) -> Runtime:
    return Runtime.from_config(load_config(home / "chief.toml"), today=today)


def drafts(home: Path) -> list[EmailMessage]:
    folder = home / "Maildir" / ".Drafts" / "cur"
    if not folder.is_dir():
        return []
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(folder.iterdir())
    ]


def text_of(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr,no-any-return]


# ------------------------------------------------------------------ the window


def test_window_opens_at_the_longest_lead() -> None:
    licence = cred("state_licence", date(2027, 1, 31))
    assert window_opens(licence, CLOCKS) == date(2026, 11, 2)
    assert window_opens(cred("caqh", date(2026, 12, 15), (15, 10, 5)), CLOCKS) == date(2026, 11, 30)
    assert window_opens(cred("other", date(2027, 1, 31), ()), CLOCKS) == date(2026, 11, 2)


def test_hcpc_window_opens_on_1_august() -> None:
    """HCPC renews occupational therapists 1 August - 31 October of odd years, whatever the
    register's lead times; physiotherapists 1 February - 30 April of even years; a profession
    whose window is not known gets the register's lead time, never the OTs' window."""
    hcpc = cred("hcpc", date(2027, 10, 31), (92, 30, 7))
    assert window_opens(hcpc, CLOCKS, "occupational_therapy") == date(2027, 8, 1)
    physio = cred("hcpc", date(2028, 4, 30), (92, 30, 7))
    assert window_opens(physio, CLOCKS, "physiotherapy") == date(2028, 2, 1)
    assert window_opens(hcpc, CLOCKS, "podiatry") == date(2027, 7, 31)
    assert window_opens(hcpc, CLOCKS) == date(2027, 7, 31)


def test_due_only_while_the_window_is_open() -> None:
    licence = cred("state_licence", date(2027, 1, 31))
    assert due_checklists([licence], date(2026, 11, 1), CLOCKS) == []
    assert due_checklists([licence], date(2026, 11, 2), CLOCKS) == [(licence, date(2026, 11, 2))]
    assert due_checklists([licence], date(2027, 1, 31), CLOCKS) != []
    assert due_checklists([licence], date(2027, 2, 1), CLOCKS) == []  # expired: EXPIRED entry


def test_one_key_per_cycle() -> None:
    licence = cred("state_licence", date(2027, 1, 31))
    renewed = cred("state_licence", date(2029, 1, 31))
    assert checklist_key("p", licence) == checklist_key("p", licence)
    assert checklist_key("p", licence) != checklist_key("p", renewed)
    assert checklist_key("p", licence) != checklist_key("q", licence)


def test_key_dates_come_from_the_clocks() -> None:
    dea = key_dates(cred("dea", date(2027, 2, 28)), CLOCKS)
    assert [(d["clock"], d["date"], d["verify"]) for d in dea] == [
        ("credential.dea_notice", date(2026, 12, 25), True),
        ("credential.dea_renewal_opens", date(2026, 12, 30), True),
        ("credential.dea_renewal_keeps_valid", date(2027, 1, 14), True),
        ("credential.dea_reinstatement", date(2027, 3, 28), True),
    ]
    hcpc = key_dates(cred("hcpc", date(2027, 10, 31)), CLOCKS, "occupational_therapy")
    assert [(d["clock"], d["date"]) for d in hcpc] == [
        ("credential.hcpc_window_opens", date(2027, 8, 1))
    ]
    gmc = key_dates(cred("gmc", date(2027, 5, 31)), CLOCKS)
    assert [(d["label"], d["date"]) for d in gmc] == [
        ("GMC notice of the revalidation date due by", date(2027, 2, 28))
    ]
    assert key_dates(cred("caqh", date(2027, 1, 1)), CLOCKS) == []


# ------------------------------------------------------------------ the draft

FACTS_BY_KIND = {
    "caqh": ["120 days", "180 days for Illinois", '"Expired" the day after'],
    "hcpc": ["1 August to 31 October", "2.5%", "indemnity", "odd years"],
    "dea": ["about 65 days", "one calendar month", "no controlled substances", "1301.36(i)"],
    "gmc": ["about every 5 years", "annual appraisals", "at least 3 months ahead", "retention fee"],
    "state_licence": ["New York physicians 2, Education Law §6502", "VERIFY with the board"],
    "board_certification": ["10 years", "December 31"],  # a US practice
    "hospital_privileges": ["up to 3 allowed by The Joint Commission"],
    "indemnity": ["retroactive date"],
    "cme": ["credits still needed"],
    "other": ["what the issuer requires"],
}


@pytest.mark.parametrize("kind", KINDS)
def test_checklist_renders_for_every_kind(home: Path, kind: str) -> None:
    rt = runtime(home, date(2026, 11, 24))
    credential = Credential(
        id="x", kind=kind, name="The credential", expires=date(2027, 1, 31), number="A-1"
    )
    raw = render_checklist(rt, credential, date(2026, 11, 2), "key-1")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["From"] == msg["To"] == "Dr Test <dr@practice.example>"
    assert msg["In-Reply-To"] is None and marker_of(msg["Message-ID"]) == draft_marker("key-1")
    assert msg["X-Chief-Key"] is None and msg["X-Chief-Generated"] is None
    assert msg["Subject"] == "Renewal checklist: The credential (expires January 31, 2027)"
    body = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert body.startswith("DRAFT FOR REVIEW")
    assert "Number: A-1" in body and "entry `x`" in body
    for fact in FACTS_BY_KIND[kind]:
        assert fact in body, (kind, fact)


def test_checklist_lists_key_dates_and_linked_cme(home: Path) -> None:
    from bot.features.cpd import cpd_progress

    rt = runtime(home, date(2026, 11, 24))
    register = load_practice_register(home / "register.yaml")
    dea = next(c for c in register.credentials if c.id == "dea")
    body = text_of(render_checklist(rt, dea, date(2026, 11, 30), "k"))
    assert "DEA renewal notice expected about: December 25, 2026 (VERIFY)" in body
    assert "[clock credential.dea_notice:" in body
    licence = register.credentials[0]
    progress = cpd_progress(register.cme, [], rt.today())
    content = text_of(render_checklist(rt, licence, date(2026, 11, 2), "k", progress))
    assert "CME for the licence: 0 of 50 credits (50 still needed)" in content
    assert "by January 31, 2027: behind" in content


# ------------------------------------------------------------------ exactly once per cycle


def test_drafted_once_per_cycle_through_sync(home: Path) -> None:
    rt = runtime(home, date(2026, 11, 24))
    report = sync(rt)
    assert report.errors == []
    written = drafts(home)
    assert [m["Subject"] for m in written] == [
        "Renewal checklist: New York State medical license (expires January 31, 2027)"
    ]
    assert report.drafts_written == 1
    # Again, later in the window, and after the practitioner deleted the draft: nothing.
    assert sync(runtime(home, date(2026, 12, 1))).drafts_written == 1  # the DEA's window opened
    for path in (home / "Maildir" / ".Drafts" / "cur").iterdir():
        path.unlink()
    assert sync(runtime(home, date(2026, 12, 2))).drafts_written == 0
    assert drafts(home) == []
    # Renewed: the next cycle has its own checklist when its window opens.
    (home / "register.yaml").write_text(REGISTER.replace("2027-01-31", "2029-01-31", 1))
    assert sync(runtime(home, date(2028, 11, 2))).drafts_written == 1


def test_a_draft_written_before_a_crash_is_reconciled(home: Path) -> None:
    rt = runtime(home, date(2026, 11, 24))
    register = load_practice_register(home / "register.yaml")
    key = checklist_key("test-practice", register.credentials[0])
    assert plan_renewal_checklists(rt, register).planned == 1  # journalled
    with rt.sessions() as session:
        journalled = session.scalars(select(Draft).where(Draft.key == key)).one()
        assert journalled.message_id is None and journalled.raw
        raw = journalled.raw
    rt.mail().create_draft(OutgoingDraft(key=key, raw=raw))  # written, then the crash
    effects = apply_pending(rt)
    assert (effects.drafts_written, effects.drafts_found, effects.errors) == (0, 1, [])
    assert len(drafts(home)) == 1
    with rt.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.target == key)).all()
        state = session.scalars(select(Draft.state).where(Draft.key == key)).one()
    assert actions == ["draft.reconcile"] and state == "written"
    assert plan_renewal_checklists(rt, register).planned == 0  # the cycle is journalled
    assert apply_pending(rt).drafts_found == 0


def test_a_broken_template_is_reported_and_retried(home: Path) -> None:
    own = home / "templates" / "credentialing"
    own.mkdir(parents=True)
    (own / "renewal_checklist.j2").write_text("{{ no_such_value }}\n")
    config = home / "chief.toml"
    config.write_text(config.read_text() + textwrap.dedent('\n[templates]\ndirs = ["templates"]\n'))
    rt = runtime(home, date(2026, 11, 24))
    register = load_practice_register(home / "register.yaml")
    report = plan_renewal_checklists(rt, register)
    assert report.planned == 0 and len(report.errors) == 1
    assert "renewal checklist for `ny-licence`" in report.errors[0]
    assert "no_such_value" in report.errors[0]
    (own / "renewal_checklist.j2").unlink()
    fixed = runtime(home, date(2026, 11, 24))
    assert plan_renewal_checklists(fixed, register).planned == 1
    assert apply_pending(fixed).drafts_written == 1
