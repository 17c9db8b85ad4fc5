"""The facts a message states, for the drafts that answer it: read, never guessed.

A reply asks again for nothing the message already says. Rules extract the references that
file a message (``pa_ref``, ``claim_ref``...); the letters need more of what the sender wrote:
the date of service, the procedure and reason codes, the amounts billed and paid, a member or
account number, the products and quantities of a stock notice, the list of what a payer needs,
an event's date, time, place and arrival time, a report's time limit. These are read here by
the patterns of the trade (labelled fields such as ``Date of service:``, CARC group codes such
as ``CO-97``, five-character CPT / HCPCS codes next to a code word, ``(qty 12)``), from the
message's text and its calendar invitation, so they hold for wording the samples never used.

A fact is a string as the message writes it (a date as a :class:`datetime.date`, a list of
items as a list of strings). Nothing about the patient's identity is read here (the name and
date of birth are the rules' ``patient`` / ``dob``, kept out of drafts): facts go into drafts
addressed to the party who wrote them.

Every pattern runs on Google RE2 (linear time), like the rules' own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import re2

from bot.rules.notice_facts import CODE as _CODE
from bot.rules.notice_facts import DATE as _DATE
from bot.rules.notice_facts import MONEY as _MONEY
from bot.rules.notice_facts import notice_facts
from bot.rules.stated_dates import parse_date

__all__ = ["stated_facts"]

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20


def _re(pattern: str) -> Any:
    return re2.compile(pattern, _OPTIONS)


# A labelled field: "Label: value" at the start of a line (quoted or indented forwards too).
_FIELDS: dict[str, Any] = {
    "service_date": _re(
        r"(?im)^[>\s]*(?:dates?\s*(?:\(s\)\s*)?of\s+service|DOS|service\s+dates?)\s*[:#]\s*" + _DATE
    ),
    "member_id": _re(
        r"(?im)\b(?:member|subscriber|policy|membership)\s*(?:id|no\.?|number|#)\s*[:#]?\s*"
        r"([A-Z0-9][A-Z0-9-]{4,19})\b"
    ),
    "account_ref": _re(
        r"(?im)\b(?:account|acct|customer)\s*(?:no\.?|number|#|id)\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{3,19})\b"
    ),
    "sport": _re(r"(?im)^[>\s]*sport(?:\s*/\s*level|\s+and\s+level)?\s*:\s*([^\n]{3,60})$"),
    "injury_date": _re(
        r"(?im)^[>\s]*(?:date\s+of\s+injury|injury\s+date|DOI|date\s*/\s*mechanism)\s*:\s*" + _DATE
    ),
    # The last step of a graduated return to sport the sender says was completed: "completed
    # steps 1-3", "has completed step 4".
    "steps_completed": _re(
        r"(?i)\bcompleted\s+steps?\s+(?:1\s*(?:-|–|to|through)\s*)?([1-6])\b(?:[^.]{0,60}"
        r"(?:return[- ]to[- ](?:sport|play)|protocol|without\s+symptoms))"
    ),
    # "Thank you for your report dated 19 October 2026": the report questions are put about.
    "report_date": _re(r"(?i)\byour\s+report\s+dated\s+" + _DATE),
    "submitted_date": _re(
        r"(?im)\b(?:date\s+(?:submitted|received)|(?:request|submitted|received)\s+on)\s*:?\s*"
        + _DATE
    ),
}
_REASON = _re(r"\b((?:CO|PR|OA|PI|CR)\s?-\s?[A-Z]?\d{1,3})\b")
# ICD-10 (-CM) codes next to a word that says so: "Diagnosis: M75.11", "ICD-10 S83.511A".
_DIAGNOSIS = _re(
    r"(?i)\b(?:diagnos[ie]s|dx|icd-?10(?:-cm)?)(?:\s+codes?)?\s*[:#]?\s*"
    r"([A-TV-Z][0-9][0-9AB](?:\.[0-9A-TV-Z]{1,4})?)\b"
)
_BILLED = _re(
    r"(?i)\b(?:billed|charge[ds]?|amount\s+billed|total\s+charges?)\s*(?:amount)?\s*:?\s*" + _MONEY
)
_PAID = _re(r"(?i)\b(?:paid|payment|amount\s+paid)\s*(?:amount)?\s*:?\s*" + _MONEY)
_DENIED = _re(r"(?i)\b(?:denied|not\s+covered|disallowed)\s*(?:amount)?\s*:?\s*" + _MONEY)
_ANY_MONEY = _re(r"(?i)(?:amount|total|balance|invoice)\s*(?:due|of)?\s*:?\s*" + _MONEY)
# What the sender needs: a request ("please provide / submit / send / upload", "we need",
# "the following is required") and the items it names, to the end of its sentence or list.
_NEEDS = _re(
    r"(?is)\b(?:please\s+(?:provide|submit|send|upload|forward|attach)|we\s+(?:need|require)|"
    r"(?:additional|further)\s+information\s+(?:is\s+)?(?:needed|required)\s*:|"
    r"the\s+following\s+(?:is|are)\s+(?:required|needed))\s*(?:the\s+following\s*:?)?\s*"
)
_SENTENCE = _re(r"(?s)^([^.;]{4,400}?)(?:[.;]|\n\s*\n|\z)")
_BULLETS = _re(r"(?m)^[>\s]*(?:[-*•]|\d{1,2}[.)])\s+(\S[^\n]{2,200})$")
# A product line of a dispensary's notice: "SKU X - Name, 60 capsules (qty 12)", "Product: Name",
# "Usual reorder quantity: 24".
_PRODUCT_LINE = _re(
    r"(?im)^[>\s]*(?:SKU\s+[A-Z0-9-]{2,20}\s*[-:]\s*)?([A-Z][^\n:]{2,120}?)\s*\((?:qty|quantity)"
    r"\s*:?\s*(\d{1,5})\)\s*$"
)
_PRODUCT_FIELD = _re(r"(?im)^[>\s]*(?:product|item)\s*:\s*([^\n]{3,150})$")
_QUANTITY_FIELD = _re(
    r"(?im)^[>\s]*(?:usual\s+)?(?:re)?order\s+(?:quantity|qty)\s*:\s*(\d{1,5})\s*$"
)
_BACK_IN_STOCK = _re(r"(?i)\b(?:available\s+again|back\s+in\s+stock)\s*:\s*([^\n.]{3,150})")
_ORDER = _re(r"(?im)\border\s*(?:no\.?|number|#)\s*:?\s*([A-Z0-9][A-Z0-9-]{4,24})\b")
# Event details: a calendar invitation's own fields, else the message's "When:", "Where:".
_WHEN = _re(r"(?im)^[>\s]*(?:when|event\s+date|kick-?off)\s*:\s*([^\n]{4,120})$")
_WHERE = _re(r"(?im)^[>\s]*(?:where|venue|location)\s*:\s*([^\n]{3,150})$")
_ARRIVE = _re(
    r"(?i)\b(?:arrive|report|be\s+there|be\s+on\s+site)\s+(?:by|at|no\s+later\s+than)\s+"
    r"(\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?)"
)
_ON_DAY = _re(r"(?i)\b(?:on\s+the\s+day|day-of|match-?day)\s+contact\s*:?\s*([^\n]{5,120})")
_AT_DATE = _re(
    r"(?i)\b(?:on|for)\s+((?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)(\d{1,2}(?:st|nd|rd|th)?\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\s+\d{4})?|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?"
    r"(?:,?\s+\d{4})?)"
)
# A report's time limit as the instructions state it: "report within 10 weeks of the
# assessment", "your report by 4 December 2026".
_REPORT_WITHIN = _re(
    r"(?i)\breport\s+(?:is\s+(?:due|required)\s+)?within\s+(\d{1,3}\s+(?:working\s+|business\s+)?"
    r"(?:days?|weeks?|months?)(?:\s+of\s+(?:the\s+)?[a-z]+(?:\s+[a-z]+)?)?)"
)
_REPORT_BY = _re(r"(?i)\breport\s+(?:is\s+(?:due|required)\s+)?by\s+" + _DATE)
_RECORDS_PERIOD = _re(
    r"(?i)\b(records?|notes)\s+(?:for|covering|from)\s+(?:the\s+period\s+)?"
    r"([^\n.]{0,30}?\d{4}[^\n.]{0,40}?(?:to|until|-|–)\s*(?:the\s+)?(?:present|date|\S[^\n.]{0,30}?\d{4}))"
)


def _clean(value: str, limit: int = 200) -> str:
    """One line of text: white space and a forward's quote marks (">") folded away."""
    return " ".join(w for w in value.split() if w.strip(">"))[:limit].strip(" ,;:-")


