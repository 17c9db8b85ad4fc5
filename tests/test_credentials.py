"""The credentials register: loading, reminder planning, the daily summary's due items."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.errors import UserError
from bot.register.credentials import (
    Credential,
    due_items,
    plan_reminders,
)
from bot.register.register import load_register
from connectors.ical.ics import IcsCalendar

ROOT = Path(__file__).resolve().parent.parent

REGISTER = """\
credentials:
  - id: ny-licence          # stable id
    kind: state_licence
    name: New York State medical license
    issuer: NYSED Office of the Professions
    number: "298765"
    expires: 2027-03-31
    lead_days: [90, 30, 7]
    renewal_url: https://www.op.nysed.gov/renewals
  - id: dea
    kind: dea
    name: DEA registration
    expires: 2027-02-28
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "register.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def cred(expires: date, leads: tuple[int, ...] = (90, 30, 7), cid: str = "lic") -> Credential:
    return Credential(
        id=cid, kind="state_licence", name="State licence", expires=expires, lead_days=leads
    )


# ------------------------------------------------------------------ loading


def test_load_register(tmp_path: Path) -> None:
    path = write(tmp_path, REGISTER)
    creds = load_register(path)
    assert [c.id for c in creds] == ["ny-licence", "dea"]
    ny, dea = creds
    assert ny.kind == "state_licence"
    assert ny.number == "298765"
    assert ny.expires == date(2027, 3, 31)
    assert ny.lead_days == (90, 30, 7)
    assert ny.renewal_url == "https://www.op.nysed.gov/renewals"
    assert ny.origin == f"{path}:2"
    assert dea.lead_days == (90, 30, 7)  # the default
    assert dea.issuer == "" and dea.number is None


def test_default_lead_days_from_config(tmp_path: Path) -> None:
    creds = load_register(write(tmp_path, REGISTER), default_lead_days=(60, 14))
    assert creds[0].lead_days == (90, 30, 7)
    assert creds[1].lead_days == (60, 14)


@pytest.mark.parametrize("folder", sorted((ROOT / "examples" / "practices").glob("*")))
def test_example_registers_load(folder: Path) -> None:
    register = folder / "register.yaml"
    if not register.is_file():
        pytest.skip(f"{folder.name} has no register.yaml")
    assert load_register(register)


def test_empty_register(tmp_path: Path) -> None:
    assert load_register(write(tmp_path, "# none yet\n")) == []
    assert load_register(write(tmp_path, "credentials: []\n")) == []


