"""The summary's pieces: short case ids, patient-name masking, colour contrast, chart figures,
draft links (Maildir files, Gmail web addresses from the local Google API server)."""

from __future__ import annotations

import re
import urllib.parse
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.clocks.files import load_clocks
from bot.errors import UserError
from bot.keys import marked_message_id
from bot.store.case_ids import (
    ALPHABET,
    normalise_case_id,
    resolve_case_id,
    short_case_id,
)
from bot.summary.charts import AGEING_BUCKETS, _bucket
from bot.summary.links import DraftsFolder, links_from_sink
from bot.summary.local_format import DateStyle
from bot.summary.palette import (
    DARK,
    LIGHT,
    TEXT_PAIRS,
    contrast_ratio,
    dark_mode_css,
)
from bot.summary.privacy import initials, mask_patient_names
from bot.summary.wording import DRAFT_PURPOSES, about, deadline_action, draft_purpose, possessive
from connectors.base import OutgoingDraft
from connectors.maildir import MaildirConnector
from tests.connector_contract import PRACTITIONER
from tests.servers.google_api import GoogleApiServer
from tests.servers.google_testing import gmail_for

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = ["tests.fixtures_google"]

DAY = date(2026, 11, 24)

# --------------------------------------------------------------------------- case ids


def test_short_ids_are_stable_and_readable() -> None:
    # Golden values: an id printed in yesterday's summary must name the same case today.
    assert short_case_id(76) == "SR6Y4D"
    assert short_case_id("76") == "SR6Y4D"
    assert short_case_id(None) == ""
    ids = {short_case_id(n) for n in range(1, 20001)}
    assert len(ids) == 20000  # no two of the first 20,000 cases share an id
    assert all(len(i) == 6 and set(i) <= set(ALPHABET) for i in ids)
    assert not set("ILOU") & set(ALPHABET)


def test_ids_resolve_forgivingly() -> None:
    cases = [3, 76, 120]
    assert resolve_case_id("sr6y4d", cases) == 76
    assert resolve_case_id(" SR6-Y4D ", cases) == 76
    assert normalise_case_id("o1l-i") == "0111"
    assert resolve_case_id("76", cases) == 76 and resolve_case_id("#3", cases) == 3


