"""A supplement recall: the practice's patients on the recalled product, listed from the case log
(by case number, never by name) in a draft to the practitioner, and a reply to the supplier that
asks for its own list; products kept from the dispensary's messages as words, never a patient."""

from __future__ import annotations

import email
import email.policy
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_config
from bot.features.recalls import named_products, product_words, same_product
from bot.jobs.catalogue import sync
from bot.rules.facts import stated_facts
from bot.store.case_ids import short_case_id
from bot.store.models import Case, CaseRef, Draft
from bot.store.note_models import ProductMention
from bot.sync.runtime import Runtime
from tests.conftest import deliver
from tests.fixtures_postgres import case_log_text

PATIENTS = ("Marguerite Oyelaran", "Ingrid Falkenrath", "Bartholomew Quist")


def _mail(n: int, sender: str, subject: str, day: str, body: str) -> bytes:
    return (
        f"From: {sender}\nTo: Dr Test <dr@practice.example>\nSubject: {subject}\n"
        f"Date: {day}\nMessage-ID: <m{n}@example.test>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n\n" + body
    ).encode()


FULLSCRIPT = "Fullscript <orders@fullscript.com>"
MESSAGES = [
    _mail(
        1,
        FULLSCRIPT,
        "Protocol refill due - Order #: FS-2298410",
        "Mon, 02 Nov 2026 10:00:00 -0500",
        "A patient's supplement protocol is due for a refill.\n\nOrder #: FS-2298410\n"
        f"Patient: {PATIENTS[0]}   DOB: 02/14/1970\n"
        "Protocol: Adrenal support (ashwagandha, magnesium glycinate, vitamin B complex)\n"
        "Please review the protocol and reorder by November 27, 2026.\n",
    ),
    _mail(
        2,
        FULLSCRIPT,
        "Protocol refill due - Order #: FS-2298555",
        "Tue, 03 Nov 2026 10:00:00 -0500",
        "A patient's supplement protocol is due for a refill.\n\nOrder #: FS-2298555\n"
        f"Patient: {PATIENTS[1]}   DOB: 07/30/1984\n"
        "Protocol: Sleep support (Magnesium Glycinate 120 mg, L-theanine)\n"
        "Please review the protocol and reorder.\n",
    ),
    _mail(
        3,
        FULLSCRIPT,
        "Protocol refill due - Order #: FS-2298777",
        "Wed, 04 Nov 2026 10:00:00 -0500",
        "A patient's supplement protocol is due for a refill.\n\nOrder #: FS-2298777\n"
        f"Patient: {PATIENTS[2]}   DOB: 01/05/1990\n"
        "Protocol: Immune support (zinc picolinate, magnesium citrate)\n"
        "Please review the protocol and reorder.\n",
    ),
    _mail(
        4,
        "Quality Assurance <qa@northfield-nutra.example>",
        "URGENT: voluntary recall - Magnesium Glycinate 120 capsules, lot NN2608",
        "Tue, 10 Nov 2026 08:00:00 -0500",
        "URGENT - VOLUNTARY RECALL NOTICE\n\nDear Practitioner,\n\n"
        "Northfield Nutraceuticals is voluntarily recalling one lot of Magnesium Glycinate\n"
        "120 capsules, lot NN2608 (best before 08/2028), because a supplier ingredient may\n"
        "contain undeclared milk. People with a milk allergy could have a serious reaction.\n\n"
        "What to do:\n  1. Stop dispensing lot NN2608 immediately and quarantine remaining stock.\n"
        "  2. Contact patients who bought this lot since 08/15/2026.\n"
        "  3. Return stock using the prepaid label by November 20, 2026 for credit.\n",
    ),
]


def test_product_words_and_matching() -> None:
    assert product_words("Magnesium glycinate 120 mg, 90 capsules, quantity 24") == (
        "magnesium glycinate"
    )
    assert product_words("Omega-3 Fish Oil 1000 mg softgels") == "omega-3 fish oil"
    assert same_product("magnesium glycinate", "magnesium glycinate")
    assert same_product("magnesium glycinate buffered", "magnesium glycinate")
    assert not same_product("magnesium citrate", "magnesium glycinate")
    assert not same_product("", "magnesium glycinate")
    text = "Protocol: Adrenal support (ashwagandha, magnesium glycinate and vitamin B complex)"
    assert named_products(text, {}) == ["ashwagandha", "magnesium glycinate", "vitamin complex"]
    assert named_products("Product: Zinc 30 mg", stated_facts("Product: Zinc 30 mg")) == ["zinc"]