def _first(pattern: Any, text: str, group: int = 1) -> str | None:
    found = pattern.search(text)
    return _clean(found.group(group)) if found else None


_ITEM_STARTS = ("the", "any", "a", "an", "your", "copies", "copy", "all")


def _split_and(part: str) -> list[str]:
    """``part`` split at each "and" that starts a new item ("... and the results of ...")."""
    words = part.split()
    pieces: list[list[str]] = [[]]
    for index, word in enumerate(words):
        following = words[index + 1].lower() if index + 1 < len(words) else ""
        if word.lower() == "and" and following in _ITEM_STARTS and pieces[-1]:
            pieces.append([])
        else:
            pieces[-1].append(word)
    return [" ".join(p) for p in pieces if p]


def _items(phrase: str) -> list[str]:
    """The items of "the X findings (a, b) and the results of any Y" as a list."""
    phrase = _clean(phrase, 400)
    parts: list[str] = []
    depth = 0
    current = ""
    for ch in phrase:
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch == ",":
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    out: list[str] = []
    for part in parts:
        for piece in _split_and(part):
            piece = _clean(piece)
            if piece.lower().startswith("and "):
                piece = piece[4:]
            if len(piece) >= 3:
                out.append(piece)
    return out


# Where a request turns from what to send to how or when to send it.
_HOW = _re(r"(?i)\s(?:on|via|through|at|using|no\s+later\s+than|within|or\s+fax|by\s+fax)\s")


