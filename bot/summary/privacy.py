"""Patient names in the summary: shown as the practice's ``[summary] patient_names`` says.

The case log never holds a name, so the only place one can reach the summary is the title of
a calendar appointment the practitioner wrote. A title that names its patient the way the
appointment linker reads it (``Patient: Jane Doe DOB: 02/14/1970``, also ``Client:``,
``Athlete:``, ``Member:``, with or without the date of birth) is rewritten:

- ``initials`` (default): ``Patient: J.D.``; the date of birth is dropped;
- ``label``: ``Patient: case K7Q2MD`` (the short id of the case the appointment is linked
  to, several joined with ``/``), or ``Patient: [name withheld]`` when it is linked to none;
- ``full``: unchanged.

A name written without such a label ("Jane Doe knee f/u") cannot be told from any other words
and is shown as written: put patient names on a ``Patient:`` line to have them masked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

__all__ = ["NameMode", "initials", "mask_patient_names"]

NameMode = Literal["initials", "label", "full"]

# One word of a name: letters, not the start of a date-of-birth label.
_PART = r"(?!(?:dob|d\.o\.b|date\s+of\s+birth)\b)[^\W\d_][^\W\d_'’\-]*"
# A label, the name (letters, spaces, apostrophes, hyphens, dots), then optionally a DOB.
_NAMED = re.compile(
    r"(?i)\b(patient|client|athlete|member)(\s+name)?(\s*:\s*)"
    rf"({_PART}(?:[ '’.\-]+{_PART}){{0,5}})"
    r"(\s*,?\s*(?:\bDOB\b|\bD\.O\.B\.?|date of birth)\s*:?\s*"
    r"(?:[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}|[0-9]{4}-[0-9]{2}-[0-9]{2}))?"
)
_NAME_PARTICLES = frozenset({"dob", "d.o.b", "date"})


def initials(name: str) -> str:
    """``Jane van-Doe`` → ``J.V.D.``: the first letter of each part of the name."""
    parts = [p for p in re.split(r"[\s\-.]+", name) if p and p.lower() not in _NAME_PARTICLES]
    return "".join(f"{p[0].upper()}." for p in parts)


def mask_patient_names(text: str, mode: NameMode, case_labels: Sequence[str] = ()) -> str:
    """``text`` with each labelled patient name shown as ``mode`` says (module docstring)."""
    if mode == "full":
        return text

    def replace(match: re.Match[str]) -> str:
        label = match.group(1) + (match.group(2) or "") + match.group(3)
        if mode == "initials":
            return label + initials(match.group(4))
        if case_labels:
            return label + "case " + "/".join(case_labels)
        return label + "[name withheld]"

    return _NAMED.sub(replace, text)
