"""Dates and times as the practice writes them: in its own time zone, in its country's format.

======  ==============  ==========  ====================
country day             time        full day
======  ==============  ==========  ====================
US      ``Tue, Sep 22``  ``9:30 AM``  ``Tuesday, September 22``
GB      ``Tue 22 Sep``   ``09:30``    ``Tuesday 22 September``
======  ==============  ==========  ====================

Times reach the summary already in the practice's zone (``bot.summary.job.in_zone``); a bare
date is an all-day event. The year is left out: the summary is about today and the weeks around
it (a date in another year shows it, ``Tue, Jan 12, 2027``).
"""

from __future__ import annotations

from datetime import date, datetime

__all__ = ["DateStyle"]


class DateStyle:
    """The summary's date and time filters for one country (``US`` or ``GB``) and today."""

    def __init__(self, country: str | None, today: date) -> None:
        self.us = (country or "US").upper() == "US"
        self.today = today

    def day(self, value: date | datetime) -> str:
        """``Tue, Sep 22`` (US) or ``Tue 22 Sep`` (GB); the year too when not this year's."""
        d = value.date() if isinstance(value, datetime) else value
        year = "" if d.year == self.today.year else (f", {d.year}" if self.us else f" {d.year}")
        if self.us:
            return f"{d:%a}, {d:%b} {d.day}{year}"
        return f"{d:%a} {d.day} {d:%b}{year}"

    def full_day(self, value: date) -> str:
        """``Tuesday, November 24`` (US) or ``Tuesday 24 November`` (GB)."""
        if self.us:
            return f"{value:%A}, {value:%B} {value.day}"
        return f"{value:%A} {value.day} {value:%B}"

    def time(self, value: date | datetime) -> str:
        """``9:30 AM`` (US) or ``09:30`` (GB); ``All day`` for a date."""
        if not isinstance(value, datetime):
            return "All day"
        if self.us:
            return f"{value.hour % 12 or 12}:{value:%M} {'AM' if value.hour < 12 else 'PM'}"
        return f"{value:%H:%M}"
