"""The patterns :mod:`bot.summary.privacy` reads a calendar title with: the labels that name a
patient, the words that are part of a name, dates (of birth), ages, and the markup a title may
carry (HTML tags and entities, ``*emphasis*``) that would otherwise hide a name from them.

Written to fail closed: a pattern that is unsure takes more of the title, never less.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = [
    "AGE",
    "DATE",
    "DOB_WORD",
    "DOB_LOOSE",
    "GAP",
    "LABEL",
    "TITLES",
    "TOKEN",
    "TRAIL",
    "plain",
]

LETTER = r"[^\W\d_]"  # a letter of any script

# Words that introduce a patient's name in a title, each followed by a separator: ":", "-",
# "–", "—", "=", or only a space. "Re" is here because "Re: Mrs X" names one.
LABEL = re.compile(
    r"(?i)(?<![\w.])("
    r"patient(?:['’]s)?(?:\s+name)?|pt\.?|re|(?:full\s+)?name|client(?:\s+name)?|our\s+client"
    r"|child(?:['’]s)?(?:\s+name)?|name\s+of\s+child|young\s+person|claimant|athlete|player"
    r"|member|beneficiary|pupil|student|applicant|service\s+user|resident|subject|pat\.?"
    r")(?!" + LETTER + r")"
    r"(\s*[:=\-–—]+\s*|\s+)"
)

# Courtesy titles: part of the name's span, not of its initials.
# fmt: off
TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "master", "prof", "sir", "dame", "lady", "lord",
    "rev", "mstr", "mme", "mlle", "sr", "sra", "herr", "frau",
})
# fmt: on

# One word of a name: letters, with inner apostrophes, hyphens and dots (O'Brien-Núñez, J.R.).
TOKEN = re.compile(LETTER + r"+(?:['’`.\-]" + LETTER + r"+)*\.?")
# What may stand between two words of one name ("Doe, Jane", 'Jane "JJ" Doe', "Jane & John
# Doe", an emoji): anything but a letter, a digit or a break (a bracket, a bar, a colon, a
# dash, a new line...). Taking too much here masks a word too many, never a name too few.
GAP = re.compile(r"[^\w\n()\[\]{}|;:<>=#@\-–—]*")

_MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:[0-9]{4}|['’][0-9]{2}|[0-9]{2})"
_NUMERIC = r"[0-9]{1,4}\s?[/.\-]\s?[0-9]{1,2}\s?[/.\-]\s?[0-9]{2,4}"
_WORDS = (
    rf"{_DAY}\s*(?:of\s+)?{_MONTHS}\.?,?\s*{_YEAR}"
    rf"|{_MONTHS}\.?\s*{_DAY},?\s*{_YEAR}"
    rf"|{_MONTHS}\.?,?\s*[0-9]{{4}}"
)
# A date written the ways a date of birth is: numeric (US, UK, ISO, dotted), or with the month
# named ("Feb 14, 1970", "14 February 1970", "14th of Feb '70").
_DATE = rf"(?<![0-9])(?:{_NUMERIC}|{_WORDS})(?![0-9])"
DATE = re.compile(_DATE, re.I)

# What says "date of birth": DOB, D.O.B., date of birth, born (on), b. 1970.
_DOB_WORD = (
    r"(?:(?<![\w.])d\.?\s?o\.?\s?b(?![\w])\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b"
    r"|\bborn(?:\s+on)?\b|(?<![\w.])b\.(?=\s*[0-9]))"
)
DOB_WORD = re.compile(_DOB_WORD, re.I)
# A date-of-birth word and what follows it up to the next break, when that holds a digit: a
# date of birth in a form DATE does not know is still taken (fail closed).
_DIGITS = r"[^\s|;)\]]*[0-9][^\s|;)\]]*"
DOB_LOOSE = re.compile(
    rf"[(\[]?\s*{_DOB_WORD}\s*[:\-–]?\s*(?:[^\s|;)\]]+\s*){{0,3}}?{_DIGITS}"
    rf"(?:\s*(?:{_DIGITS}|{_MONTHS}\.?,?|of)(?![\w]))*(?:\s*[)\]])?",
    re.I,
)

# An age: "46 years", "46 yrs old", "46yo", "46 y/o", "aged 46".
_AGE = (
    r"(?:\baged?\s*:?\s*[0-9]{1,3}(?:\s*(?:years?|yrs?|y/?o|yo)(?:[\s-]+old)?)?"
    r"|(?<![0-9])[0-9]{1,3}\s*-?\s*(?:years?|yrs?|y/o|yo|y)(?![\w])(?:[\s-]+old)?)"
)
AGE = re.compile(_AGE, re.I)

# After a name: a date of birth (labelled or not), an age, in brackets or after a comma,
# repeated ("Doe, Jane, 46 yrs, DOB 02/14/1970").
TRAIL = re.compile(
    rf"\s*[,;(\[]?\s*(?:{_DOB_WORD}\s*[:\-–]?\s*(?:on\s+)?(?:{_DATE})|{_DATE}|{_AGE})(?:\s*[)\]])?",
    re.I,
)

_TAG = re.compile(r"<[^<>]{0,500}>")
_EMPHASIS = re.compile(r"[*_~`^]+")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2028\u2029\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")


def plain(text: str) -> str:
    """``text`` as a reader sees it: entities decoded (repeatedly: ``&amp;ouml;``), tags and
    emphasis marks dropped, invisible characters removed, compatibility forms folded (NFKC),
    runs of spaces made one. A name in markup is then a name like any other."""
    for _ in range(3):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    text = _TAG.sub(" ", text)
    text = _EMPHASIS.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", text).strip()