def _needs(text: str) -> list[str]:
    """What the sender asks to be sent: the list under its request, or the request's items."""
    found = _NEEDS.search(text)
    if found is None:
        return []
    after = text[found.end() : found.end() + 1200]
    bullets: list[str] = []
    for line in _BULLETS.finditer(after):
        if not after[: line.start()].strip(" :\n") or (bullets and line.start() < 600):
            bullets.append(_clean(line.group(1)))
        else:
            break
    if bullets:
        return bullets[:12]
    sentence = _SENTENCE.search(after)
    if sentence is None:
        return []
    phrase = sentence.group(1)
    how = _HOW.search(phrase)
    return _items(phrase[: how.start()] if how else phrase)[:12]


_AMOUNT_WORDS = frozenset({"billed", "paid", "allowed", "denied", "charge", "charged", "units"})


def _codes(text: str) -> list[str]:
    out: list[str] = []
    for found in _CODE.finditer(text):
        code = found.group(1).upper()
        rest = (found.group(2) or "").strip()
        if rest.startswith("("):
            described = rest[: rest.find(")") + 1] if ")" in rest else ""
        else:
            cut = len(rest)
            for stop in ("  ", "$", "£", ";"):
                at = rest.find(stop)
                cut = min(cut, at) if at >= 0 else cut
            described = rest[:cut] if rest[:1].isalpha() else ""
            words = []
            for word in described.split():
                if word.lower() in _AMOUNT_WORDS or word.isdigit():
                    break
                words.append(word)
            described = " ".join(words)
        label = f"{code} {_clean(described, 70)}".strip()
        if code not in (c.split()[0] for c in out):
            out.append(label)
    return out[:6]


def _products(text: str) -> list[str]:
    out = [f"{_clean(m.group(1))}, quantity {m.group(2)}" for m in _PRODUCT_LINE.finditer(text)]
    if not out:
        product = _first(_PRODUCT_FIELD, text) or _first(_BACK_IN_STOCK, text)
        if product:
            quantity = _first(_QUANTITY_FIELD, text)
            out.append(f"{product}, quantity {quantity}" if quantity else product)
    return out[:10]


