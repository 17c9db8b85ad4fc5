"""The audit's reproduced deadlines, to the day, in ``chief classify --json`` and in the
calendar a sync writes: appeal windows by payer type, windows the notice states, peer-to-peer
windows, "beginning with" periods, "before" dates off bank holidays, US records requests, and
forwarded notices counted from the original's date.

Each expected date is counted by hand from the regulation (see tests/test_clock_examples.py
for the clocks on their own); the notices are the demo's samples and three made-up notices in
tests/notices/ of the shapes the audit reproduced.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import json
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.store.models import Case, Deadline, Draft
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_message
from tests.samples import sample

NOTICES = Path(__file__).resolve().parent / "notices"

# file -> the date by which the practitioner must act, and why
EXPECTED: dict[str, str | None] = {
    # a commercial plan's final internal decision upheld on Mon 5 Oct 2026: external review
    # within four months of receipt (45 CFR 147.136(d)(2)(i)): Fri 5 Feb 2027
    "aetna-commercial-appeal-upheld.eml": "2027-02-05",
    # a Medicaid plan's notice of appeal resolution of Tue 10 Nov 2026: a State fair hearing
    # within 120 calendar days (42 CFR 438.408(f)(2)): Wed 10 Mar 2027
    "molina-medicaid-appeal-upheld.eml": "2027-03-10",
    # a Medicare Advantage plan that upholds its denial forwards the case to the independent
    # review entity itself (42 CFR 422.592(a)): nothing for the practice to meet
    "humana-ma-appeal-upheld.eml": None,
    # 42 CFR 422.582(b): 65 days from the notice of 2 Nov 2026 (not ERISA's 1 May 2027)
    "humana-ma-pa-denied.eml": "2027-01-06",
    # 42 CFR 438.402(c)(2)(ii): 60 days from the notice of 2 Nov 2026
    "molina-medicaid-denied.eml": "2027-01-01",
    # 42 CFR 405.942(a): received 30 Sep (5 days after 25 Sep) + 120, with no "denied" in it
    "noridian-remit-co50.eml": "2027-01-28",
    # an MA claim denial is Part 422, not Part 405: 65 days from 25 Sep 2026 (422.582(b))
    "humana-ma-claim-denied.eml": "2026-11-29",
    # peer-to-peer "within 14 calendar days of this notice" of 15 Sep 2026
    "0020-uhc-pa-denied": "2026-09-29",
    # peer-to-peer "within 14 days of this determination" of 18 Sep 2026
    "0024-evicore-mri-denied": "2026-10-02",
    # 42 CFR 405.942(a): 25 Sep 2026 + 5 + 120
    "0030-noridian-claim-co50": "2027-01-28",
    # 45 CFR 164.524(b)(2)(i): 30 days from 14 Oct 2026, and the letter's own 30 days
    "0049-bc-records-request-us": "2026-11-13",
    # reg 13(1)(a): 15 days beginning with service on 16 Nov; the letter's 1 Dec is later
    "0054-hants-draft-plan": "2026-11-30",
    # reg 20(4): circulation by 1 Jan 2027; the contributor 3 weeks before the 15 Jan meeting,
    # Christmas Day, so the working day before
    "0058-kent-annual-review": "2026-12-24",
    # UK insurer: no appeal clock; a corrected invoice within 10 English working days
    "0062-axa-invoice-rejected": "2026-12-04",
    # forwarded on 9 Oct: counted from the original's 8 Oct, received 13 Oct + 120
    "0043-fwd-noridian-remit": "2027-02-10",
    # "a repeat injection within 3 months" asks nothing: the appeal's 180 days from 19 Oct
    "0053-anthem-pa-denied": "2027-04-17",
    # "if the information is not received within 2 business days": Mon 14 Sep + 2 US
    # business days
    "0017-evicore-mri-pended": "2026-09-16",
    # a chaser quoting the earlier letter below is no forward: 2 English working days from
    # Mon 2 Nov, earlier than its "within the next 7 days"
    "0039-mtl-records-chaser": "2026-11-04",
    # "Submit within 3 business days" of Thu 19 Nov: Tue 24 Nov (the payer's own "decided
    # within 2 business days" binds no one)
    "0083-carelon-pa-pended": "2026-11-24",
}


def _paths() -> list[Path]:
    out = []
    for name in EXPECTED:
        path = NOTICES / name
        out.append(path if path.exists() else sample(name))
    return out


def test_classify_gives_each_reproduced_deadline(chief_exe: str) -> None:
    done = subprocess.run(
        [chief_exe, "classify", "--json", *map(str, _paths())],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    got = {Path(line["path"]).name: line for line in map(json.loads, done.stdout.splitlines())}
    assert {name: got[name]["deadline"] for name in EXPECTED} == EXPECTED
    assert got["0062-axa-invoice-rejected"]["rule"] == "payer.claim.denied.uk_invoice"


def _practice(practice_dir: Callable[..., Path], country: str, kind: str) -> Path:
    home = practice_dir()
    text = (home / "chief.toml").read_text()
    text = text.replace('country = "US"', f'country = "{country}"\nkind = "{kind}"')
    if country == "GB":
        text = text.replace('timezone = "America/New_York"', 'timezone = "Europe/London"')
    (home / "chief.toml").write_text(text)
    return home


def _calendar_deadlines(home: Path) -> dict[str, tuple[date, str]]:
    """Summary -> (day, description) of each deadline entry in the practice's calendar."""
    calendar = Calendar.from_ical((home / "calendar.ics").read_bytes())
    out = {}
    for event in calendar.walk("VEVENT"):
        if str(event.get("SUMMARY", "")).startswith("Due:"):
            out[str(event["SUMMARY"])] = (event.decoded("DTSTART"), str(event["DESCRIPTION"]))
    return out