def test_missing_register(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        load_register(tmp_path / "nope.yaml")


def test_problems_with_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        credentials:
          - id: a
            kind: licence
            name: Something
            expires: 2027-01-01
          - id: b
            kind: dea
            name: DEA
            number: 12345
            expires: 2027-01-01
          - id: c
            kind: dea
            name: DEA
            expires: soon
          - id: d
            kind: cme
            name: CME
            expires: 2027-01-01
            colour: red
          - id: a
            kind: cme
            name: CME
            expires: 2027-01-01
          - id: Bad Id
            kind: cme
            name: CME
            expires: 2027-01-01
          - id: e
            kind: gmc
            name: GMC
          - id: f
            kind: hcpc
            name: HCPC
            expires: 2027-10-31
            lead_days: [30, -1]
            renewal_url: ftp://example
        """,
    )
    with pytest.raises(UserError) as caught:
        load_register(path)
    text = "\n".join(caught.value.problems)
    assert f"{path}:3: credential `a`: `kind` must be one of" in text
    assert f"{path}:9: credential `b`: `number` must be quoted text" in text
    assert f"{path}:14: credential `c`: `expires`: must be a date written YYYY-MM-DD" in text
    assert f"{path}:19: credential `d`: unknown key `colour`" in text
    assert f"{path}:20: duplicate credential id `a` (first at line 2)" in text
    assert f"{path}:24: credential `Bad Id`: `id` must be lower-case" in text
    assert f"{path}:28: credential `e`: missing required key `expires`" in text
    assert f"{path}:35: credential `f`: `lead_days`" in text
    assert f"{path}:36: credential `f`: `renewal_url`: must be an http(s) address" in text


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "credentials:\n  - id: a\n    name: [oops\n")
    with pytest.raises(UserError) as caught:
        load_register(path)
    assert caught.value.problems[0].startswith(f"{path}:")


# ------------------------------------------------------------------ planning


def test_plan_for_a_future_credential() -> None:
    credential = cred(date(2027, 3, 31))
    entries = plan_reminders([credential], today=date(2026, 1, 1))
    by_key = {e.key: e for e in entries}
    assert set(by_key) == {
        "credential-lic-expires",
        "credential-lic-lead-90",
        "credential-lic-lead-30",
        "credential-lic-lead-7",
    }
    expiry = by_key["credential-lic-expires"]
    assert expiry.summary == "Expires: State licence"
    assert (expiry.start, expiry.end) == (date(2027, 3, 31), date(2027, 4, 1))
    lead = by_key["credential-lic-lead-30"]
    # Titles carry no ISO date: the summary shows them as they are (the date is the entry's,
    # and in its description).
    assert lead.summary == "Renew State licence: expires in 30 days"
    assert "Expires: 2027-03-31" in lead.description
    assert (lead.start, lead.end) == (date(2027, 3, 1), date(2027, 3, 2))
    assert by_key["credential-lic-lead-90"].start == date(2026, 12, 31)
    for entry in entries:
        assert entry.alarms == (0,)
        assert not isinstance(entry.start, datetime)
        assert "credential" in entry.categories
        assert entry.extra["credential_id"] == "lic"


def test_replanning_is_stable() -> None:
    credential = cred(date(2027, 3, 31))
    assert plan_reminders([credential], date(2026, 1, 1)) == plan_reminders(
        [credential], date(2026, 1, 1)
    )


def test_past_leads_are_not_planned_but_expiry_stays() -> None:
    credential = cred(date(2027, 3, 31))
    entries = plan_reminders([credential], today=date(2027, 3, 20))
    assert [e.key for e in entries] == ["credential-lic-expires", "credential-lic-lead-7"]


def test_lead_on_today_is_planned() -> None:
    entries = plan_reminders([cred(date(2027, 3, 31))], today=date(2027, 3, 24))
    assert "credential-lic-lead-7" in [e.key for e in entries]


def test_expired_credential_gets_an_entry_today() -> None:
    today = date(2027, 4, 10)
    entries = plan_reminders([cred(date(2027, 3, 31))], today=today)
    assert [e.key for e in entries] == ["credential-lic-expires", "credential-lic-expired"]
    expired = entries[1]
    assert expired.summary.startswith("EXPIRED: State licence")
    assert (expired.start, expired.end) == (today, today + timedelta(days=1))


def test_keys_do_not_depend_on_the_expiry_date() -> None:
    before = plan_reminders([cred(date(2027, 3, 31))], date(2026, 1, 1))
    renewed = plan_reminders([cred(date(2030, 3, 31))], date(2026, 1, 1))
    assert [e.key for e in before] == [e.key for e in renewed]
    assert before[0].start != renewed[0].start


def test_custom_alarms_and_description() -> None:
    credential = Credential(
        id="gmc",
        kind="gmc",
        name="GMC licence to practise",
        expires=date(2027, 5, 1),
        issuer="GMC",
        number="7654321",
        renewal_url="https://www.gmc-uk.org",
    )
    entry = plan_reminders([credential], date(2027, 1, 1), alarm_minutes=(180,))[0]
    assert entry.alarms == (180,)
    assert "Number: 7654321" in entry.description
    assert "https://www.gmc-uk.org" in entry.description


# ------------------------------------------------------------------ due items


def test_due_items() -> None:
    today = date(2027, 1, 1)
    creds = [
        cred(date(2026, 12, 1), cid="gone"),
        cred(date(2027, 1, 10), cid="soon"),
        cred(date(2027, 3, 15), cid="window"),  # 73 days: inside the 90-day lead
        cred(date(2028, 1, 1), cid="later"),
        cred(date(2027, 1, 20), leads=(7,), cid="short"),
    ]
    items = due_items(creds, today, within_days=14)
    assert [(i.credential.id, i.status, i.days_left) for i in items] == [
        ("gone", "expired", -31),
        ("soon", "due", 9),
        ("window", "due", 73),
    ]
    assert items[0].expires == date(2026, 12, 1)
    wider = due_items(creds, today, within_days=30)
    assert [i.credential.id for i in wider] == ["gone", "soon", "short", "window"]


# ------------------------------------------------------------------ into the calendar


def test_reminders_written_exactly_once(tmp_path: Path) -> None:
    creds = load_register(write(tmp_path, REGISTER))
    calendar = IcsCalendar(tmp_path / "calendar.ics", tz="America/New_York")
    entries = plan_reminders(creds, date(2026, 6, 1))
    calendar.upsert_events(entries)
    first = (tmp_path / "calendar.ics").read_bytes()
    calendar.upsert_events(plan_reminders(creds, date(2026, 6, 1)))
    assert (tmp_path / "calendar.ics").read_bytes() == first
    assert first.count(b"BEGIN:VEVENT") == len(entries) == 8
    found = list(calendar.events(datetime(2026, 1, 1), datetime(2028, 1, 1)))
    assert sorted(e.key for e in found) == sorted(e.key for e in entries)


# ------------------------------------------------------------------ the rest of the register

FULL = """\
credentials:
  - id: hcpc
    kind: hcpc
    name: HCPC registration
    expires: 2027-10-31
cme:
  - id: hcpc-cpd
    name: CPD towards the HCPC renewal
    required: 30
    unit: CPD hours
    period_start: 2025-11-01
    period_end: 2027-10-31
    credential: hcpc
protocols:
  - id: lone-working
    name: Lone working policy
    last_reviewed: 2025-12-01
    review_every_days: 365
    note: Home visits
"""


def test_register_sections(tmp_path: Path) -> None:
    from bot.register.register import load_practice_register

    path = write(tmp_path, FULL)
    register = load_practice_register(path)
    assert [c.id for c in register.credentials] == ["hcpc"]
    (cpd,) = register.cme
    assert (cpd.id, cpd.required, cpd.unit, cpd.credential) == (
        "hcpc-cpd",
        30.0,
        "CPD hours",
        "hcpc",
    )
    assert (cpd.period_start, cpd.period_end) == (date(2025, 11, 1), date(2027, 10, 31))
    (protocol,) = register.protocols
    assert protocol.next_review == date(2026, 12, 1)
    assert protocol.note == "Home visits" and protocol.origin == f"{path}:15"
    assert [c.id for c in load_register(path)] == ["hcpc"]  # the credentials view


def test_register_with_one_cme_mapping_and_no_credentials(tmp_path: Path) -> None:
    from bot.register.register import load_practice_register

    path = write(
        tmp_path,
        "cme: {required: 12.5, period_start: 2026-01-01, period_end: 2026-12-31}\n",
    )
    register = load_practice_register(path)
    assert register.credentials == [] and register.protocols == []
    (cme,) = register.cme
    assert (cme.id, cme.name, cme.required, cme.unit) == ("cme", "CME requirement", 12.5, "credits")


def test_register_section_problems_with_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        credentials:
          - id: lic
            kind: state_licence
            name: Licence
            expires: 2027-01-01
        cme:
          - id: a
            name: CME
            required: "fifty"
            period_start: 2026-01-01
            period_end: 2026-12-31
          - id: b
            name: CME
            required: 10
            period_start: 2026-12-31
            period_end: 2026-01-01
          - id: c
            name: CME
            required: 10
            period_start: 2026-01-01
            period_end: 2026-12-31
            credential: nope
        protocols:
          - id: p
            name: Protocol
            last_reviewed: 2026-01-01
            review_every_days: 0
          - id: q
            name: Protocol
            review_every_days: 30
            owner: me
        extra: true
        """,
    )
    with pytest.raises(UserError) as caught:
        load_register(path)
    text = "\n".join(caught.value.problems)
    assert f"{path}:9: CME requirement `a`: `required`: must be a number" in text
    assert f"{path}:16: CME requirement `b`: `period_end` is before `period_start`" in text
    assert f"{path}:17: CME requirement `c`: `credential` names no credential" in text
    assert f"{path}:27: protocol `p`: `review_every_days`" in text
    assert f"{path}:28: protocol `q`: missing required key `last_reviewed`" in text
    assert f"{path}:31: protocol `q`: unknown key `owner`" in text
    assert f"{path}:32: unknown top-level key `extra`; known: credentials, cme, protocols" in text
    assert len(caught.value.problems) == 7


