"""Renewal and review reminders: the register's credentials and protocols, in the calendar.

A practice pass (:func:`reminders_pass`) and ``chief run``'s daily renewals job plan them; the
effects step writes them. Each entry's key is scoped to the practice, as one case log may serve
several practices.
"""

from __future__ import annotations

from dataclasses import replace

from bot import crash
from bot.errors import UserError
from bot.keys import stable_key
from bot.register.credentials import plan_reminders
from bot.register.protocols import plan_protocol_reminders
from bot.sync.planning import plan_calendar_entry
from bot.sync.runtime import Runtime
from bot.sync.steps import SyncReport

__all__ = ["plan_credentials", "reminders_pass"]


def plan_credentials(rt: Runtime) -> None:
    """Renewal reminders and protocol review reminders from the practice's register into the
    calendar (planned; the effects step writes them). A broken register raises UserError."""
    register = rt.register()
    if register is None:
        return
    alarms = tuple(rt.config.reminders.deadline_alarm_minutes)
    planned = [
        *((entry, "credential") for entry in plan_reminders(register.credentials, rt.today())),
        *(
            (entry, "protocol")
            for entry in plan_protocol_reminders(register.protocols, rt.today(), alarms)
        ),
    ]
    with rt.sessions.begin() as session:
        for entry, source in planned:
            scoped = replace(entry, key=stable_key(rt.config.practice.slug, entry.key))
            plan_calendar_entry(session, rt, scoped, source)
    crash.step("reminders.commit")


def reminders_pass(rt: Runtime, report: SyncReport) -> None:
    """Practice pass: plan the reminders; a register that cannot be read is reported."""
    try:
        plan_credentials(rt)
    except UserError as exc:
        report.errors.append(str(exc))