def _sync(home: Path, names: list[str]) -> Runtime:
    for path in _paths():
        if path.name in names:
            deliver(home, path.name, path.read_bytes())
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    sync(rt)
    return rt


def test_calendar_holds_the_us_deadlines(practice_dir: Callable[..., Path]) -> None:
    home = _practice(practice_dir, "US", "sports_medicine")
    names = [
        "humana-ma-pa-denied.eml",
        "molina-medicaid-denied.eml",
        "noridian-remit-co50.eml",
        "0020-uhc-pa-denied",
        "0049-bc-records-request-us",
    ]
    rt = _sync(home, names)
    entries = _calendar_deadlines(home)
    days = sorted(day for day, _ in entries.values())
    for name in names:
        assert date.fromisoformat(str(EXPECTED[name])) in days, name
    # The UHC denial: the peer-to-peer and the appeal, each with where its date comes from.
    p2p = [d for s, d in entries.items() if "peer-to-peer" in s and "UHC-PA-7731920" in s]
    appeal = [d for s, d in entries.items() if "appeal" in s and "UHC-PA-7731920" in s]
    assert p2p and p2p[0][0] == date(2026, 9, 29)
    assert "Stated in the notice: within 14 calendar days" in p2p[0][1]
    assert appeal and appeal[0][0] == date(2027, 3, 14)
    assert "2560.503-1(h)(3)(i)" in appeal[0][1] and "within 180 calendar days" in appeal[0][1]
    # Humana: Part 422, never Part 405 or ERISA.
    humana = [d for s, d in entries.items() if "HUM-PA-5520931" in s]
    assert [d[0] for d in humana] == [date(2027, 1, 6)]
    assert "422.582(b)" in humana[0][1]
    with rt.sessions() as session:
        drafts = {d.template for d in session.query(Draft)}
    assert "payer/peer_to_peer_request.j2" in drafts


def test_an_upheld_appeal_diarises_the_next_step_and_closes_the_spent_window(
    practice_dir: Callable[..., Path],
) -> None:
    """Molina upholds its denial: the first appeal window closes ("appeal denied on ..."), the
    State fair hearing's 120 days open; Aetna's final decision opens the external review's four
    months; Humana's upheld reconsideration goes to the independent review entity and leaves
    no deadline."""
    home = _practice(practice_dir, "US", "sports_medicine")
    names = [
        "molina-medicaid-denied.eml",
        "molina-medicaid-appeal-upheld.eml",
        "aetna-commercial-appeal-upheld.eml",
        "humana-ma-appeal-upheld.eml",
    ]
    rt = _sync(home, names)
    with rt.sessions() as session:
        rows = {(d.clock, d.due, d.done, d.closed_reason) for d in session.query(Deadline)}
    assert (
        "appeal.medicaid_managed_care",
        date(2027, 1, 1),
        True,
        "appeal denied on 10 Nov 2026",
    ) in rows
    assert ("appeal.medicaid_state_fair_hearing", date(2027, 3, 10), False, None) in rows
    assert ("appeal.external_review", date(2027, 2, 5), False, None) in rows
    assert not any(clock.startswith("appeal.ma") for clock, *_ in rows)
    entries = _calendar_deadlines(home)
    fair_hearing = [d for s, d in entries.items() if "MOL-2026-884120" in s]
    assert [d[0] for d in fair_hearing] == [date(2027, 3, 10)]
    assert "438.408(f)(2)" in fair_hearing[0][1]
    assert not [s for s in entries if "HUM-PA-26-3310457" in s]


def test_calendar_holds_the_uk_deadlines(practice_dir: Callable[..., Path]) -> None:
    home = _practice(practice_dir, "GB", "occupational_therapy")
    names = ["0054-hants-draft-plan", "0058-kent-annual-review", "0062-axa-invoice-rejected"]
    _sync(home, names)
    entries = _calendar_deadlines(home)
    days = {day for day, _ in entries.values()}
    for name in names:
        assert date.fromisoformat(str(EXPECTED[name])) in days, name
    plan = next(d for s, d in entries.items() if "SEN/EHC/2026/0781" in s)
    # Both dates shown, the earlier diarised.
    assert "01 Dec 2026" in plan[1] and "30 Nov 2026" in plan[1]
    assert "ERISA" not in " ".join(d for _, d in entries.values())