def test_recall_facts_name_product_lot_reason_and_period() -> None:
    facts = stated_facts(MESSAGES[3].decode().split("\n\n", 1)[1])
    assert facts["recall"] == {
        "product": "Magnesium Glycinate",
        "lot": "NN2608",
        "reason": "may contain undeclared milk",
        "since": "08/15/2026",
    }
    assert "recall" not in stated_facts("Your order has shipped.")


@pytest.fixture
def synced(
    practice_dir: Callable[..., Path], caplog: pytest.LogCaptureFixture
) -> tuple[Path, Runtime]:
    home = practice_dir()
    for n, raw in enumerate(MESSAGES, 1):
        deliver(home, f"m{n}", raw)
    caplog.set_level(logging.DEBUG)
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    sync(rt)
    return home, rt


def _drafts(home: Path) -> list[email.message.EmailMessage]:
    folder = home / "Maildir" / ".Drafts" / "cur"
    out = []
    for path in sorted(folder.iterdir()):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        out.append(msg)
    return out


def _text(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def test_a_recall_lists_the_patients_on_the_product_by_case(
    synced: tuple[Path, Runtime], caplog: pytest.LogCaptureFixture
) -> None:
    home, rt = synced
    with rt.sessions() as session:
        mentions = session.scalars(select(ProductMention)).all()
        assert {m.product for m in mentions} >= {"magnesium glycinate", "magnesium citrate"}
        cases = {
            ref.value: ref.case_id
            for ref in session.scalars(select(CaseRef).where(CaseRef.name == "order_ref"))
        }
        for case in session.scalars(select(Case).where(Case.id.in_(cases.values()))):
            assert case.patient_pseudonym, "a protocol refill names its patient's case"
        templates = sorted(d.template for d in session.scalars(select(Draft)))
    assert templates.count("supplier/recall_patients.j2") == 1
    assert templates.count("supplier/recall_reply.j2") == 1

    drafts = _drafts(home)
    listing = next(m for m in drafts if "Patients on this product" in _text(m))
    assert str(listing["Subject"]).startswith("Re: URGENT: voluntary recall")
    assert str(listing["To"]) == "dr@practice.example"  # to the practitioner herself
    body = _text(listing)
    assert "RECALL: Magnesium Glycinate, lot NN2608" in body
    assert "Reason: may contain undeclared milk" in body
    assert "Affected: supplied since August 15, 2026" in body
    assert "Patients on this product, from the case log (2):" in body
    # the two cases that named magnesium glycinate, in order, never the magnesium citrate one
    first, second = short_case_id(cases["FS-2298410"]), short_case_id(cases["FS-2298555"])
    assert f"- case {first}: named November 2, 2026" in body
    assert f"- case {second}: named November 3, 2026" in body
    assert body.index(f"case {first}") < body.index(f"case {second}")
    assert f"case {short_case_id(cases['FS-2298777'])}" not in body
    assert "especially if you have a milk allergy" in body
    assert "Stop dispensing lot NN2608" in body

    reply = next(m for m in drafts if str(m["To"]) == "qa@northfield-nutra.example")
    text = " ".join(_text(reply).split())
    assert "Recall: Magnesium Glycinate, lot NN2608" in text
    assert "we have stopped dispensing Magnesium Glycinate from lot NN2608" in text
    assert "patients who ordered through our dispensary, that received lot NN2608 since" in text

    # no patient's name in any draft, in the case log or in the logs
    everything = "\n".join(_text(m) for m in drafts)
    log_text = caplog.text
    stored = case_log_text(home)
    for name in PATIENTS:
        for part in name.split():
            assert part not in everything, part
            assert part not in log_text, part
            assert part not in stored, part
    rt.close()


def test_a_recall_read_twice_drafts_once(
    synced: tuple[Path, Runtime], practice_dir: Callable[..., Path]
) -> None:
    home, rt = synced
    sync(rt)  # nothing new: the recall's list is not drafted again
    with rt.sessions() as session:
        drafts = session.scalars(
            select(Draft).where(Draft.template == "supplier/recall_patients.j2")
        ).all()
        assert len(drafts) == 1
        assert session.scalar(select(ProductMention).limit(1)) is not None
    rt.close()
