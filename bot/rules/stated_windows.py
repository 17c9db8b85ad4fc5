"""Time limits a notice states itself: "request an appeal within 65 calendar days of the date
of this notice", "you may request a peer-to-peer within 14 days", "please respond by 12 March".

A payer, council or court must tell the recipient how long they have (29 CFR 2560.503-1(g)(1)
(iv); 42 CFR 405.942 and 422.570; 42 CFR 438.404(b)(3); SEN Regs 2014 reg 13(1)), and the
notice's own words are the best evidence of which regime it belongs to. Each limit is read with:

- its **purpose**, from the words of its own clause: ``peer_to_peer`` (a discussion with the
  reviewer), ``appeal`` (appeal, reconsideration, redetermination, dispute, fair hearing),
  ``decision`` (what the sender itself will do by then) or ``reply`` (anything asked of the
  reader: records, comments, information);
- its **length and unit** (calendar, business or working days; weeks; months) or a date;
- its **start**: the notice's date ("of the date of this notice"), its receipt ("of the date
  you receive"), the date of service, or, with no start named, the day the message came;
- "beginning with" / "starting with", which makes the start day day 1.

Nothing here is stored or logged: the result is numbers, a purpose and a start, never the
notice's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import re2

from bot.rules.stated_dates import parse_date, stated_date_positions

__all__ = ["Stated", "find_stated", "mentions", "notice_date"]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


def _re(pattern: str) -> Any:
    return re2.compile("(?i)" + pattern, _OPTIONS)


_ONES = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_WORD = "|".join(sorted([*_ONES, *_TENS, "hundred", "and"], key=len, reverse=True))
_NUMBER = rf"([0-9]{{1,3}}|(?:(?:{_WORD})[\s-]*)+)"
_UNIT = r"(calendar\s+|business\s+|working\s+|clear\s+)?(days?|weeks?|months?)\b"
# "within 30 days" needs no start; "has 15 days" or "at least 6 weeks" is a limit only when a
# start follows ("at least 15 days, beginning with the day served"), else it is a description
# ("a trial of conservative care of at least 6 weeks", "the family has 15 days").
_LEAD = (
    r"\b(within|no later than|not later than|up to|at least|a period of|have|has|given"
    r"|allowed|allow)\s+(?:the\s+next\s+|a\s+period\s+of\s+|only\s+)?"
)
_FIRM_LEADS = ("within", "no later than", "not later than", "up to")
_WINDOW = _re(rf"{_LEAD}{_NUMBER}(?:\s*\(\s*[0-9]{{1,3}}\s*\))?\s+{_UNIT}")
_ANCHOR = _re(r"^\s*,?\s*(?:of|from|after|following|since|beginning\s+with|starting\s+with)\b")
_BEGINNING = _re(r"^\s*,?\s*(?:beginning|starting)\s+with\b")
_RECEIPT = _re(r"\breceiv|\breceipt\b|\byou\s+(?:get|got)\b")
# What a limit may count from besides receipt and service: the notice itself ("of this
# notice", "from the date on this letter", "of the adverse determination"). A limit counted
# from anything else ("within 3 months of the previous injection") describes, it asks nothing.
_NOTICE = _re(
    r"\b(?:this|the\s+date\s+(?:of|on)\s+(?:this|the|our|your))\b|\bthe\s+(?:notice|letter"
    r"|determination|decision|denial|notification|adverse|initial|organi[sz]ation|e-?mail"
    r"|message|request|redetermination|reconsideration)\b|\b(?:our|your)\s+(?:letter|notice"
    r"|request|e-?mail)\b"
)
# "If the information is not received within 2 business days, the case will be decided on
# the information on file": a demand of the reader, whatever the sentence says next.
_IF_NOT_RECEIVED = _re(
    r"\bif\s+(?:the\s+|this\s+|these\s+|your\s+)?(?:requested\s+)?(?:information|documentation"
    r"|records?|documents?|it|they|we\s+do\s+not\s+receive)\b[^.;]{0,40}?\bnot\s+(?:received|"
    r"provided|submitted)|\bif\s+we\s+do\s+not\s+(?:receive|hear)"
)
# Words that ask the reader to do something: a reply-by limit is one only with them.
_ASK = _re(
    r"\bplease\b|\bmust\b|\bshould\b|\bneed(?:s|ed)?\s+to\b|\brequired?\b|\bask(?:ed)?\b"
    r"|\b(?:provide|send|submit|return|respond|reply|forward|complete|contact|call)\b"
    r"|\bgrateful\b|\blet\s+us\s+(?:have|know)\b|\bno\s+later\s+than\b|\bif\s+[^.;]{0,60}\bnot\s+"
    r"(?:received|provided|submitted)|\bif\s+we\s+do\s+not\s+(?:receive|hear)"
)
_SERVICE = _re(r"date\s+of\s+service|service\s+date|\bDOS\b")
_PRESUMED = _re(
    rf"presumed\s+(?:to\s+(?:be|have\s+been)\s+)?received\s+{_NUMBER}(?:\s*\(\s*[0-9]+\s*\))?"
    r"\s+(?:calendar\s+)?days?"
)
# Clause boundaries: a sentence's end, a semicolon, a blank line.
_BOUNDARY = _re(r"[.;!?](?:\s|$)|\n\s*\n")
_PURPOSES = (
    ("peer_to_peer", _re(
        r"peer[\s-]*to[\s-]*peer|\bP2P\b|discuss\s+(?:this|the|your)\s+(?:decision|determination"
        r"|case|request)|speak\s+(?:with|to)\s+(?:the|a|our)\s+(?:physician\s+|medical\s+)?"
        r"(?:reviewer|medical\s+director)"
    )),
    ("appeal", _re(
        r"\bappeal|reconsideration|redetermination|\bdispute|fair\s+hearing|\bgrievance"
        r"|external\s+review|review\s+of\s+(?:this|the)\s+(?:decision|determination)"
    )),
    ("decision", _re(
        r"\bwe\s+will\b|you\s+will\s+(?:receive|be\s+notified|hear)|(?:will\s+be|are|is)\s+"
        r"(?:made|issued|completed|decided)\b|decision\s+(?:is|will\s+be)\s+(?:made|due|issued)"
    )),
)  # fmt: skip
_FORWARDED_DATE = _re(
    r"(?m)^[>\s]*(?:-+\s*(?:original|forwarded)\s+message\s*-+[\s\S]{0,300}?)?"
    r"^[>\s]*(?:date|sent)\s*:\s*([^\n]{6,60})"
)
# A forward, not a reply quoting the thread: a "Fwd:" / "FW:" subject or a forward banner.
_FORWARD_MARK = _re(
    r"^\s*(?:(?:re|aw)\s*:\s*)*(?:fwd?|fw)\s*:|forwarded\s+message|begin\s+forwarded"
)
_NOTICE_DATE = _re(
    r"(?:date\s+of\s+(?:this\s+)?(?:notice|letter|determination|decision)|(?:notice|letter"
    r"|determination|decision)\s+date|date\s+(?:issued|mailed|sent))\s*:?\s*([^\n]{6,40})"
)


@dataclass(frozen=True, slots=True)
class Stated:
    """One time limit a notice states: a date (``on``) or a length counted from ``start``.

    ``start`` is ``notice`` (the notice's date), ``receipt`` (when the reader received it),
    ``service`` (the date of service) or ``message`` (no start named: the day it arrived).
    """

    purpose: str
    on: date | None = None
    amount: int = 0
    unit: str = "calendar_days"  # calendar_days | business_days | weeks | months
    start: str = "message"
    includes_start: bool = False
    presumed_days: int | None = None  # "presumed received 5 days after their date"

    def describe(self) -> str:
        """Plain words for the calendar entry, e.g. ``within 14 calendar days of the notice``."""
        if self.on is not None:
            return f"by {self.on:%d %B %Y}"
        unit = self.unit.replace("_", " ")
        if self.amount == 1:
            unit = unit[:-1]
        start = {
            "notice": "the notice's date",
            "receipt": "receipt",
            "service": "the date of service",
            "message": "receipt of the message",
        }[self.start]
        if self.start == "receipt" and self.presumed_days:
            start += f" (presumed {self.presumed_days} days after the notice's date)"
        how = "beginning with" if self.includes_start else "of"
        return f"within {self.amount} {unit} {how} {start}"


def _number(text: str) -> int | None:
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for word in text.replace("-", " ").split():
        if word == "and":
            continue
        if word == "hundred":
            current = max(current, 1) * 100
        elif word in _TENS:
            current += _TENS[word]
        elif word in _ONES:
            current += _ONES[word]
        else:
            return None
    total += current
    return total or None


def _clause(text: str, start: int, end: int) -> tuple[int, str]:
    """The clause around ``text[start:end]``: from the last boundary before it to the next
    after it; returns (offset of the clause, clause)."""
    begin = 0
    for found in _BOUNDARY.finditer(text[:start]):
        begin = found.end()
    after = _BOUNDARY.search(text, end)
    finish = after.start() if after is not None else len(text)
    return begin, text[begin:finish]


def _purpose(text: str, start: int, end: int) -> str:
    """The purpose whose words stand nearest the limit in its own clause; failing that, in the
    sentence just before it in the same paragraph ("You may ask for a reconsideration. You must
    ask within 65 days ..."); ``reply`` if none."""
    if _IF_NOT_RECEIVED.search(_clause(text, start, end)[1]) is not None:
        return "reply"
    found = _nearest(text, start, end)
    if found is None:
        offset, _ = _clause(text, start, end)
        before = text[:offset].rstrip()
        rest = text[offset:]
        between = text[len(before) : offset + len(rest) - len(rest.lstrip())]
        if before and between.count("\n") < 2:  # not across a paragraph
            last = len(before) - 1
            found = _nearest(text, last, last)
    return found or "reply"


def _nearest(text: str, start: int, end: int) -> str | None:
    """The purpose named nearest ``text[start:end]`` within its clause, or None."""
    offset, clause = _clause(text, start, end)
    best: str | None = None
    distance = float("inf")
    for name, pattern in _PURPOSES:
        for found in pattern.finditer(clause):
            here = offset + found.start()
            gap = start - here if here < start else here - end
            # Words before the limit govern it ("request an appeal within 60 days"); a later
            # one only when nothing precedes it.
            gap += 0 if here < start else 1000
            if gap < distance:
                best, distance = name, gap
    return best


def _start(tail: str) -> tuple[str, bool]:
    """Where a limit counts from, read in the words that follow it, up to its clause's end."""
    end = _BOUNDARY.search(tail)
    tail = tail[: end.start()] if end is not None else tail
    if _ANCHOR.search(tail) is None:
        return "message", False
    beginning = _BEGINNING.search(tail) is not None
    if _RECEIPT.search(tail[:90]) is not None:
        return "receipt", beginning
    if _SERVICE.search(tail[:90]) is not None:
        return "service", beginning
    if beginning or _NOTICE.search(tail[:90]) is not None:
        return "notice", beginning
    return "other", beginning


def find_stated(text: str, received: date | None, day_first: bool = False) -> tuple[Stated, ...]:
    """Every time limit ``text`` states, in the order written."""
    found: list[tuple[int, Stated]] = []
    presumed = None
    if (match := _PRESUMED.search(text)) is not None:
        presumed = _number(match.group(1))
    for match in _WINDOW.finditer(text):
        amount = _number(match.group(2))
        if amount is None or not 0 < amount <= 400:
            continue
        kind = (match.group(3) or "").strip().lower()
        word = match.group(4).lower().rstrip("s")
        unit = {"day": "calendar_days", "week": "weeks", "month": "months"}[word]
        if word == "day" and kind in ("business", "working"):
            unit = "business_days"
        start, beginning = _start(text[match.end() : match.end() + 160])
        lead = " ".join(match.group(1).lower().split())
        if start == "other" or (start == "message" and lead not in _FIRM_LEADS):
            continue
        purpose = _purpose(text, match.start(), match.end())
        asks = _ASK.search(_clause(text, match.start(), match.end())[1]) is not None
        if purpose == "reply" and start == "message" and not asks:
            continue  # "a repeat injection within 3 months" asks the reader nothing
        stated = Stated(purpose, None, amount, unit, start, beginning, presumed)
        found.append((match.start(), stated))
    for position, end, when in stated_date_positions(text, received, day_first):
        found.append((position, Stated(_purpose(text, position, end), on=when)))
    return tuple(stated for _, stated in sorted(found, key=lambda item: item[0]))


def mentions(text: str) -> frozenset[str]:
    """The purposes ``text`` speaks of at all (a notice offering a peer-to-peer)."""
    return frozenset(name for name, pattern in _PURPOSES if pattern.search(text) is not None)


def notice_date(
    text: str, received: date | None, day_first: bool = False, subject: str = ""
) -> date | None:
    """The date of the notice itself when the message carries one other than its own date.

    A notice forwarded by the practice's staff (a ``Fwd:`` subject or a forward banner) counts
    from the original's date (its ``Date:`` / ``Sent:`` line), never from the forward's; a
    reply that quotes the thread below it does not; a notice that prints its own date
    ("Date of notice: 10/28/2026") counts from that. Only a date on or before the message's,
    and at most a year earlier, is taken.
    """
    candidates: list[str] = []
    if _FORWARD_MARK.search(subject) is not None or _FORWARD_MARK.search(text) is not None:
        candidates.extend(m.group(1) for m in _FORWARDED_DATE.finditer(text))
    candidates.extend(m.group(1) for m in _NOTICE_DATE.finditer(text))
    for candidate in candidates:
        when = parse_date(candidate, received, day_first)
        if when is None:
            continue
        if received is None or received - timedelta(days=366) <= when <= received:
            return when
    return None
