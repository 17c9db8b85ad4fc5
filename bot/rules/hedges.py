"""What a notice says it decided, apart from what it says could happen.

A decision letter carries its decision and, around it, conditions and possibilities: an
approval says "if a later request is denied, you will receive a written notice"; a denial says
"if your appeal is approved, we will reprocess the claim" or "claims without a referral may be
denied". Matched as they stand, those words file an approval as a denial. The rules' body
patterns therefore read the body with such clauses blanked out (:func:`asserted`):

- a conditional clause: from "if", "unless", "in the event (that)", "should you/we/the ...",
  "whether or not" to the comma, "then", or the end of its sentence;
- a possibility: "may", "might", "could" or "would" followed by "be" or "not be" and the next
  word ("may be denied", "could not be approved").

Subjects are left whole (a subject states the decision), and references and dates are read
from the full text elsewhere. Like every pattern in the engine, these run on RE2: linear time
whatever the message.
"""

from __future__ import annotations

import re2

__all__ = ["asserted"]

_CONDITIONAL = re2.compile(
    r"(?i)\b(?:if|unless|in the event(?: that)?|should (?:you|your|we|the|this|a|an|it)"
    r"|whether or not)\b[^.!?;:\n,]{0,240}(?:,|\bthen\b|[.!?;:\n]|$)"
)
_POSSIBLE = re2.compile(r"(?i)\b(?:may|might|could|would)\s+(?:not\s+)?(?:also\s+)?be\s+\w+")


def asserted(body: str) -> str:
    """``body`` with its conditional clauses and possibilities blanked out (each replaced by
    a space, so the words on either side never join)."""
    return str(_POSSIBLE.sub(" ", _CONDITIONAL.sub(" ", body)))
