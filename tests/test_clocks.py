"""Deadline clocks: the shipped values, counting rules, layering, errors and properties."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clocks.clocks import (
    CHASE_CLOCKS,
    Clock,
    ClockSet,
    Direction,
    Unit,
    add_months,
    day_of_year,
    is_business_day,
    with_chase_intervals,
)
from bot.clocks.files import load_clocks
from bot.errors import UserError
from bot.rules.parties import Party

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "rules" / "clocks.yaml"

# id -> (amount, unit, direction, calendar) as the primary sources give them (each clock's
# `source`); clocks no rule or register used were removed (tests/test_clock_examples.py)
REQUIRED = {
    "ehcp.advice": (6, "weeks", "after", None),
    # The contributor's date: a week before reg 20(4)'s circulation, on an English working day
    "ehcp.annual_review_advice": (3, "weeks", "before", "england"),
    "ehcp.draft_plan_comments": (15, "calendar_days", "after", None),
    "prior_auth.standard": (7, "calendar_days", "after", None),
    "prior_auth.expedited": (72, "hours", "after", None),
    "prior_auth.chase_pended": (3, "business_days", "after", "us"),
    "appeal.erisa": (180, "calendar_days", "after", None),
    "appeal.medicare_redetermination": (120, "calendar_days", "after", None),
    "appeal.medicare_reconsideration": (180, "calendar_days", "after", None),
    "claim.timely_filing_medicare": (12, "months", "after", None),
    "claim.chase": (10, "business_days", "after", "us"),
    "solicitor.acknowledge": (2, "business_days", "after", "england"),
    "solicitor.records_request": (1, "months", "after", None),
    "referral.acknowledge": (2, "business_days", "after", "weekends"),
    "credential.renewal": (30, "calendar_days", "after", None),
    "credential.dea_notice": (65, "calendar_days", "before", None),
    "appeal.medicare_alj": (60, "calendar_days", "after", None),
    "prior_auth.standard.erisa": (15, "calendar_days", "after", None),
    "claim.timely_filing": (90, "calendar_days", "after", None),
    "credential.gmc_revalidation_notice": (3, "months", "before", None),
    "credential.hcpc_window_opens": (1, "calendar_date", "before", None),
    "appeal.ma_reconsideration": (65, "calendar_days", "after", None),
    "appeal.medicaid_managed_care": (60, "calendar_days", "after", None),
    "appeal.tricare": (90, "calendar_days", "after", None),
    "prior_auth.peer_to_peer": (14, "calendar_days", "after", None),
    "solicitor.records_request.us": (30, "calendar_days", "after", None),
    "credential.dea_renewal_opens": (60, "calendar_days", "before", None),
    "credential.dea_renewal_keeps_valid": (45, "calendar_days", "before", None),
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, Clock]:
    return dict(load_clocks([SHIPPED]))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ------------------------------------------------------------------ shipped clocks


@pytest.mark.parametrize("clock_id", sorted(REQUIRED))
def test_shipped_clock_values(shipped: dict[str, Clock], clock_id: str) -> None:
    amount, unit, direction, calendar = REQUIRED[clock_id]
    clock = shipped[clock_id]
    assert (clock.amount, clock.unit.value, clock.direction.value, clock.calendar) == (
        amount,
        unit,
        direction,
        calendar,
    )


def test_every_shipped_clock_cites_a_source(shipped: dict[str, Clock]) -> None:
    for clock in shipped.values():
        assert len(clock.source) > 10, clock.id
        assert isinstance(clock.unit, Unit), clock.id
        assert clock.origin.startswith(str(SHIPPED)), clock.origin


def test_every_source_and_unit_is_written_in_the_file() -> None:
    """Not defaulted: each entry of the shipped file states its `source` and `unit`."""
    from bot.rules.yaml_source import load_yaml

    for item in load_yaml(SHIPPED)["clocks"]:
        assert "source" in item and "unit" in item, item["id"]


def test_medicare_appeals_presume_receipt_five_days_after_the_notice(
    shipped: dict[str, Clock],
) -> None:
    medicare = [c for c in shipped.values() if c.id.startswith("appeal.medicare_")]
    assert len(medicare) == 5
    assert all(c.presumed_receipt_days == 5 for c in medicare)
    assert all(c.presumed_receipt_days == 0 for c in shipped.values() if c not in medicare)


def test_sources_name_the_regulations(shipped: dict[str, Clock]) -> None:
    assert "reg 8(1)" in shipped["ehcp.advice"].source
    assert "CMS-0057-F" in shipped["prior_auth.standard"].source
    assert "CMS-0057-F" in shipped["prior_auth.expedited"].source
    assert "2560.503-1" in shipped["appeal.erisa"].source
    assert "424.44" in shipped["claim.timely_filing_medicare"].source
    assert "GDPR" in shipped["solicitor.records_request"].source
    assert "one month" in shipped["solicitor.records_request"].note
    assert shipped["credential.dea_notice"].verify is True


def test_from_events(shipped: dict[str, Clock]) -> None:
    assert shipped["ehcp.annual_review_advice"].from_event == "meeting_date"
    assert shipped["claim.timely_filing_medicare"].from_event == "service_date"
    assert shipped["appeal.erisa"].from_event == "notice_date"
    assert shipped["ehcp.advice"].from_event == "message_date"


# ------------------------------------------------------------------ counting


def test_ehcp_advice_six_weeks(shipped: dict[str, Clock]) -> None:
    assert shipped["ehcp.advice"].due(date(2025, 1, 6)) == date(2025, 2, 17)


def test_annual_review_advice_is_before_the_meeting(shipped: dict[str, Clock]) -> None:
    # Reg 20(4) circulation two weeks before (6 March); the contributor a week earlier.
    assert shipped["ehcp.annual_review_advice"].due(date(2025, 3, 20)) == date(2025, 2, 27)


def test_dea_notice_before_expiry(shipped: dict[str, Clock]) -> None:
    assert shipped["credential.dea_notice"].due(date(2027, 2, 28)) == date(2026, 12, 25)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2025, 3, 31), date(2025, 4, 30)),
        (date(2025, 12, 15), date(2026, 1, 15)),
    ],
)
def test_one_month_clamps_to_month_end(
    shipped: dict[str, Clock], start: date, expected: date
) -> None:
    assert shipped["solicitor.records_request"].due(start) == expected


def test_twelve_months_from_leap_day(shipped: dict[str, Clock]) -> None:
    assert shipped["claim.timely_filing_medicare"].due(date(2024, 2, 29)) == date(2025, 2, 28)


def test_business_days_skip_english_bank_holidays(shipped: dict[str, Clock]) -> None:
    # Thursday before Easter 2025: Good Friday 18 and Easter Monday 21 April are bank holidays.
    assert shipped["solicitor.acknowledge"].due(date(2025, 4, 17)) == date(2025, 4, 23)


def test_business_days_skip_us_federal_holidays(shipped: dict[str, Clock]) -> None:
    # Thursday 3 July 2025; Friday 4 July is Independence Day.
    assert shipped["prior_auth.chase_pended"].due(date(2025, 7, 3)) == date(2025, 7, 9)


def test_business_days_count_from_the_next_business_day(shipped: dict[str, Clock]) -> None:
    saturday = date(2025, 5, 10)
    assert shipped["referral.acknowledge"].due(saturday) == date(2025, 5, 13)  # Mon=1, Tue=2


def test_weekend_only_calendar_ignores_holidays(shipped: dict[str, Clock]) -> None:
    assert shipped["referral.acknowledge"].due(date(2025, 12, 24)) == date(2025, 12, 26)


def test_datetime_start_uses_its_date(shipped: dict[str, Clock]) -> None:
    late = datetime(2025, 1, 6, 23, 30, tzinfo=ZoneInfo("Europe/London"))
    due = shipped["ehcp.advice"].due(late)
    assert due == date(2025, 2, 17)
    assert not isinstance(due, datetime)


def test_hours_are_elapsed_time_across_dst(shipped: dict[str, Clock]) -> None:
    new_york = ZoneInfo("America/New_York")
    start = datetime(2025, 3, 7, 12, 0, tzinfo=new_york)  # DST starts 9 March
    due = shipped["prior_auth.expedited"].due(start)
    assert isinstance(due, datetime)
    assert due.tzinfo is new_york
    assert due == datetime(2025, 3, 10, 13, 0, tzinfo=new_york)
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=72)


def test_hours_from_a_date_count_from_midnight_utc(shipped: dict[str, Clock]) -> None:
    assert shipped["prior_auth.expedited"].due(date(2025, 1, 1)) == datetime(2025, 1, 4, tzinfo=UTC)


def test_describe(shipped: dict[str, Clock]) -> None:
    assert shipped["ehcp.advice"].describe() == "6 weeks after message date"
    assert shipped["solicitor.records_request"].describe() == "1 month after message date"
    assert shipped["appeal.medicare_redetermination"].describe() == (
        "120 calendar days after receipt (presumed 5 days after notice date)"
    )
    assert shipped["credential.hcpc_window_opens"].describe() == (
        "1 August of an odd year on or before expiry date"
    )
    assert shipped["ehcp.draft_plan_comments"].describe() == (
        "15 calendar days beginning with message date"
    )
    assert shipped["ehcp.annual_review_advice"].describe() == (
        "3 weeks before meeting date, on a working day"
    )


# ------------------------------------------------------------------ variants


def party(name: str, **attributes: str) -> Party:
    return Party("payer", name, ("payer.example",), dict(attributes))


def test_variant_chosen_by_party_name_before_attributes(tmp_path: Path) -> None:
    own = write(
        tmp_path,
        "clocks.yaml",
        """\
        clocks:
          - id: claim.own_filing
            variant_of: claim.timely_filing
            when: {payer_type: [commercial, exchange]}
            amount: 45
            unit: calendar_days
            source: "Our own contracts"
          - id: claim.timely_filing.acme
            variant_of: claim.timely_filing
            when: {party: Acme Health, payer_type: commercial}
            amount: 365
            unit: calendar_days
            source: "Acme contract s.4"
        """,
    )
    clocks = load_clocks([SHIPPED, own])
    start = date(2026, 1, 1)
    assert (
        clocks.resolve("claim.timely_filing", party("Acme Health", payer_type="commercial"))
        is (clocks["claim.timely_filing.acme"])
    )
    assert clocks.due(
        "claim.timely_filing", start, party("ACME HEALTH", payer_type="commercial")
    ) == (date(2027, 1, 1))
    # The name alone is not enough when the variant also asks for an attribute.
    assert (
        clocks.resolve("claim.timely_filing", party("Acme Health")) is clocks["claim.timely_filing"]
    )
    assert clocks.due("claim.timely_filing", start, party("Oscar", payer_type="exchange")) == (
        date(2026, 2, 15)
    )
    assert clocks.resolve("claim.timely_filing", None) is clocks["claim.timely_filing"]
    assert clocks.resolve("no.such", party("Acme Health")) is None
    assert [c.id for c in clocks.variants("claim.timely_filing")][:2] == [
        "claim.own_filing",
        "claim.timely_filing.acme",
    ]


def test_practice_overrides_a_payer_variant(tmp_path: Path) -> None:
    own = write(
        tmp_path,
        "clocks.yaml",
        """\
        clocks:
          - id: claim.timely_filing.unitedhealthcare
            variant_of: claim.timely_filing
            when: {party: UnitedHealthcare}
            amount: 180
            unit: calendar_days
            from: service_date
            source: "Our UnitedHealthcare contract: out of network, 180 days"
        """,
    )
    clocks = load_clocks([SHIPPED, own])
    uhc = party("UnitedHealthcare", payer_type="commercial")
    assert clocks.due("claim.timely_filing", date(2026, 1, 15), uhc) == date(2026, 7, 14)


def test_variant_problems(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "clocks.yaml",
        """\
        clocks:
          - id: a.base
            amount: 1
            unit: weeks
            source: "somewhere"
          - id: a.orphan
            variant_of: a.missing
            when: {payer_type: commercial}
            amount: 1
            unit: weeks
            source: "somewhere"
          - id: a.nowhen
            variant_of: a.base
            amount: 1
            unit: weeks
            source: "somewhere"
          - id: a.variant
            variant_of: a.base
            when: {party: X}
            amount: 1
            unit: weeks
            source: "somewhere"
          - id: a.deeper
            variant_of: a.variant
            when: {party: Y}
            amount: 1
            unit: weeks
            source: "somewhere"
          - id: a.badwhen
            variant_of: a.base
            when: {Payer Type: x}
            amount: 1
            unit: weeks
            source: "somewhere"
        """,
    )
    with pytest.raises(UserError) as caught:
        load_clocks([bad])
    text = "\n".join(caught.value.problems)
    assert f"{bad}:6: clock `a.orphan`: unknown `variant_of` clock" in text
    assert f"{bad}:12: clock `a.nowhen`: a variant needs both `variant_of` and a non-empty" in text
    assert f"{bad}:23: clock `a.deeper`: a variant of a variant" in text
    assert f"{bad}:31: clock `a.badwhen`: `when`" in text
    assert len(caught.value.problems) == 4


# ------------------------------------------------------------------ calendar dates


def test_calendar_date_problems(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "clocks.yaml",
        """\
        clocks:
          - id: d.noon
            unit: calendar_date
            source: "somewhere"
          - id: d.leap
            unit: calendar_date
            on: "02-29"
            source: "somewhere"
          - id: d.years
            amount: 2
            unit: weeks
            years: odd
            source: "somewhere"
          - id: d.noamount
            unit: weeks
            source: "somewhere"
          - id: d.parity
            unit: calendar_date
            on: "08-01"
            years: prime
            source: "somewhere"
          - id: d.ok
            unit: calendar_date
            on: "12-31"
            amount: 2
            source: "somewhere"
        """,
    )
    with pytest.raises(UserError) as caught:
        load_clocks([bad])
    text = "\n".join(caught.value.problems)
    assert f"{bad}:3: clock `d.noon`: calendar_date needs `on`" in text
    assert f"{bad}:7: clock `d.leap`: `on`: must be a day of the year" in text
    assert f"{bad}:12: clock `d.years`: `years` only applies to unit calendar_date" in text
    assert f"{bad}:14: clock `d.noamount`: missing required key `amount`" in text
    assert f"{bad}:20: clock `d.parity`: `years`" in text
    assert len(caught.value.problems) == 5


def test_calendar_date_counts_occurrences(tmp_path: Path) -> None:
    own = write(
        tmp_path,
        "clocks.yaml",
        """\
        clocks:
          - id: d.second_new_year
            unit: calendar_date
            on: "12-31"
            amount: 2
            source: "somewhere"
        """,
    )
    clock = load_clocks([own])["d.second_new_year"]
    assert clock.due(date(2026, 12, 31)) == date(2027, 12, 31)
    assert clock.due(date(2026, 6, 1)) == date(2027, 12, 31)
    assert clock.describe() == "occurrence 2 of 31 December on or after message date"


# ------------------------------------------------------------------ chase intervals


def test_chase_intervals_replace_amount_and_calendar(shipped: dict[str, Clock]) -> None:
    clocks = with_chase_intervals(
        ClockSet(shipped), {"prior_auth_pended": 5, "claim": 15}, "US-NY", "chief.toml: [chase]"
    )
    pended = clocks["prior_auth.chase_pended"]
    assert (pended.amount, pended.calendar, pended.origin) == (5, "US-NY", "chief.toml: [chase]")
    assert "[chase] prior_auth_pended" in pended.source
    assert clocks["claim.chase"].amount == 15
    assert clocks["solicitor.acknowledge"].calendar == "US-NY"  # every business-day chase clock
    assert clocks["solicitor.acknowledge"].amount == 2
    assert clocks["ehcp.advice"] is shipped["ehcp.advice"]
    assert set(CHASE_CLOCKS.values()) <= set(shipped)
    untouched = with_chase_intervals(ClockSet(shipped), {}, None, "x")
    assert dict(untouched) == shipped


def test_chase_config_reaches_the_runtime(practice_dir: Callable[..., Path]) -> None:
    from bot.config import load_config
    from bot.sync.runtime import Runtime

    home = practice_dir(extra_toml='\n[chase]\nprior_auth_pended = 5\ncalendar = "US-NY"\n')
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    clock = rt.clocks["prior_auth.chase_pended"]
    assert (clock.amount, clock.calendar) == (5, "US-NY")
    # Thursday 12 November 2026: Veterans Day (11th) is behind; 5 New York business days.
    assert clock.due(date(2026, 11, 12)) == date(2026, 11, 19)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[chase]\nprior_auth_pended = 0\n", "[chase] `prior_auth_pended`"),
        ('[chase]\ncalendar = "narnia"\n', "unknown calendar `narnia`"),
        ("[chase]\nclaims = 10\n", "unknown key `claims` in [chase]"),
        ('[research]\ndigest_weekday = "funday"\n', "[research] `digest_weekday`"),
    ],
)
def test_chase_and_research_config_are_validated(
    practice_dir: Callable[..., Path], toml: str, expected: str
) -> None:
    from bot.config import load_config

    home = practice_dir(extra_toml="\n" + toml)
    with pytest.raises(UserError) as caught:
        load_config(home / "chief.toml")
    assert expected in str(caught.value)


# ------------------------------------------------------------------ layering


def test_practice_file_overrides_shipped_clock(tmp_path: Path) -> None:
    own = write(
        tmp_path,
        "clocks.yaml",
        """\
        clocks:
          - id: prior_auth.chase_pended
            amount: 5
            unit: business_days
            calendar: US-NY
            source: "Our own chase policy"
          - id: claim.chase_secondary
            amount: 30
            unit: calendar_days
            source: "Our own chase policy"
        """,
    )
    clocks = load_clocks([SHIPPED, own])
    assert clocks["prior_auth.chase_pended"].amount == 5
    assert clocks["prior_auth.chase_pended"].calendar == "US-NY"
    assert clocks["prior_auth.chase_pended"].origin == f"{own}:2"
    assert "claim.chase_secondary" in clocks
    assert clocks["ehcp.advice"].amount == 6
    assert clocks.due("claim.chase_secondary", date(2025, 1, 1)) == date(2025, 1, 31)
    with pytest.raises(KeyError, match="no.such"):
        clocks.due("no.such", date(2025, 1, 1))


def test_empty_file_adds_nothing(tmp_path: Path) -> None:
    empty = write(tmp_path, "clocks.yaml", "# nothing yet\n")
    assert len(load_clocks([empty])) == 0


# ------------------------------------------------------------------ errors


def test_all_problems_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "clocks.yaml",
        """\
        clocks:
          - id: ok.clock
            amount: 3
            unit: weeks
            source: "somewhere real"
          - id: bad.unit
            amount: 3
            unit: fortnights
            source: "somewhere"
          - id: bad.nosource
            amount: 3
            unit: weeks
          - id: bad.extra
            amount: 1
            unit: weeks
            source: "somewhere"
            colour: blue
          - id: bad.business
            amount: 2
            unit: business_days
            source: "somewhere"
          - id: bad.calendar
            amount: 2
            unit: weeks
            calendar: england
            source: "somewhere"
          - id: bad.amount
            amount: "6"
            unit: weeks
            source: "somewhere"
          - id: ok.clock
            amount: 1
            unit: weeks
            source: "somewhere"
          - id: bad.where
            amount: 1
            unit: business_days
            calendar: narnia
            source: "somewhere"
        """,
    )
    with pytest.raises(UserError) as caught:
        load_clocks([bad])
    problems = caught.value.problems
    text = "\n".join(problems)
    assert f"{bad}:8: clock `bad.unit`: `unit`" in text
    assert f"{bad}:10: clock `bad.nosource`: missing required key `source`" in text
    assert f"{bad}:17: clock `bad.extra`: unknown key `colour`" in text
    assert f"{bad}:20: clock `bad.business`: business_days needs a `calendar`" in text
    assert f"{bad}:25: clock `bad.calendar`: `calendar` only applies" in text
    assert f"{bad}:28: clock `bad.amount`: `amount`" in text
    assert f"{bad}:31: duplicate clock id `ok.clock` (first at line 2)" in text
    assert f"{bad}:38: clock `bad.where`: `calendar`" in text and "narnia" in text
    assert len(problems) == 8
    assert "problem" in str(caught.value)


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    bad = write(tmp_path, "clocks.yaml", "clocks:\n  - id: a.b\n    amount: [1\n")
    with pytest.raises(UserError) as caught:
        load_clocks([bad])
    assert caught.value.problems[0].startswith(f"{bad}:")
    assert "YAML" in caught.value.problems[0]


def test_problems_from_several_files_are_collected(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "clocks: 5\n")
    second = write(tmp_path, "b.yaml", "rules: []\n")
    missing = tmp_path / "missing.yaml"
    with pytest.raises(UserError) as caught:
        load_clocks([first, second, missing])
    text = "\n".join(caught.value.problems)
    assert f"{first}:1: `clocks` must be a list" in text
    assert f"{second}:1: expected a mapping with a `clocks:` list" in text
    assert f"{missing}:1: clock file not found" in text


def test_bad_id_and_from(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "clocks.yaml",
        """\
        clocks:
          - id: NoDots
            amount: 1
            unit: weeks
            from: Meeting Date
            source: "somewhere"
        """,
    )
    with pytest.raises(UserError) as caught:
        load_clocks([bad])
    text = "\n".join(caught.value.problems)
    assert f"{bad}:2:" in text and "`id`" in text
    assert f"{bad}:5:" in text and "`from`" in text


# ------------------------------------------------------------------ properties

CALENDARS = st.sampled_from(["england", "us", "weekends", "scotland"])
DATES = st.dates(min_value=date(1995, 1, 1), max_value=date(2060, 12, 31))


def make(
    amount: int, unit: Unit, direction: Direction = Direction.AFTER, calendar: str | None = None
) -> Clock:
    return Clock(
        id="t.clock",
        amount=amount,
        unit=unit,
        source="test",
        direction=direction,
        calendar=calendar,
    )


@settings(max_examples=200, deadline=None)
@given(start=DATES, amount=st.integers(1, 40), calendar=CALENDARS)
def test_business_days_land_on_business_days_after_start(
    start: date, amount: int, calendar: str
) -> None:
    due = make(amount, Unit.BUSINESS_DAYS, calendar=calendar).due(start)
    assert isinstance(due, date)
    assert due > start
    assert is_business_day(due, calendar)
    between = sum(
        is_business_day(start + timedelta(days=i), calendar)
        for i in range(1, (due - start).days + 1)
    )
    assert between == amount


@settings(max_examples=200, deadline=None)
@given(start=DATES, amount=st.integers(1, 40), calendar=CALENDARS)
def test_business_days_before_mirror_after(start: date, amount: int, calendar: str) -> None:
    after = make(amount, Unit.BUSINESS_DAYS, calendar=calendar)
    before = make(amount, Unit.BUSINESS_DAYS, Direction.BEFORE, calendar=calendar)
    back = before.due(start)
    assert isinstance(back, date)
    assert back < start and is_business_day(back, calendar)
    # Going forward again lands on the start, or on the first business day after it.
    expected = start
    while not is_business_day(expected, calendar):
        expected += timedelta(days=1)
    assert after.due(back) == expected


@settings(max_examples=300, deadline=None)
@given(start=DATES, amount=st.integers(1, 60))
def test_months_never_overflow(start: date, amount: int) -> None:
    due = make(amount, Unit.MONTHS).due(start)
    assert isinstance(due, date)
    months = (due.year - start.year) * 12 + due.month - start.month
    assert months == amount
    assert due.day <= start.day
    assert due.day == start.day or due.day >= 28  # only clamped at a month's end


@settings(max_examples=300, deadline=None)
@given(first=DATES, second=DATES, amount=st.integers(1, 60))
def test_months_are_monotone(first: date, second: date, amount: int) -> None:
    low, high = sorted((first, second))
    clock = make(amount, Unit.MONTHS)
    assert clock.due(low) <= clock.due(high)


@settings(max_examples=300, deadline=None)
@given(start=DATES, amount=st.integers(1, 60))
def test_months_before_mirror_after(start: date, amount: int) -> None:
    back = make(amount, Unit.MONTHS, Direction.BEFORE).due(start)
    assert back == add_months(start, -amount)
    forward = add_months(back, amount)
    assert forward <= start
    if start.day <= 28:
        assert forward == start


@settings(max_examples=200, deadline=None)
@given(
    start=DATES,
    amount=st.integers(1, 400),
    unit=st.sampled_from([Unit.CALENDAR_DAYS, Unit.WEEKS]),
)
def test_day_units_before_is_the_mirror_of_after(start: date, amount: int, unit: Unit) -> None:
    after = make(amount, unit).due(start)
    before = make(amount, unit, Direction.BEFORE).due(start)
    assert after - start == start - before


ZONES = st.sampled_from(
    [UTC, ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe")]
)


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(1995, 1, 1), max_value=datetime(2060, 1, 1), timezones=ZONES
    ),
    amount=st.integers(1, 24 * 90),
    direction=st.sampled_from(list(Direction)),
)
def test_hours_preserve_tz_and_elapsed_time(
    start: datetime, amount: int, direction: Direction
) -> None:
    due = make(amount, Unit.HOURS, direction).due(start)
    assert isinstance(due, datetime)
    assert due.tzinfo is start.tzinfo
    sign = -1 if direction is Direction.BEFORE else 1
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=sign * amount)


@settings(max_examples=100, deadline=None)
@given(start=st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2060, 1, 1)))
def test_hours_on_naive_datetimes_stay_naive(start: datetime) -> None:
    due = make(5, Unit.HOURS).due(start)
    assert isinstance(due, datetime) and due.tzinfo is None
    assert due - start == timedelta(hours=5)


@settings(max_examples=300, deadline=None)
@given(
    start=DATES,
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    years=st.sampled_from([None, "odd", "even"]),
    before=st.booleans(),
)
def test_calendar_dates_are_the_nearest_match(
    start: date, month: int, day: int, years: str | None, before: bool
) -> None:
    due = day_of_year(start, (month, day), -1 if before else 1, years)
    assert (due.month, due.day) == (month, day)
    assert due <= start if before else due >= start
    if years is not None:
        assert (due.year % 2 == 1) == (years == "odd")
    # No matching day lies between the start and the result.
    step = -1 if before else 1
    for year in range(start.year, due.year, step):
        candidate = date(year, month, day)
        wanted = years is None or (year % 2 == 1) == (years == "odd")
        on_side = candidate <= start if before else candidate >= start
        assert not (wanted and on_side), candidate
