"""The practitioner's structured notes: how one is read, and what was not understood.

A NOTE is an email the practitioner writes to herself (subject ``Notes: VT30K5`` or
``Notes: <case reference>``, optionally followed by the report: ``Notes: VT30K5 expert
report``) or a Markdown file in the practice's ``notes/`` folder whose first line is that
subject (``# Notes: VT30K5``). Its body holds:

FIELDS
    ``Field: value`` lines before the first heading (``Report: expert report``, ``Date of
    examination: 3 Nov 2026``, ``Claimant: ...``); ``Outcome:`` lines may stand anywhere.
SECTIONS
    A heading alone on its line (``Findings``, ``## Functional impact``, ``Provision:``), then
    free text up to the next heading.

Anything else (a line before the first heading that is not ``Field: value``, a field or a
heading chief does not know, a date it cannot read) is a PROBLEM: line number, the line, and
what was not understood, with the nearest known name when there is one. Parsing is pure: no
case log, no clock; :mod:`bot.features.case_notes` resolves the case and stores the note.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = [
    "FIELDS",
    "REPORTS",
    "SECTIONS",
    "Note",
    "Problem",
    "parse_date",
    "parse_note",
    "report_from_words",
    "subject_target",
]

# Report type -> the words a note may use for it (the first is its display name).
REPORTS: dict[str, tuple[str, ...]] = {
    "initial_assessment": ("initial assessment report", "initial assessment", "assessment"),
    "progress": ("progress report", "progress", "review"),
    "ehcp_advice": ("EHCP advice", "ehcp advice", "ehcp", "advice"),
    "annual_review": ("annual review contribution", "annual review"),
    "expert_report": ("expert report", "cpr 35 report", "cpr 35", "expert", "medico-legal report"),
    "clearance": (
        "return-to-play clearance letter",
        "clearance letter",
        "clearance",
        "return to play",
        "return-to-play",
    ),
    "insurer_progress": ("insurer progress report", "insurer report", "insurer progress"),
}

# Known field names (lower case) -> the key a template reads.
FIELDS: dict[str, str] = {
    "report": "report",
    "patient": "patient",
    "claimant": "patient",
    "child": "patient",
    "athlete": "patient",
    "client": "patient",
    "date of birth": "dob",
    "dob": "dob",
    "defendant": "defendant",
    "court": "court",
    "claim number": "claim_number",
    "field of expertise": "expertise",
    "date of examination": "examined",
    "date of assessment": "examined",
    "date of review": "examined",
    "evaluation dates": "evaluations",
    "date of injury": "injured",
    "date of accident": "injured",
    "mechanism": "mechanism",
    "sport": "sport",
    "level": "level",
    "symptom-free since": "symptom_free",
    "symptom free since": "symptom_free",
    "steps completed": "steps_completed",
    "cleared for": "cleared_for",
    "return to learn": "return_to_learn",
    "exertion test": "exertion_test",
    "school": "school",
    "year group": "year_group",
    "diagnosis": "diagnosis",
    "sessions": "sessions",
    "sessions authorised": "sessions_authorised",
    "next review": "next_review",
    "outcome": "outcome",
    "consent": "consent",
}
DATE_FIELDS = frozenset({"dob", "examined", "injured", "symptom_free", "next_review"})

# Known section headings (lower case) -> the key a template reads.
SECTIONS: dict[str, str] = {
    "history": "history",
    "background": "history",
    "instructions": "instructions",
    "documents": "documents",
    "literature": "literature",
    "own knowledge": "own_knowledge",
    "examinations": "examinations",
    "tests": "examinations",
    "findings": "findings",
    "functional impact": "functional_impact",
    "opinion": "opinion",
    "range of opinion": "range_of_opinion",
    "conclusions": "conclusions",
    "caveats": "caveats",
    "recommendations": "recommendations",
    "provision": "provision",
    "outcomes": "outcomes",
    "views": "views",
    "needs": "needs",
    "health needs": "health_needs",
    "social care needs": "social_care_needs",
    "health provision": "health_provision",
    "social care provision": "social_care_provision",
    "progress": "progress",
    "goals": "goals",
    "treatment": "treatment",
    "plan": "plan",
    "restrictions": "restrictions",
    "prognosis": "prognosis",
}

_SUBJECT = re.compile(r"^\s*(?:#+\s*)?notes?\s*:\s*(?P<rest>.+?)\s*$", re.IGNORECASE)
_FIELD = re.compile(
    r"^\s*(?:[-*]\s*)?(?P<name>[A-Za-z][A-Za-z0-9 '/-]{0,40}?)\s*:\s*(?P<value>.*)$"
)
_HEADING = re.compile(r"^\s*(?:#{1,6}\s*)?(?P<name>[A-Za-z][A-Za-z /-]{1,40}?)\s*:?\s*$")
_DATE_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%d/%m/%Y", "%b %d %Y", "%B %d %Y")


@dataclass(frozen=True, slots=True)
class Problem:
    """A line of the note that was not understood (``line`` 0: the subject)."""

    line: int
    text: str
    why: str


@dataclass
class Note:
    """What a note says: the case it names, its report, fields and sections (see module)."""

    target: str = ""  # the short id or reference named in the subject
    report: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    outcomes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    drafts: int = 0  # drafts journalled for it (bot/features/case_notes.py)

    @property
    def readable(self) -> bool:
        """Whether the note says anything chief can use (a case and some content)."""
        return bool(self.target) and bool(self.fields or self.sections or self.outcomes)

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "report": self.report,
            "fields": dict(self.fields),
            "sections": dict(self.sections),
            "outcomes": list(self.outcomes),
        }

    @classmethod
    def from_dict(cls, saved: dict[str, object]) -> Note:
        fields = saved.get("fields")
        sections = saved.get("sections")
        outcomes = saved.get("outcomes")
        report = saved.get("report")
        return cls(
            target=str(saved.get("target") or ""),
            report=str(report) if report else None,
            fields=dict(fields) if isinstance(fields, dict) else {},
            sections=dict(sections) if isinstance(sections, dict) else {},
            outcomes=list(outcomes) if isinstance(outcomes, list) else [],
        )


def report_from_words(words: str) -> str | None:
    """The report type ``words`` names (``expert report``, ``EHCP advice``...), or None."""
    cleaned = " ".join(words.lower().replace("_", " ").split()).strip(" .:-")
    if not cleaned:
        return None
    for report, names in REPORTS.items():
        if cleaned == report.replace("_", " ") or cleaned in (n.lower() for n in names):
            return report
    return None


def subject_target(subject: str) -> tuple[str, str] | None:
    """(case id or reference, the rest) of a ``Notes: ...`` subject; None if it is not one."""
    found = _SUBJECT.match(subject or "")
    if found is None:
        return None
    target, _, rest = found.group("rest").partition(" ")
    return target.strip(" ,;"), rest.strip()


def parse_date(text: str) -> date | None:
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip().replace(",", ""))
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _nearest(name: str, known: dict[str, str]) -> str:
    close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.75)
    return f"; did you mean '{close[0].capitalize()}'?" if close else ""


def parse_note(subject: str, body: str, first_line: int = 1) -> Note:
    """Read a note (module docstring); never raises: what is not understood is a Problem.
    ``first_line``: the number of the body's first line (2 in a file whose first is the
    subject), so that a problem names the line she sees."""
    note = Note()
    named = subject_target(subject)
    if named is None or not named[0]:
        note.problems.append(
            Problem(0, subject, "the subject does not name a case: write 'Notes: <case id>'")
        )
    else:
        note.target = named[0]
        if named[1]:
            note.report = report_from_words(named[1])
            if note.report is None:
                note.problems.append(
                    Problem(0, subject, f"'{named[1]}' is not a report chief knows: {_known()}")
                )
    current: str | None = None
    buffers: dict[str, list[str]] = {}
    for number, line in enumerate(body.splitlines(), start=first_line):
        stripped = line.strip()
        if not stripped:
            if current is not None:
                buffers[current].append("")
            continue
        heading = _HEADING.match(stripped)
        if heading is not None:
            name = heading.group("name").strip().lower()
            if name in SECTIONS:
                current = SECTIONS[name]
                buffers.setdefault(current, [])
                continue
            if stripped.startswith("#") or current is None:
                hint = _nearest(name, SECTIONS)
                why = (
                    f"'{heading.group('name').strip()}' is not a section chief knows{hint}"
                    if hint or stripped.startswith("#")
                    else f"neither a 'Field: value' line nor a section heading ({_sections()})"
                )
                note.problems.append(Problem(number, stripped, why))
                continue
        fielded = _FIELD.match(stripped)
        if fielded is not None and fielded.group("name").strip().lower() == "outcome":
            if fielded.group("value").strip():
                note.outcomes.append(fielded.group("value").strip())
            continue
        if current is not None:
            buffers[current].append(line.rstrip())
            continue
        if fielded is None:
            note.problems.append(
                Problem(number, stripped, "neither a 'Field: value' line nor a section heading")
            )
            continue
        _read_field(note, number, stripped, fielded.group("name"), fielded.group("value"))
    for key, lines in buffers.items():
        text = "\n".join(lines).strip()
        if text:
            note.sections[key] = text
        else:
            note.problems.append(Problem(0, key, f"the section '{_title(key)}' is empty"))
    if note.target and not (note.fields or note.sections or note.outcomes):
        note.problems.append(Problem(0, subject, "the note has no fields or sections"))
    return note


def _read_field(note: Note, number: int, line: str, raw_name: str, raw_value: str) -> None:
    name, value = raw_name.strip().lower(), raw_value.strip()
    key = FIELDS.get(name)
    if key is None:
        why = f"'{raw_name.strip()}' is not a field chief knows{_nearest(name, FIELDS)}"
        note.problems.append(Problem(number, line, why))
        return
    if not value:
        note.problems.append(Problem(number, line, f"'{raw_name.strip()}' has no value"))
        return
    if key == "report":
        report = report_from_words(value)
        if report is None:
            note.problems.append(Problem(number, line, f"'{value}' is not a report: {_known()}"))
        else:
            note.report = report
        return
    if key in DATE_FIELDS and parse_date(value) is None:
        note.problems.append(
            Problem(number, line, "not a date chief can read: write 2026-11-03 or 3 Nov 2026")
        )
        return
    if key == "steps_completed" and not re.fullmatch(r"(?:[1-6]\s*[-–]\s*)?[1-6]", value):
        note.problems.append(
            Problem(number, line, "write the last step completed, 1 to 6 (e.g. '1-3' or '3')")
        )
        return
    note.fields[key] = value


def _title(key: str) -> str:
    return next((k.capitalize() for k, v in SECTIONS.items() if v == key), key)


def _known() -> str:
    return ", ".join(names[0] for names in REPORTS.values())


def _sections() -> str:
    return "known sections: " + ", ".join(sorted({k.capitalize() for k in SECTIONS}))