@pytest.mark.parametrize("folder", sorted((ROOT / "examples" / "practices").glob("*")))
def test_example_registers_have_cme_and_protocols(folder: Path) -> None:
    from bot.register.register import load_practice_register

    register = load_practice_register(folder / "register.yaml")
    assert register.cme and register.protocols


# ------------------------------------------------------------------ protocol reminders


def test_protocol_reminders() -> None:
    from bot.register.protocols import plan_protocol_reminders
    from bot.register.register import Protocol

    protocol = Protocol("eap", "Emergency action plan", date(2025, 11, 10), 365)
    upcoming = plan_protocol_reminders([protocol], date(2026, 11, 1), alarm_minutes=(4320,))
    assert [(e.key, e.start, e.end) for e in upcoming] == [
        ("protocol-eap-review", date(2026, 11, 10), date(2026, 11, 11))
    ]
    assert upcoming[0].summary == "Review protocol: Emergency action plan"
    assert upcoming[0].alarms == (4320,) and upcoming[0].categories == ("protocol",)
    assert "Last reviewed: 2025-11-10" in upcoming[0].description
    late = plan_protocol_reminders([protocol], date(2026, 11, 24))
    assert [(e.key, e.start) for e in late] == [
        ("protocol-eap-review", date(2026, 11, 10)),
        ("protocol-eap-overdue", date(2026, 11, 24)),
    ]
    assert late[1].summary == "OVERDUE: review protocol Emergency action plan"
    assert "2026-11-10" in late[1].description
    reviewed = Protocol("eap", "Emergency action plan", date(2026, 11, 20), 365)
    moved = plan_protocol_reminders([reviewed], date(2026, 11, 24))
    assert [(e.key, e.start) for e in moved] == [("protocol-eap-review", date(2027, 11, 20))]


def test_protocol_reminders_written_once_per_due_date(tmp_path: Path) -> None:
    from bot.register.protocols import plan_protocol_reminders
    from bot.register.register import Protocol

    calendar = IcsCalendar(tmp_path / "calendar.ics", tz="Europe/London")
    protocol = Protocol("eap", "Emergency action plan", date(2025, 11, 10), 365)
    for _ in range(2):
        calendar.upsert_events(plan_protocol_reminders([protocol], date(2026, 1, 5)))
    first = (tmp_path / "calendar.ics").read_bytes()
    assert first.count(b"BEGIN:VEVENT") == 1
    reviewed = Protocol("eap", "Emergency action plan", date(2026, 11, 2), 365)
    calendar.upsert_events(plan_protocol_reminders([reviewed], date(2026, 11, 3)))
    moved = (tmp_path / "calendar.ics").read_bytes()
    assert moved.count(b"BEGIN:VEVENT") == 1 and b"20271102" in moved
