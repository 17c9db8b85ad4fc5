"""The shape a case reference has, so a word is never taken for one.

A rule's extract pattern finds a label ("Our ref", "Claim number", "Case reference") and
takes what follows; written for letters that follow the label with the reference, it also
takes "Claimant" from "Case reference Claimant: ..." and "Our" from "Ref: Our client". Every
reference a payer, firm, council, lab or registration body issues carries digits: claim and
authorisation numbers, "HL/PI/2291/JM", "EHCNA/4423", a UBRN "0001 2345 6789", a licence
"G03777". So a case reference (a ref whose name ends in ``_ref``) is accepted only with:

* at least three digits, and at least four characters;
* nothing but letters, digits, spaces and the separators ``/ - . _ #``;
* not a date on its own ("12/10/2016" is when, not which).

Refs that are not case references (a patient's name, a date of birth) keep their own
patterns' shapes.
"""

from __future__ import annotations

import re

__all__ = ["reference_shaped"]

_ALLOWED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /._#-]*[A-Za-z0-9]$")
_DATE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}$")


def reference_shaped(value: str) -> bool:
    """True if ``value`` can be a case reference (see the module's docstring)."""
    if len(value) < 4 or sum(ch.isdigit() for ch in value) < 3:
        return False
    return _ALLOWED.match(value) is not None and _DATE.match(value) is None
