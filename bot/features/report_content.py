"""What a report checks in the practitioner's own words before it prints them.

- EHCP PROVISION (SEND Code of Practice 9.69: "detailed and specific and should normally be
  quantified"): each item of the ``Provision`` section, with whether it states how often and
  for how long; and whether it educates or trains, which makes it special educational
  provision for Section F whoever delivers it (Children and Families Act 2014 s.21(5); Code
  9.73-9.74): therapy provision in an OT's advice goes to F, not G.
- EHCP OUTCOMES (Code 9.66): each outcome, with whether it is SMART enough to print: a
  measure and a time by which it is reached.
- RETURN TO SPORT (Amsterdam 2022 consensus, Br J Sports Med 2023;57:695-711): the steps,
  and how many the notes record as completed; a letter never certifies a step not done.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["AMSTERDAM_STEPS", "provision_items", "smart_outcomes", "steps_completed"]

AMSTERDAM_STEPS: tuple[str, ...] = (
    "Symptom-limited activity: daily activities that do not worsen symptoms",
    "Aerobic exercise: 2A light (up to about 55% of maximum heart rate), then 2B moderate "
    "(up to about 70%); light resistance training may start",
    "Individual sport-specific exercise, away from the team environment",
    "Non-contact training drills",
    "Full-contact practice",
    "Return to sport",
)

_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_HOW_OFTEN = re.compile(
    r"(?i)\b(\d+|one|two|three|four|five|six|weekly|daily|fortnightly|termly|once|twice)\b.*?"
    r"\b(per|a|each|every|x|times|sessions?|weekly|daily|fortnightly|termly)\b"
)
_HOW_LONG = re.compile(
    r"(?i)\b\d+\s*(?:-\s*\d+\s*)?(?:min(?:ute)?s?|hours?|hrs?|weeks?|terms?|months?|sessions?)\b"
)
_TRAINS = re.compile(
    r"(?i)\b(therap\w*|programme|program|teach\w*|train\w*|educat\w*|coach\w*|model\w*|"
    r"practi[cs]e|skills?|strateg\w*|OT)\b"
)
_MEASURE = re.compile(r"(?i)(\d|%|independent\w*|without (?:help|support|prompt\w*)|consistent)")
_BY_WHEN = re.compile(
    r"(?i)\b(by|within|before|end of|at the end of)\b.*\b(term|year|month|weeks?|review|"
    r"20\d\d|january|february|march|april|may|june|july|august|september|october|november|"
    r"december|christmas|easter|summer|autumn|spring)\b"
)


def _items(text: str) -> list[str]:
    items: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if _ITEM.match(line) or not items:
            items.append(_ITEM.sub("", line).strip())
        else:
            items[-1] = f"{items[-1]} {line.strip()}"
    return items


def provision_items(text: str) -> list[dict[str, Any]]:
    """Each provision item: ``text``, ``quantified`` (how often and how long both stated),
    ``educates`` (it educates or trains: Section F)."""
    return [
        {
            "text": item,
            "quantified": bool(_HOW_OFTEN.search(item) and _HOW_LONG.search(item)),
            "educates": bool(_TRAINS.search(item)),
        }
        for item in _items(text)
    ]


def smart_outcomes(text: str) -> list[dict[str, Any]]:
    """Each outcome: ``text``, ``measurable``, ``timed``."""
    return [
        {
            "text": item,
            "measurable": bool(_MEASURE.search(item)),
            "timed": bool(_BY_WHEN.search(item)),
        }
        for item in _items(text)
    ]


def steps_completed(value: str) -> int:
    """The last Amsterdam step the notes record as completed (``1-3`` or ``3``); 0 for none."""
    found = re.findall(r"[1-6]", value)
    return int(found[-1]) if found else 0