@pytest.mark.parametrize(
    ("typed", "message"),
    [("ZZZZZZ", "no case with id ZZZZZZ"), ("#77", "no case #77"), ("bad id!", "not a case id")],
)
def test_unknown_ids_are_named_in_the_error(typed: str, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        resolve_case_id(typed, [3, 76])


# --------------------------------------------------------------------------- patient names


def test_labelled_patient_names_are_masked() -> None:
    title = "Follow-up Patient: Marguerite Oyelaran DOB: 02/14/1970 labs"
    assert mask_patient_names(title, "initials") == "Follow-up Patient: M.O. labs"
    assert mask_patient_names(title, "label", ["SR6Y4D"]) == "Follow-up Patient: case SR6Y4D labs"
    assert mask_patient_names(title, "label") == "Follow-up Patient: [name withheld] labs"
    assert mask_patient_names(title, "full") == title
    assert mask_patient_names("Client: Ann-Marie O'Neil, DOB 1970-02-14", "initials") == (
        "Client: A.M.O."
    )
    assert mask_patient_names("Elbow follow-up", "initials") == "Elbow follow-up"
    assert initials("Zoë van der Berg") == "Z.V.D.B."


# --------------------------------------------------------------------------- colours


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_text_colour_reaches_wcag_aa(name: str) -> None:
    palette = LIGHT if name == "light" else DARK
    for text, background in TEXT_PAIRS:
        ratio = contrast_ratio(palette[text], palette[background])
        assert ratio >= 4.5, f"{name}: {text} on {background} is {ratio:.2f}:1"


def test_contrast_formula_and_dark_block() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    css = dark_mode_css()
    assert css.startswith("@media (prefers-color-scheme: dark){")
    for cls in ("c-page", "c-card", "c-muted", "c-link", "c-alert", "f-age3", "f-bar"):
        assert f".{cls}{{" in css
    assert DARK["page"] in css and LIGHT["page"] not in css
    assert set(DARK) == set(LIGHT)


# --------------------------------------------------------------------------- charts


def test_ageing_buckets_are_the_credit_control_ones() -> None:
    assert [b[0] for b in AGEING_BUCKETS] == ["0-30", "31-60", "61-90", "90+"]
    assert [_bucket(d) for d in (0, 30, 31, 60, 61, 90, 91, 400, -3)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        0,
    ]


# --------------------------------------------------------------------------- draft links


def _draft(key: str) -> OutgoingDraft:
    raw = (
        f"From: {PRACTITIONER}\r\nTo: claims@payer.example\r\nSubject: Re: claim\r\n"
        f"Message-ID: <{key}@practice.example>\r\n\r\nDRAFT FOR REVIEW\r\n"
    ).encode()
    return OutgoingDraft(key=key, raw=raw)


def test_maildir_links_to_the_draft_file_wherever_it_moved(tmp_path: Path) -> None:
    sink = MaildirConnector(tmp_path / "Maildir", practitioner_address=PRACTITIONER)
    remote = sink.create_draft(_draft("k1"))
    link = sink.draft_link(remote)
    assert link is not None and link.startswith("file:///")
    path = Path(urllib.parse.unquote(link.removeprefix("file://")))
    assert (
        f"Message-ID: {marked_message_id('k1', 'practice.example')}".encode() in path.read_bytes()
    )
    # A file link opens nothing on a phone or in webmail: only the copy on this computer
    # (`chief summary --open`) has it; the delivered summary names the folder instead.
    assert links_from_sink(sink, [remote]) == {}
    assert links_from_sink(sink, [remote], local=True) == {remote: link}
    assert isinstance(sink, DraftsFolder) and sink.drafts_folder_name() == "Drafts"
    moved = path.with_name(path.name.replace(":2,DS", ":2,DRS"))
    path.rename(moved)  # a mail client marked it answered
    assert sink.draft_link(remote) == moved.resolve().as_uri()
    moved.unlink()
    assert sink.draft_link(remote) is None
    assert sink.draft_link("../../etc/passwd") is None
    assert links_from_sink(sink, [remote, "Drafts/missing"], local=True) == {}


def test_a_sink_without_links_gives_none() -> None:
    assert links_from_sink(object(), ["x"]) == {}


@pytest.mark.servers
def test_gmail_links_open_the_draft_in_the_web_app(
    google: GoogleApiServer, token_file: Path
) -> None:
    gmail = gmail_for(google, token_file)
    first = gmail.create_draft(_draft("k1"))
    second = gmail.create_draft(_draft("k2"))
    links = links_from_sink(gmail, [first, second, "r999"])
    assert set(links) == {first, second}  # a draft deleted since is left out, not an error
    with google.gmail.lock:
        message_id = google.gmail.drafts[first]
    assert links[first] == (
        f"https://mail.google.com/mail/u/{google.account}/#drafts?compose={message_id}"
    )
    assert gmail.draft_link(second) == links[second]


# --------------------------------------------------------------------------- wording


def test_every_shipped_clock_says_what_to_do_in_words() -> None:
    clocks = load_clocks([ROOT / "rules" / "clocks.yaml"])
    # Every clock has words of its own, or its base clock's (a variant may share them).
    for clock in clocks.values():
        action = clock.action or (clocks[clock.variant_of].action if clock.variant_of else "")
        assert action and "." not in action.split()[0], clock.id
        said = deadline_action(clock.id, clocks, "claim", "Aetna")
        assert said and clock.id not in said and "{" not in said, clock.id
    # Every shipped template a rule drafts is named in words.
    shipped = {
        p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*.j2")
    }
    drafted = {
        t
        for t in shipped
        if not t.startswith("summary") and not any(part.startswith("_") for part in t.split("/"))
    }
    assert drafted <= set(DRAFT_PURPOSES), sorted(drafted - set(DRAFT_PURPOSES))
    said = deadline_action("solicitor.acknowledge", clocks, "medico_legal", "Harcourt Lyle LLP")
    assert said == "Reply to Harcourt Lyle LLP's letter of instruction"
    # No party in the directory: who such a case is with; a name ending in s: s'.
    assert deadline_action("solicitor.acknowledge", clocks, "medico_legal", None) == (
        "Reply to the solicitor's letter of instruction"
    )
    assert possessive("Penhallow & Grieve Solicitors") == "Penhallow & Grieve Solicitors'"
    # A date stated in the message (no clock), a practice's clock without an action.
    assert deadline_action("stated", clocks, "supplement_order", "Fullscript") == (
        "Reorder from Fullscript"
    )
    assert draft_purpose("payer/appeal_request.j2", "prior_auth", "Aetna") == "Appeal to Aetna"
    assert draft_purpose("own/letter.j2", "team", None) == "Reply to the team"
    assert about("prior_auth", "UHC-PA-7731920") == "prior authorisation UHC-PA-7731920"


def test_a_clock_action_holds_no_placeholder_but_party(tmp_path: Path) -> None:
    own = tmp_path / "clocks.yaml"
    own.write_text(
        "clocks:\n  - id: own.reply\n    action: 'Reply to {client} by then'\n"
        "    amount: 3\n    unit: calendar_days\n    source: practice policy\n"
    )
    with pytest.raises(UserError) as caught:
        load_clocks([own])
    assert any("clocks.yaml:3" in p and "{party}" in p for p in caught.value.problems)
    own.write_text(own.read_text().replace("{client}", "{party}"))
    assert load_clocks([own])["own.reply"].action == "Reply to {party} by then"


def test_dates_and_times_follow_the_country() -> None:
    us, gb = DateStyle("US", date(2026, 11, 24)), DateStyle("GB", date(2026, 11, 24))
    assert (us.day(date(2026, 9, 22)), gb.day(date(2026, 9, 22))) == ("Tue, Sep 22", "Tue 22 Sep")
    assert us.day(date(2027, 1, 12)) == "Tue, Jan 12, 2027" and gb.day(date(2027, 1, 12)) == (
        "Tue 12 Jan 2027"
    )
    evening = datetime(2026, 11, 24, 21, 5)
    assert (us.time(evening), gb.time(evening)) == ("9:05 PM", "21:05")
    assert us.time(datetime(2026, 11, 24, 0, 30)) == "12:30 AM"
    assert us.time(date(2026, 11, 24)) == "All day"