def _event(calendar_parts: Sequence[str], text: str, received: date | None) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for whole in calendar_parts:
        part = whole[whole.find("BEGIN:VEVENT") :] if "BEGIN:VEVENT" in whole else whole
        summary = re2.search(r"(?m)^SUMMARY[^:\n]*:([^\r\n]{2,150})", part)
        location = re2.search(r"(?m)^LOCATION[^:\n]*:([^\r\n]{2,150})", part)
        start = re2.search(r"(?m)^DTSTART([^:\n]*):(\d{8})(?:T(\d{2})(\d{2})\d{2}(Z?))?", part)
        if summary:
            facts.setdefault("event_name", _clean(summary.group(1).replace("\\,", ",")))
        if location:
            facts.setdefault("venue", _clean(location.group(1).replace("\\,", ",")))
        if start:
            day = start.group(2)
            with contextlib.suppress(ValueError):
                facts.setdefault("event_date", date(int(day[:4]), int(day[4:6]), int(day[6:])))
            # A local time as the invitation writes it (TZID or floating); a UTC time would
            # need the practice's zone to be right, so it is left to the invitation itself.
            if start.group(3) and not start.group(5):
                facts.setdefault("event_time", f"{start.group(3)}:{start.group(4)}")
    where = _first(_WHERE, text)
    if where and "venue" not in facts:
        facts["venue"] = where
    when = _first(_WHEN, text)
    if when and "event_date" not in facts:
        parsed = parse_date(when, received)
        if parsed is not None:
            facts["event_date"] = parsed
    if "event_date" not in facts:
        found = _AT_DATE.search(text)
        if found:
            parsed = parse_date(found.group(2), received, day_first=True)
            if parsed is not None:
                facts["event_date"] = parsed
    arrive = _first(_ARRIVE, text)
    if arrive:
        facts["arrival_time"] = arrive
    contact = _first(_ON_DAY, text)
    if contact:
        facts["contact_on_day"] = contact
    return facts


def stated_facts(
    text: str,
    calendar_parts: Sequence[str] = (),
    received: date | datetime | None = None,
    day_first: bool = False,
) -> dict[str, Any]:
    """The facts ``text`` (and its invitations) states: see the module docstring. Keys are
    present only for what was found."""
    day = received.date() if isinstance(received, datetime) else received
    facts: dict[str, Any] = {}
    for name, pattern in _FIELDS.items():
        value = _first(pattern, text)
        if value is None:
            continue
        if name.endswith("_date"):
            parsed = parse_date(value, day, day_first)
            if parsed is not None:
                facts[name] = parsed
        else:
            facts[name] = value
    reason = _first(_REASON, text)
    if reason:
        facts["reason_code"] = reason.replace(" ", "")
    diagnosis = _DIAGNOSIS.search(text)
    if diagnosis:
        facts["diagnosis_code"] = diagnosis.group(1).upper()
    codes = _codes(text)
    if codes:
        facts["procedure_code"] = codes[0] if len(codes) == 1 else ", ".join(codes)
    facts.update(notice_facts(text))
    for name, pattern in (
        ("amount_billed", _BILLED),
        ("amount_paid", _PAID),
        ("amount_denied", _DENIED),
    ):
        value = _first(pattern, text)
        if value:
            facts[name] = value
    if not any(k.startswith("amount") for k in facts):
        value = _first(_ANY_MONEY, text)
        if value:
            facts["amount"] = value
    needs = _needs(text)
    if needs:
        facts["required"] = needs
    products = _products(text)
    if products:
        facts["products"] = products
    order = _first(_ORDER, text)
    if order:
        facts["order_ref"] = order
    facts.update(_event(calendar_parts, text, day))
    within = _first(_REPORT_WITHIN, text)
    if within:
        facts["report_within"] = within
    by = _first(_REPORT_BY, text)
    if by:
        parsed = parse_date(by, day, day_first)
        if parsed is not None:
            facts["report_by"] = parsed
    records = _RECORDS_PERIOD.search(text)
    if records:
        facts["records_period"] = _clean(records.group(2))
    return facts
