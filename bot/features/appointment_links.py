"""Which case a calendar appointment is about.

An APPOINTMENT is an event of the practitioner's own calendar, or an invitation this bot
copied into it (not one of the deadline, renewal or review entries it writes; a cancelled
event is no appointment). It is linked to cases by
what its title (SUMMARY) or notes (DESCRIPTION) say, first hit wins:

1. **reference** – a case reference the case log knows (``CRL-2026-7740215``,
   ``HL/4471/JS``...) written anywhere in the text, as a whole word;
2. **case** – the case number the daily summary shows, written ``case 42`` or ``case #42``;
3. **patient** – a line ``Patient: <name> DOB: <date of birth>`` (the same name and date of
   birth, written as in the mail, as the payer's or the lab's letters): the keyed pseudonym of
   that line (:mod:`bot.store.pseudonyms`) is compared with the cases' pseudonyms. The name is
   hashed in memory and never stored, logged or shown.

A link by reference or case number names its cases exactly; a link by patient names the
patient, and so every open case of that patient. The appointment's text is read here only: it
is never logged, stored or copied into the summary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import re2
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.keys import stable_key
from bot.store.models import Case, CaseRef
from bot.store.pseudonyms import Pseudonymiser
from connectors.base import CalendarEntry

__all__ = ["Appointment", "AppointmentLink", "CaseLinker", "appointments"]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_TOKEN = re2.compile(r"[A-Za-z0-9](?:[A-Za-z0-9/.\-]*[A-Za-z0-9])?", _OPTIONS)
_CASE_TAG = re2.compile(r"(?i)\bcase\s*(?:no\.?\s*)?#?\s*([0-9]{1,9})\b", _OPTIONS)
_PATIENT = re2.compile(
    r"(?im)(?:patient|client|athlete|member)(?:\s+name)?\s*:\s*([^\n:]{3,60}?)\s*"
    r"(?:\bDOB\b|\bD\.O\.B\.?|date of birth)\s*:?\s*"
    r"([0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}|[0-9]{4}-[0-9]{2}-[0-9]{2})",
    _OPTIONS,
)
# Entries this bot writes itself (deadlines, renewals, reviews) name cases: they are not
# appointments. Invitations it copied into the calendar (a meeting, a fixture) are.
_OWN_CATEGORIES = frozenset({"deadline", "credential", "protocol"})
_INVITATION = "invitation"


@dataclass(frozen=True, slots=True)
class Appointment:
    """One occurrence of a practitioner's event. ``key`` is stable across runs (event UID and
    occurrence); ``text`` (title and notes) stays in memory and out of every repr."""

    key: str
    start: date | datetime
    text: str = field(repr=False)

    @property
    def day(self) -> date:
        return self.start.date() if isinstance(self.start, datetime) else self.start


@dataclass(frozen=True, slots=True)
class AppointmentLink:
    """How an appointment was linked, and to what."""

    appointment: Appointment
    how: str  # reference | case | patient
    case_ids: tuple[int, ...]  # the cases named (every open case of the patient for "patient")
    patients: frozenset[str]  # pseudonyms of the patients concerned
    reference: str | None = None  # the reference found, for "reference"


def appointments(entries: Iterable[CalendarEntry]) -> list[Appointment]:
    """The practitioner's own appointments among calendar ``entries``."""
    out = []
    for entry in entries:
        if _INVITATION not in entry.categories and (
            entry.extra.get("origin") == "chief" or _OWN_CATEGORIES.intersection(entry.categories)
        ):
            continue
        if entry.extra.get("status", "").upper() == "CANCELLED":
            continue
        uid = entry.extra.get("uid") or entry.key
        occurrence = entry.extra.get("recurrence_id", "")
        out.append(
            Appointment(
                key=stable_key("appointment", uid, occurrence),
                start=entry.start,
                text=f"{entry.summary}\n{entry.description}",
            )
        )
    return out


class CaseLinker:
    """Links appointments to the open cases of one practice (references read once)."""

    def __init__(self, session: Session, practice_id: int, pseudonyms: Pseudonymiser) -> None:
        self._session = session
        self._practice_id = practice_id
        self._pseudonyms = pseudonyms
        self._by_value: dict[str, set[int]] = defaultdict(set)
        rows = session.execute(
            select(CaseRef.value, CaseRef.case_id)
            .join(Case, Case.id == CaseRef.case_id)
            .where(CaseRef.practice_id == practice_id, Case.closed.is_(False))
        ).all()
        for value, case_id in rows:
            self._by_value[value.upper()].add(case_id)

    def link(self, appointment: Appointment) -> AppointmentLink | None:
        """The appointment's link, or None when its text names no case and no patient."""
        text = appointment.text
        for token in _TOKEN.findall(text):
            found = self._by_value.get(token.upper())
            if found:
                return self._named(appointment, "reference", sorted(found), token.upper())
        tagged = [int(m) for m in _CASE_TAG.findall(text)]
        if tagged:
            cases = self._session.scalars(
                select(Case.id).where(
                    Case.id.in_(tagged),
                    Case.practice_id == self._practice_id,
                    Case.closed.is_(False),
                )
            ).all()
            if cases:
                return self._named(appointment, "case", sorted(cases), None)
        patients = frozenset(
            p
            for name, dob in _PATIENT.findall(text)
            if (p := self._pseudonyms.pseudonym(name, dob))
        )
        if patients:
            cases = self.cases_of(patients)
            if cases:
                return AppointmentLink(appointment, "patient", tuple(cases), patients)
        return None

    def cases_of(self, patients: Iterable[str]) -> list[int]:
        """Every open case of these patients."""
        wanted = list(patients)
        if not wanted:
            return []
        return list(
            self._session.scalars(
                select(Case.id)
                .where(
                    Case.practice_id == self._practice_id,
                    Case.patient_pseudonym.in_(wanted),
                    Case.closed.is_(False),
                )
                .order_by(Case.id)
            )
        )

    def _named(
        self, appointment: Appointment, how: str, case_ids: list[int], reference: str | None
    ) -> AppointmentLink:
        pseudonyms = self._session.scalars(
            select(Case.patient_pseudonym).where(
                Case.id.in_(case_ids), Case.patient_pseudonym.is_not(None)
            )
        ).all()
        return AppointmentLink(
            appointment, how, tuple(case_ids), frozenset(p for p in pseudonyms if p), reference
        )
