"""Patient names in the summary: shown as the practice's ``[summary] patient_names`` says.

The case log never holds a name, so the only place one can reach the summary is the title of
a calendar appointment the practitioner wrote. A title that names its patient after a label
(``Patient: Jane Doe DOB: 02/14/1970``, also ``Pt``, ``Re``, ``Name``, ``Client``, ``Child``,
``Young person``, ``Claimant``, ``Athlete``, ``Member``…, with ``:``, ``-``, ``–`` or only a
space after it; the name in any order, ``Doe, Jane`` or ``DOE Jane``, with courtesy titles,
particles, hyphens, apostrophes, any script, inside HTML or ``*emphasis*``) is rewritten:

- ``initials`` (default): ``Patient: J.D.``;
- ``label``: ``Patient: case K7Q2MD`` (the short id of the case the appointment is linked
  to, several joined with ``/``), or ``Patient: [name withheld]`` when it is linked to none;
- ``full``: unchanged.

In ``initials`` and ``label`` the masking fails closed, because a name shown is a disclosure
and a word masked is only a word less:

- the name runs from the label to the first thing a name cannot hold (a digit, a date, a
  date-of-birth word, an age, a bracket, a bar, a dash between spaces, another label), so
  words after a name with no such break are masked with it ("Patient: Jane Doe knee" shows
  ``Patient: J.D.K.``);
- a date of birth, an age, and in a title that labels a patient every date, are dropped;
- a title with a date of birth but no label it can read has every word shown as an initial;
- markup is read as plain text (entities decoded, tags and emphasis dropped) before any of
  this, and the title is then shown as that plain text.

A name written without a label or a date of birth ("Jane Doe knee f/u") cannot be told from
other words and is shown as written: put patient names after a ``Patient:`` label.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from bot.summary.privacy_patterns import (
    AGE,
    DATE,
    DOB_LOOSE,
    DOB_WORD,
    GAP,
    LABEL,
    TITLES,
    TOKEN,
    TRAIL,
    plain,
)

__all__ = ["NameMode", "initials", "mask_patient_names"]

NameMode = Literal["initials", "label", "full"]

_NAME_PARTICLES = frozenset({"dob", "d.o.b", "date"})
_PARTS = re.compile(r"[\s\-.,]+")


def initials(name: str) -> str:
    """``Jane van-Doe`` → ``J.V.D.``: the first letter of each part of the name."""
    parts = [p for p in re.split(r"[\s\-.]+", name) if p and p.lower() not in _NAME_PARTICLES]
    return "".join(f"{p[0].upper()}." for p in parts)


def _name_initials(words: list[str], comma_after: int | None) -> str:
    """Initials in the order first name, last name: "Doe, Jane" and "DOE Jane" are turned
    round; courtesy titles are left out."""
    if comma_after is not None and 0 < comma_after < len(words):
        words = words[comma_after:] + words[:comma_after]
    elif len(words[0]) > 1 and words[0].isupper() and not all(w.isupper() for w in words):
        words = words[1:] + words[:1]  # "DOE Jane": the surname first
    kept = [w for w in words if w.lower().rstrip(".") not in TITLES] or words
    letters = [p[0].upper() for w in kept for p in _PARTS.split(w) if p]
    return "".join(f"{c}." for c in letters)


def _starts_stop(text: str, at: int) -> bool:
    """A name cannot go on at ``at``: a date-of-birth word, a date, an age or another label."""
    return any(pattern.match(text, at) is not None for pattern in (DOB_WORD, DATE, AGE, LABEL))


def _name_span(text: str, start: int) -> tuple[list[str], int | None, int]:
    """The words of the name that starts at ``start``: (words, how many came before a comma,
    or None, where the name ends)."""
    words: list[str] = []
    comma_after: int | None = None
    end = start
    while True:
        gap = GAP.match(text, end)
        at = gap.end() if gap else end
        if words and _starts_stop(text, at):
            break
        token = TOKEN.match(text, at)
        if token is None or (not words and _starts_stop(text, at)):
            break
        if gap is not None and "," in gap.group() and words and comma_after is None:
            comma_after = len(words)
        words.append(token.group())
        end = token.end()
    return words, comma_after, end


def _after_name(text: str, end: int) -> int:
    """Past the date of birth and age that follow a name, however many."""
    while True:
        trail = TRAIL.match(text, end) or DOB_LOOSE.match(text, _skip_blank(text, end))
        if trail is None or trail.end() == end:
            return end
        end = trail.end()


def _skip_blank(text: str, at: int) -> int:
    while at < len(text) and text[at] in " ,":
        at += 1
    return at


def _mask_labelled(text: str, shown: str) -> tuple[str, bool]:
    """``text`` with each labelled name replaced by ``shown`` (``None`` meaning initials) and
    what follows it dropped; whether any label named someone."""
    out: list[str] = []
    at, found = 0, False
    while (label := LABEL.search(text, at)) is not None:
        # "Patient: 02/14/1970 Jane Doe": a date of birth before the name is passed over.
        start = _after_name(text, label.end())
        words, comma_after, end = _name_span(text, start)
        if not words:
            found = found or start > label.end()  # a labelled date: all dates go
            out.append(text[at : label.end()])
            at = label.end()
            continue
        found = True
        end = _after_name(text, end)
        name = shown or _name_initials(words, comma_after)
        out.append(text[at : label.end()] + name)
        at = end
    out.append(text[at:])
    return "".join(out), found


def _all_initials(text: str) -> str:
    return TOKEN.sub(lambda m: _name_initials([m.group()], None), text)


def _tidy(text: str) -> str:
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    text = re.sub(r"[ ]{2,}", " ", text)
    return re.sub(r"\s+([,;)])", r"\1", text).strip(" ,;")


def mask_patient_names(text: str, mode: NameMode, case_labels: Sequence[str] = ()) -> str:
    """``text`` with each labelled patient name shown as ``mode`` says (module docstring)."""
    if mode == "full":
        return text
    read = plain(text)
    if mode == "initials":
        shown = ""
    else:
        shown = ("case " + "/".join(case_labels)) if case_labels else "[name withheld]"
    masked, labelled = _mask_labelled(read, shown)
    has_dob = DOB_WORD.search(masked) is not None
    masked = DOB_LOOSE.sub("", masked)
    if labelled:
        masked = DATE.sub("", AGE.sub("", masked))
    elif has_dob:
        masked = _all_initials(DATE.sub("", masked))
    if not labelled and not has_dob and masked == read:
        return text  # nothing to mask: the title as written
    return _tidy(masked)
