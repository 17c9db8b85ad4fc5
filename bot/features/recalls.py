"""Supplement recalls: which of the practice's patients had the recalled product, from the case
log, for the practitioner to contact.

Terminology
-----------
PRODUCT MENTION
    A product a dispensary's message names on a supplement-order case: a patient's protocol
    refill ("Protocol: Adrenal support (ashwagandha, magnesium glycinate, ...)"), a reorder or
    stock notice ("Product: Magnesium glycinate 120 mg, 90 capsules"). Kept as the name's words,
    lower case, without sizes, counts or forms ("magnesium glycinate"), with its case and the
    day: never the patient, whose case holds only a pseudonym (bot/store/pseudonyms.py).
RECALL
    A supplier's recall notice (the rules' ``recall`` event on a ``supplement_order`` case): its
    product, lot, reason and the period it names (:func:`bot.rules.facts.stated_facts`,
    ``recall``). The cases whose mentions name the recalled product (one name's words within
    the other's) are listed in a draft to the practitioner herself, by case number, first and
    last mention and whether a patient is on the case; the draft to the dispensary (the rule's
    own, ``supplier/recall_reply.j2``) asks for its list of the practice's patients who had
    the lot. Names come only from her own records: none is read from the case log, none
    logged.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.errors import TemplateError, UserError
from bot.keys import stable_key
from bot.rules.facts import stated_facts
from bot.rules.stated_dates import parse_date
from bot.store.case_ids import short_case_id
from bot.store.models import Case, Draft
from bot.store.note_models import ProductMention
from bot.sync.planning import draft_key
from bot.sync.steps import FiledMessage, SyncReport

__all__ = ["TEMPLATE", "named_products", "product_words", "recall_step", "same_product"]

log = logging.getLogger(__name__)

CASE_KINDS = frozenset({"supplement_order"})
TEMPLATE = "supplier/recall_patients.j2"
# Words of a product line that say how much or what form, not what: dropped from its name.
_NOT_NAME = frozenset(
    {"capsules", "capsule", "caps", "softgels", "softgel", "tablets", "tablet", "tabs", "powder",
     "liquid", "drops", "chewables", "gummies", "lozenges", "sachets", "quantity", "qty", "count",
     "per", "serving", "servings", "and", "with", "the", "for", "bottle", "bottles", "pack",
     "units", "unit", "size", "blend"}
)  # fmt: skip
_WORD = re.compile(r"[a-z][a-z0-9-]*")
_UNIT = re.compile(r"^(?:\d+(?:\.\d+)?)?(?:mg|mcg|g|iu|ml|oz|ct|b)$")
_PROTOCOL = re.compile(r"(?im)^[>\s]*(?:protocol|plan|items?)\s*:\s*[^(\n]*\(([^)\n]{3,300})\)")


def product_words(name: str) -> str:
    """The words that name a product: ``Magnesium glycinate 120 mg, 90 capsules`` →
    ``magnesium glycinate``."""
    words = []
    for word in _WORD.findall(name.lower().partition(", quantity")[0]):
        if len(word) < 2 or word in _NOT_NAME or _UNIT.match(word) or word in words:
            continue
        words.append(word)
    return " ".join(words)[:200]


def named_products(text: str, facts: dict[str, Any]) -> list[str]:
    """The products a dispensary's message names, as :func:`product_words`."""
    names = [str(p) for p in facts.get("products") or ()]
    for found in _PROTOCOL.finditer(text):
        names.extend(re.split(r",|\band\b", found.group(1)))
    out: list[str] = []
    for name in names:
        words = product_words(name)
        if words and words not in out:
            out.append(words)
    return out[:20]


def same_product(mention: str, recalled: str) -> bool:
    """One name's words all within the other's: ``magnesium glycinate`` and ``magnesium
    glycinate buffered``, never ``magnesium citrate``."""
    a, b = set(mention.split()), set(recalled.split())
    return bool(a) and bool(b) and (a <= b or b <= a)


def recall_step(filed: FiledMessage, report: SyncReport) -> None:
    """Message step: keep the products a supplement-order message names; on a recall, draft
    the list of the cases that named the recalled product to the practitioner."""
    if filed.result.case_kind not in CASE_KINDS:
        return
    facts = stated_facts(filed.message.text, (), filed.day)
    if filed.result.event == "recall":
        report.drafts_planned += _plan_recall_list(filed, facts)
        return
    if filed.case is None:
        return
    for product in named_products(filed.message.text, facts):
        key = stable_key(filed.key, "product", product)
        if filed.session.scalar(select(ProductMention.id).where(ProductMention.key == key)):
            continue
        filed.session.add(
            ProductMention(
                key=key,
                practice_id=filed.rt.practice_id,
                case_id=filed.case.id,
                product=product,
                seen_on=filed.day,
            )
        )


def _cases_naming(filed: FiledMessage, recalled: str) -> list[dict[str, Any]]:
    rows = filed.session.execute(
        select(ProductMention, Case)
        .join(Case, Case.id == ProductMention.case_id)
        .where(ProductMention.practice_id == filed.rt.practice_id)
        .order_by(ProductMention.seen_on, ProductMention.id)
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for mention, case in rows:
        if not same_product(mention.product, recalled):
            continue
        entry = found.setdefault(
            case.id,
            {
                "case": short_case_id(case.id),
                "first": mention.seen_on,
                "last": mention.seen_on,
                "patient": case.patient_pseudonym is not None,
                "open": not case.closed,
            },
        )
        entry["last"] = max(entry["last"], mention.seen_on)
    return sorted(found.values(), key=lambda e: (not e["patient"], e["first"]))


def _plan_recall_list(filed: FiledMessage, facts: dict[str, Any]) -> int:
    recall = dict(facts.get("recall") or {})
    recalled = product_words(str(recall.get("product") or ""))
    if not recalled:
        return 0
    rt = filed.rt
    key = draft_key(rt, filed.key, TEMPLATE)
    if filed.session.scalar(select(Draft.id).where(Draft.key == key)):
        return 0
    cases = _cases_naming(filed, recalled)
    context: dict[str, Any] = {
        "practice": rt.practice_context(),
        "case": {"kind": filed.result.case_kind, "status": "recall", "refs": {}},
        "refs": {},
        "facts": facts,
        "today": rt.today(),
        "recall": recall,
        "patients": [c for c in cases if c["patient"]],
        "stock": [c for c in cases if not c["patient"]],
        "since": _as_date(recall.get("since"), filed.day),
    }
    draft = Draft(
        key=key,
        practice_id=rt.practice_id,
        case_id=filed.case.id if filed.case is not None else None,
        message_id=filed.row.id,
        template=TEMPLATE,
        created_at=rt.now(),
    )
    try:
        draft.raw = rt.drafter.render_reply(
            TEMPLATE, filed.message, context, key, rt.practitioner, to="practitioner"
        ).raw
    except (TemplateError, UserError) as exc:
        draft.state, draft.error = "failed", str(exc)[:300]
        log.warning("recall list for message %s not rendered: %s", filed.row.id, type(exc).__name__)
    filed.session.add(draft)
    log.info("recall in message %s: %d case(s) named the product", filed.row.id, len(cases))
    return 1


def _as_date(value: Any, received: date) -> date | str | None:
    if not value:
        return None
    return parse_date(str(value), received) or str(value)
