"""A case reference has a reference's shape: a word ("Claimant", "Our", "Ref") never is one.

Extract patterns find a label and take what follows; mail that puts a word after the label
("Case reference Claimant: ...", "Our ref: Our client") must leave the reference unset or
take the real one further on, never file a case under a word.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.mail.mime import parse_message
from bot.resources import shipped_rules
from bot.rules.engine import load_rules
from bot.rules.references import reference_shaped
from tests.conftest import make_message

RULES = load_rules([shipped_rules()])
WORDS = ["Claimant", "Our", "Ref", "Reference", "Client", "Defendant", "Number", "TBC", "N/A"]


@given(st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1))
def test_no_word_is_a_reference(word: str) -> None:
    assert not reference_shaped(word)


@given(
    st.from_regex(r"[A-Z]{1,4}", fullmatch=True),
    st.from_regex(r"[0-9]{3,9}", fullmatch=True),
    st.sampled_from(["/", "-", ""]),
)
def test_the_shapes_references_take_are_accepted(letters: str, digits: str, sep: str) -> None:
    assert reference_shaped(f"{letters}{sep}{digits}")
    assert reference_shaped(f"{digits}0")  # a bare number of four digits or more
    assert reference_shaped(f"{letters}/PI/{digits}/{letters}")


def test_known_formats_and_near_misses() -> None:
    assert reference_shaped("0001 2345 6789")  # an NHS e-Referral UBRN
    assert reference_shaped("HL/PI/2291/JM")
    assert not reference_shaped("12/10/2016")  # a date is when, not which
    assert not reference_shaped("A1")
    assert not reference_shaped("Ref 12")  # two digits: a paragraph number, not a reference


def _solicitor_letter(ref_line: str) -> bytes:
    body = (
        "Dear Doctor,\n\n"
        f"{ref_line}\n\n"
        "We act for the Claimant in a personal injury claim and write to instruct you to "
        "prepare a medico-legal report on our client.\n\nYours faithfully\nVance & Pryor"
    )
    return make_message(
        "<sol-1@vancepryor.test>",
        "Letter of instruction",
        body,
        "Vance & Pryor LLP <litigation@vancepryor.test>",
    )


def test_a_word_after_the_label_is_never_extracted() -> None:
    for word in WORDS:
        msg = parse_message(_solicitor_letter(f"Case reference {word}: Mr Ellis"), "x")
        result = RULES.classify(msg)
        for name, value in result.refs.items():
            if name.endswith("_ref"):
                assert reference_shaped(value), (word, name, value)
                assert value.lower() != word.lower()


def test_the_real_reference_further_on_is_found() -> None:
    msg = parse_message(_solicitor_letter("Our ref: Claimant\nOur ref: VP/7731/KM"), "x")
    result = RULES.classify(msg)
    assert result.category == "solicitor"
    assert result.refs.get("solicitor_ref") == "VP/7731/KM"
