from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.stated_dates import find_stated_deadline, parse_date

RECEIVED = date(2026, 11, 2)


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("Please return your advice by 28 November 2026.", True, date(2026, 11, 28)),
        ("respond no later than December 4, 2026", False, date(2026, 12, 4)),
        ("Your licence expires on 31/12/2026.", False, date(2026, 12, 31)),
        ("reply by 04/12/2026", True, date(2026, 12, 4)),
        ("reply by 04/12/2026", False, date(2026, 4, 12)),
        ("Deadline: 2026-12-01", False, date(2026, 12, 1)),
        ("by Friday, 4th December", True, date(2026, 12, 4)),
        ("return it by 10 January", True, date(2027, 1, 10)),
        # A time of day between the lead and the date
        ("by close of business on Friday 27 November 2026", True, date(2026, 11, 27)),
        ("reply by 5pm on 20 November", True, date(2026, 11, 20)),
        ("no later than noon, 3 December 2026", True, date(2026, 12, 3)),
        ("by 17.00 hrs on 2 December 2026", True, date(2026, 12, 2)),
        ("by 12.11.2026", True, date(2026, 11, 12)),  # a dotted date is no time of day
        # A date named as the one to meet
        ("your revalidation submission date is 16 November 2026", True, date(2026, 11, 16)),
        ("Renewal date: December 31, 2026", False, date(2026, 12, 31)),
    ],
)
def test_stated_deadlines(text: str, day_first: bool, expected: date) -> None:
    assert find_stated_deadline(text, RECEIVED, day_first) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We met on 5 December 2026.",  # no deadline phrase
        "DOB: 14/03/2012",
        "by 31 February 2027",  # not a date
        "expires on 1 May 1990",  # far in the past: a date of birth, not a deadline
    ],
)
def test_not_deadlines(text: str) -> None:
    assert find_stated_deadline(text, RECEIVED, True) is None


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_written_forms_round_trip(day: date) -> None:
    assert parse_date(day.strftime("%d %B %Y")) == day
    assert parse_date(day.strftime("%B %d, %Y")) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/%Y"), day_first=True) == day
    assert parse_date(day.strftime("%m/%d/%Y"), day_first=False) == day


@given(st.integers(min_value=0, max_value=3000))
def test_found_deadline_is_near_the_message(offset: int) -> None:
    due = RECEIVED + timedelta(days=offset)
    found = find_stated_deadline(f"please reply by {due:%d %B %Y}", RECEIVED)
    assert found == due
