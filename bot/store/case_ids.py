"""Short, stable case ids: what the summary prints and ``chief cases show ID`` takes.

A case's primary key is stable but says nothing and is easy to mistype into another case
("case 36" for "case 63"). The SHORT ID is six characters of Crockford base32 (digits and
capitals without I, L, O, U, so nothing reads as another symbol) of a SHA-256 of the key:
the same case gets the same id on every run and in every summary, neighbouring cases get
unrelated ids, and a typo almost never lands on another case (about one in a billion).

Input is forgiving the Crockford way: lower case is upper case, ``O`` is ``0``, ``I`` and ``L``
are ``1``, hyphens and spaces are ignored, and a plain number or ``#42`` is the primary key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from bot.errors import UserError

__all__ = ["ALPHABET", "SHORT_ID_LENGTH", "normalise_case_id", "resolve_case_id", "short_case_id"]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_ID_LENGTH = 6
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def short_case_id(case_id: int | str | None) -> str:
    """``K7Q2MD``-style id of the case with primary key ``case_id`` ("" for no case)."""
    if case_id is None or case_id == "":
        return ""
    digest = hashlib.sha256(f"chief-case:{int(case_id)}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(SHORT_ID_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def normalise_case_id(text: str) -> str:
    """What a person typed, in canonical form (upper case, typos mapped, separators dropped)."""
    cleaned = "".join(ch for ch in text.strip().upper() if ch not in "-_ ")
    return cleaned.translate(_TYPOS)


def resolve_case_id(text: str, case_ids: Iterable[int]) -> int:
    """The primary key among ``case_ids`` that ``text`` names (short id, ``42`` or ``#42``).

    Raises :class:`UserError` naming what was typed when no case, or more than one, matches.
    """
    raw = text.strip()
    known = list(case_ids)
    if raw.lstrip("#").isdigit():
        number = int(raw.lstrip("#"))
        if number in known:
            return number
        raise UserError(f"no case #{number}", ["list the cases with `chief cases`"])
    wanted = normalise_case_id(raw)
    if len(wanted) != SHORT_ID_LENGTH or any(ch not in ALPHABET for ch in wanted):
        raise UserError(
            f"`{raw}` is not a case id",
            [f"a case id is {SHORT_ID_LENGTH} letters and digits as the summary shows them"],
        )
    hits = [case_id for case_id in known if short_case_id(case_id) == wanted]
    if not hits:
        raise UserError(f"no case with id {wanted}", ["list the cases with `chief cases`"])
    if len(hits) > 1:  # two keys hashing alike: name both so the user can pick by number
        numbers = ", ".join(f"#{h}" for h in sorted(hits))
        raise UserError(f"case id {wanted} is ambiguous", [f"use the case number: {numbers}"])
    return hits[0]
