"""Two matters with different references of the same kind are never one case (issue 22,
item 4), through a real sync of the embedded default (Maildir, .ics, the shipped rule packs).

The attack run's finding: two prior authorisations for the same patient and payer, five months
apart, with different PA numbers, were filed into one case (matched by "same party, same
patient"), and the first denial's appeal deadline was moved to the second's date under the
first's number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.store.models import Case, CaseRef, Deadline, MessageRow
from bot.sync.runtime import Runtime
from tests.conftest import deliver

AETNA = "Aetna Precertification <precert@aetna.com>"
PATIENT = "Member: Jordan Q Sample DOB: 03/04/1981"  # fictional


def denial(mid: str, when: str, pa: str, extra: str = "") -> bytes:
    return (
        f"From: {AETNA}\n"
        "To: Dr Test <dr@practice.example>\n"
        f"Subject: Prior authorization determination - denied\n"
        f"Message-ID: <{mid}>\n"
        f"Date: {when}\n"
        f"{extra}"
        "\n"
        f"{PATIENT}\n"
        f"Authorization #: {pa}\n"
        "Requested service: MRI lumbar spine (CPT 72148)\n"
        "We have reviewed the request and it is denied: not medically necessary.\n"
        "You may appeal this adverse determination within 180 days.\n"
    ).encode()


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    return practice_dir()  # the shipped rule packs


def runtime(home: Path, today: date) -> Runtime:
    return Runtime.from_config(load_config(home / "chief.toml"), today=today)


def filed(rt: Runtime) -> dict[str, int | None]:
    with Session(rt.engine) as s:
        rows = s.execute(select(MessageRow.provider_id, MessageRow.case_id))
        return {pid: case for pid, case in rows}


def refs_of(rt: Runtime, case_id: int | None) -> set[tuple[str, str]]:
    with Session(rt.engine) as s:
        return {
            (r.name, r.value) for r in s.scalars(select(CaseRef).where(CaseRef.case_id == case_id))
        }


def deadlines_of(rt: Runtime) -> dict[int | None, list[tuple[str, date]]]:
    with Session(rt.engine) as s:
        out: dict[int | None, list[tuple[str, date]]] = {}
        for d in s.scalars(select(Deadline).order_by(Deadline.id)):
            out.setdefault(d.case_id, []).append((d.clock, d.due))
        return out


def test_two_authorisations_five_months_apart_stay_two_cases(home: Path) -> None:
    deliver(home, "first", denial("pa1@aetna.com", "Mon, 01 Jun 2026 10:00:00 +0000", "A1234567"))
    rt = runtime(home, date(2026, 6, 1))
    sync(rt)
    first_case = filed(rt)["first"]
    assert first_case is not None
    assert refs_of(rt, first_case) == {("pa_ref", "A1234567")}
    first_deadlines = deadlines_of(rt)[first_case]
    assert first_deadlines and all(due > date(2026, 6, 1) for _, due in first_deadlines)

    deliver(home, "second", denial("pa2@aetna.com", "Tue, 03 Nov 2026 10:00:00 +0000", "A7654321"))
    rt = runtime(home, date(2026, 11, 3))
    sync(rt)
    cases = filed(rt)
    second_case = cases["second"]
    assert second_case is not None and second_case != first_case
    assert refs_of(rt, first_case) == {("pa_ref", "A1234567")}
    assert refs_of(rt, second_case) == {("pa_ref", "A7654321")}
    deadlines = deadlines_of(rt)
    assert deadlines[first_case] == first_deadlines  # the first appeal's date never moved
    assert deadlines[second_case] and all(
        due > date(2026, 11, 3) for _, due in deadlines[second_case]
    )
    with Session(rt.engine) as s:
        first = s.get(Case, first_case)
        assert first is not None and first.status == "denied"
        titles = {d.case_id: d.title for d in s.scalars(select(Deadline))}
    assert "A1234567" in titles[first_case] and "A7654321" in titles[second_case]


def test_a_reply_about_another_number_is_not_filed_by_its_thread(home: Path) -> None:
    """A payer answering in the first authorisation's thread about the second: filed with the
    second, and the first's deadline stays where it was."""
    deliver(home, "first", denial("pa1@aetna.com", "Mon, 01 Jun 2026 10:00:00 +0000", "A1234567"))
    deliver(home, "second", denial("pa2@aetna.com", "Tue, 03 Nov 2026 10:00:00 +0000", "A7654321"))
    rt = runtime(home, date(2026, 11, 3))
    sync(rt)
    before = deadlines_of(rt)
    deliver(
        home,
        "reply",
        denial(
            "pa3@aetna.com",
            "Wed, 04 Nov 2026 10:00:00 +0000",
            "A7654321",
            "In-Reply-To: <pa1@aetna.com>\nReferences: <pa1@aetna.com>\n",
        ),
    )
    sync(runtime(home, date(2026, 11, 4)))
    cases = filed(rt)
    assert cases["reply"] == cases["second"] != cases["first"]
    with Session(rt.engine) as s:
        how = s.scalar(select(MessageRow.match_how).where(MessageRow.provider_id == "reply"))
    assert how == "reference"
    assert deadlines_of(rt)[cases["first"]] == before[cases["first"]]


def test_a_message_without_a_number_still_finds_its_case(home: Path) -> None:
    """The guard only parts different numbers: a letter naming none is filed by patient."""
    deliver(home, "first", denial("pa1@aetna.com", "Mon, 01 Jun 2026 10:00:00 +0000", "A1234567"))
    rt = runtime(home, date(2026, 6, 2))
    sync(rt)
    deliver(home, "later", denial("pa4@aetna.com", "Tue, 02 Jun 2026 10:00:00 +0000", "none given"))
    sync(runtime(home, date(2026, 6, 2)))
    cases = filed(rt)
    assert cases["later"] == cases["first"]
    assert refs_of(rt, cases["first"]) == {("pa_ref", "A1234567")}


def test_a_new_number_that_names_the_old_one_continues_the_matter(home: Path) -> None:
    """A re-issued authorisation ("replaces A1234567") is the same matter: one case, which
    learns the new number."""
    deliver(home, "first", denial("pa1@aetna.com", "Mon, 01 Jun 2026 10:00:00 +0000", "A1234567"))
    rt = runtime(home, date(2026, 6, 1))
    sync(rt)
    reissued = denial("pa5@aetna.com", "Tue, 02 Jun 2026 10:00:00 +0000", "A7654321").replace(
        b"Requested service", b"This authorization replaces A1234567.\nRequested service"
    )
    deliver(home, "reissued", reissued)
    sync(runtime(home, date(2026, 6, 2)))
    cases = filed(rt)
    assert cases["reissued"] == cases["first"]
    assert refs_of(rt, cases["first"]) == {("pa_ref", "A1234567"), ("pa_ref", "A7654321")}