def test_advice_to_a_school_is_never_due_while_it_is_shut(
    practice_dir: Callable[..., Path],
) -> None:
    """Kent's annual review on 15 Jan 2027 (sample 0169): with the school's Christmas closure
    listed, the contributor's advice is due on its last open day, Fri 18 Dec 2026, not on
    Thu 24 Dec when nobody is there to circulate it."""
    home = _practice(practice_dir, "GB", "occupational_therapy")
    text = (home / "chief.toml").read_text()
    closures = "school_closures = [[2026-12-19, 2027-01-04], [2027-02-15, 2027-02-19]]\n"
    (home / "chief.toml").write_text(text.replace("[practice]\n", f"[practice]\n{closures}", 1))
    _sync(home, ["0058-kent-annual-review"])
    days = {day for day, _ in _calendar_deadlines(home).values()}
    assert date(2026, 12, 18) in days
    assert date(2026, 12, 24) not in days


def test_stated_window_later_than_the_law_is_not_diarised(
    practice_dir: Callable[..., Path],
) -> None:
    """A Medicare Advantage notice that (wrongly) offers 90 days: the regulation's 65 is
    diarised, and the calendar shows both."""
    home = _practice(practice_dir, "US", "sports_medicine")
    raw = (NOTICES / "humana-ma-pa-denied.eml").read_text()
    raw = raw.replace(
        "See the\nenclosed notice",
        "You must ask within 90 days of the date of this notice. See the\nenclosed notice",
    )
    deliver(home, "ma-90", raw.encode())
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    sync(rt)
    with rt.sessions() as session:
        due = [(d.clock, d.due, d.stated) for d in session.query(Deadline)]
    assert due == [("appeal.ma_reconsideration", date(2027, 1, 6), False)]
    (_, description), *_ = _calendar_deadlines(home).values()
    assert "within 90 calendar days of the notice's date, 31 Jan 2027" in description
    assert "They differ: the clock's is diarised." in description


def test_a_uk_practice_never_gets_a_us_appeal_clock(practice_dir: Callable[..., Path]) -> None:
    """Filed, but no US appeal window and no US appeal letter."""
    home = _practice(practice_dir, "GB", "occupational_therapy")
    rt = _sync(home, ["humana-ma-pa-denied.eml", "0020-uhc-pa-denied"])
    with rt.sessions() as session:
        assert [d.clock for d in session.query(Deadline)] == []
        assert [d.template for d in session.query(Draft)] == []
        assert session.query(Case).count() == 2


def test_a_us_practice_gets_no_ehcp_deadline_or_skeleton(
    practice_dir: Callable[..., Path],
) -> None:
    home = _practice(practice_dir, "US", "sports_medicine")
    rt = _sync(home, ["0054-hants-draft-plan", "0058-kent-annual-review"])
    with rt.sessions() as session:
        assert [d.clock for d in session.query(Deadline)] == []
        assert [d.template for d in session.query(Draft)] == []
        assert {c.kind for c in session.query(Case)} == {"ehcp"}


def test_a_us_practice_never_gets_uk_gdpr_for_a_records_request(
    practice_dir: Callable[..., Path],
) -> None:
    """A request that names no law: the US practice's HIPAA 30 days, not UK GDPR's month."""
    home = _practice(practice_dir, "US", "integrative_medicine")
    body = (
        "To the Custodian of Records:\n\nOur client: Test Client DOB: 01/02/1980\n"
        "Please send copies of all medical records and billing for our client.\n"
    )
    raw = make_message(
        "<rr-1@firm.example>",
        "Records request - our client",
        body,
        "Records Dept <records@firm.example>",
    )
    deliver(home, "rr", raw)
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    sync(rt)
    with rt.sessions() as session:
        clocks = [d.clock for d in session.query(Deadline)]
    assert clocks == ["solicitor.records_request.us"]


@pytest.mark.parametrize("sample", ["0020-uhc-pa-denied", "0024-evicore-mri-denied"])
def test_peer_to_peer_draft_names_its_window(
    practice_dir: Callable[..., Path], sample: str
) -> None:
    home = _practice(practice_dir, "US", "sports_medicine")
    _sync(home, [sample])
    drafts = [p.read_bytes() for p in (home / "Maildir" / ".Drafts" / "cur").iterdir()]
    found = [
        email.message_from_bytes(raw, policy=email.policy.default)
        for raw in drafts
        if b"Request for a peer-to-peer" in raw  # (an appeal asks for one too)
    ]
    assert len(found) == 1
    part = found[0].get_body(("plain",))
    assert isinstance(part, email.message.EmailMessage)
    text = part.get_content()
    assert "Request for a peer-to-peer discussion" in text
    # a US practice: the date reads the US way
    assert ("September 29, 2026" if "uhc" in sample else "October 2, 2026") in text


def test_no_peer_to_peer_deadline_when_none_is_offered(
    practice_dir: Callable[..., Path],
) -> None:
    home = _practice(practice_dir, "US", "sports_medicine")
    rt = _sync(home, ["molina-medicaid-denied.eml"])
    with rt.sessions() as session:
        assert [d.clock for d in session.query(Deadline)] == ["appeal.medicaid_managed_care"]
        templates = [d.template for d in session.query(Draft)]
    assert templates == ["payer/appeal_request.j2"]
