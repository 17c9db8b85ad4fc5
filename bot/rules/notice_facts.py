"""The facts of a notice a letter answers point by point, beside :mod:`bot.rules.facts`'s:
a claim's lines (each CPT / HCPCS code with its modifiers and the amount billed), an NPI, a
records request's enclosed authority and its ask for certified copies, a supplier's recall
(product, lot, reason, the period it names). Also the patterns both modules read dates,
amounts and procedure codes with. Every pattern runs on Google RE2 (linear time).
"""

from __future__ import annotations

from typing import Any

import re2

__all__ = ["CODE", "DATE", "MONEY", "notice_facts"]

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20


def _re(pattern: str) -> Any:
    return re2.compile(pattern, _OPTIONS)


def _clean(value: str, limit: int = 200) -> str:
    """One line of text: white space and a forward's quote marks (">") folded away."""
    return " ".join(w for w in value.split() if w.strip(">"))[:limit].strip(" ,;:-")


def _first(pattern: Any, text: str, group: int = 1) -> str | None:
    found = pattern.search(text)
    return _clean(found.group(group)) if found else None


DATE = (
    r"(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}"
    r"|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})"
)
MONEY = r"((?:USD\s?|GBP\s?|[$£€])\s?\d{1,3}(?:,\d{3})*(?:\.\d{2})?)"
# A CPT (five digits, or four and a letter) or HCPCS Level II code (a letter and four digits)
# next to a word that says it is one: "CPT 73721", "Exam: 73221 (right shoulder)",
# "Line 2: 76942", "procedure code 20611".
CODE = _re(
    r"(?i)\b(?:cpt|hcpcs|code|procedure|service(?:\s+requested)?|exam(?:\s+requested)?|"
    r"line\s+\d+|test)\s*(?:code)?\s*[:#]?\s*([0-9]{4}[0-9TFU]|[A-V][0-9]{4})\b"
    r"([^\n]{0,60})"
)
# A records request that says the patient's signed authority comes with it, and one that asks
# for certified copies.
_AUTHORITY_ENCLOSED = _re(
    r"(?i)\b(?:enclosed|attached|enclose|attach)\b[^.]{0,60}\b(?:authori[sz]ation|authority|"
    r"consent|mandate)\b|\b(?:authori[sz]ation|authority|consent|mandate)\b[^.]{0,40}\b(?:is|are)\s+"
    r"(?:enclosed|attached)\b"
)
_CERTIFIED = _re(r"(?i)\bcertified\s+cop(?:y|ies)\b")
# CPT / HCPCS modifiers after a code: two characters each ("RT", "25", "59", "XS"), upper
# case, joined by spaces, commas or hyphens ("20611 RT", "97110-GP-KX").
_MODIFIERS = _re(r"^[\s,-]*((?:[A-Z0-9]{2}(?:[\s,]*-?[\s,]*|$)){1,4}?)(?:\s|$|\$|£)")
_MODIFIER = _re(r"\b([A-Z0-9]{2})\b")
_LINE_MONEY = _re(MONEY)
_NPI = _re(r"(?i)\bNPI\s*(?:no\.?|number|#)?\s*[:#]?\s*([0-9]{10})\b")


# A recall notice: the product ("is voluntarily recalling one lot of Magnesium Glycinate 120
# capsules, lot NN2608", "Product: ..."), its lot and the reason ("undeclared milk").
_RECALLED = _re(
    r"(?i)\brecall(?:ing|s|ed)?\s+(?:of\s+)?(?:(?:one|two|three|several|all|certain|the\s+following)"
    r"\s+)?(?:lots?\s+(?:[A-Z0-9-]{3,20}\s+)?of\s+)?([A-Za-z][^,.;:()\n]{2,80}?)"
    r"(?:\s*[,;(]|\s+lots?\b|\s+because\b|\s+due\b|\.|\n)"
)
_RECALL_PRODUCT = _re(r"(?im)^[>\s]*(?:product(?:\s+name)?|item)\s*:\s*([^\n]{3,120})$")
_NOT_A_PRODUCT = frozenset(
    {"notice", "notification", "alert", "information", "letter", "form", "this", "the", "our",
     "is", "was", "has", "and", "to", "for", "number", "reference", "details", "in", "will"}
)  # fmt: skip
_LOT = _re(r"(?i)\blots?\s*(?:no\.?|number|#)?\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{2,19})\b")
_RECALL_REASON = _re(
    r"(?i)\b((?:may\s+)?contain\s+undeclared\s+[a-z]+(?:\s+[a-z]+)?|undeclared\s+[a-z]+"
    r"|contaminat[a-z]+(?:\s+with\s+[a-z]+(?:\s+[a-z]+)?)?|foreign\s+(?:material|matter|bodies)"
    r"|mislabel+(?:ed|ing)|sub-?potent|super-?potent)"
)
_RECALL_SINCE = _re(
    r"(?i)\b(?:bought|purchased|dispensed|received|sold)\s+(?:this\s+lot\s+)?since\s+" + DATE
)


def _recall(text: str) -> dict[str, str]:
    """What a recall notice states: ``product``, ``lot``, ``reason``, ``since`` (strings)."""
    if "recall" not in text.lower():
        return {}
    product = _first(_RECALL_PRODUCT, text)
    if product is None:
        for found in _RECALLED.finditer(text):
            first = found.group(1).split()[0].lower()
            if first not in _NOT_A_PRODUCT:
                product = found.group(1)
                break
    out = {
        "product": _clean(product or "", 120),
        "lot": _first(_LOT, text) or "",
        "reason": _clean(_first(_RECALL_REASON, text) or "", 80),
        "since": _first(_RECALL_SINCE, text) or "",
    }
    return {k: v for k, v in out.items() if v}


def _claim_lines(text: str) -> list[dict[str, str]]:
    """A notice's claim lines: each CPT / HCPCS code with its modifiers and the amount billed
    on its own line ("Billed: CPT 20611 RT   $412.00"), as the sender wrote them."""
    out: list[dict[str, str]] = []
    for found in CODE.finditer(text):
        code = found.group(1).upper()
        if any(line["code"] == code for line in out):
            continue
        rest = found.group(2) or ""
        modifiers = ""
        head = _MODIFIERS.search(rest) if not rest.lstrip().startswith("(") else None
        if head is not None:
            tokens = [m.group(1) for m in _MODIFIER.finditer(head.group(1))]
            if tokens and all(not t.isdigit() or len(t) == 2 for t in tokens):
                modifiers = "-".join(tokens)
        money = _LINE_MONEY.search(rest)
        out.append(
            {"code": code, "modifiers": modifiers, "billed": money.group(1) if money else ""}
        )
    return out[:6]


def notice_facts(text: str) -> dict[str, Any]:
    """What :func:`bot.rules.facts.stated_facts` adds from this module; keys only for what
    was found."""
    facts: dict[str, Any] = {}
    recall = _recall(text)
    if recall.get("product"):
        facts["recall"] = recall
    lines = _claim_lines(text)
    if lines:
        facts["claim_lines"] = lines
    npi = _first(_NPI, text)
    if npi:
        facts["npi"] = npi
    if _AUTHORITY_ENCLOSED.search(text) is not None:
        facts["authority_enclosed"] = "yes"
    if _CERTIFIED.search(text) is not None:
        facts["certified_copies"] = "yes"
    return facts
