"""The summary's lines: one small record per thing it lists (mail, cases, drafts, deadlines,
renewals, today's events), built by the job from the case log and drawn by the templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "CaseLine",
    "DeadlineLine",
    "DraftLine",
    "LookLine",
    "MailCount",
    "Renewal",
    "TodayEvent",
]


@dataclass(frozen=True, slots=True)
class MailCount:
    """Messages received since the last summary in one category (``None``: unclassified)."""

    category: str | None
    count: int


@dataclass(frozen=True, slots=True)
class LookLine:
    """A message the bot held for the practitioner ("Needs a look"), named by when it came
    and the sender's domain (never a subject), with the learned model's guess and why."""

    received: date | None
    sender_domain: str
    guess: str | None  # the model's category
    confidence: float | None
    reason: str  # low_confidence | disagrees
    rule_category: str | None = None  # what the rule said, when the model disagreed
    move: str = ""  # the one move that files it as guessed: "move it to Chief/Referral"


@dataclass(frozen=True, slots=True)
class CaseLine:
    """An open case waiting for the practitioner."""

    case_id: int | str
    kind: str
    status: str
    reference: str | None = None
    next_due: date | None = None
    last_event: str | None = None


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A draft waiting in the Drafts folder, named by what it is and its case
    (:mod:`bot.summary.wording`), never by the mail's subject, which may name a patient."""

    case_id: int | str | None
    purpose: str  # "Appeal to UnitedHealthcare"
    about: str = ""  # "prior authorisation UHC-PA-7731920"
    waiting_since: date | None = None  # the day the mail it answers came
    link: str | None = None  # where the draft opens (bot.summary.links), when known
    folder: str | None = None  # the Drafts folder's name, where no link can open it


@dataclass(frozen=True, slots=True)
class DeadlineLine:
    """A deadline (due within the window, or already overdue): what to do, in the
    practitioner's words (``action``, :mod:`bot.summary.wording`), and what it is about.
    ``clock`` is kept for ordering and tests, never shown."""

    due: date
    action: str  # "Reply to Harcourt Lyle LLP's letter of instruction"
    case_id: int | str | None = None
    about: str = ""  # "medico-legal HL/4471/JS"
    clock: str | None = None


@dataclass(frozen=True, slots=True)
class Renewal:
    """A credential or registration coming up for renewal."""

    name: str
    expires: date
    days_left: int


@dataclass(frozen=True, slots=True)
class TodayEvent:
    """A calendar event today (``start`` is a date for all-day events)."""

    start: date | datetime
    summary: str
    case_ids: tuple[int, ...] = ()  # the cases the appointment is linked to
    # From its appointment brief (bot.features.appointment_brief), counted: the brief itself
    # names items by case number and template, which the summary does not show.
    open_items: int = 0
    labs_to_review: int = 0
    reorders_due: int = 0
