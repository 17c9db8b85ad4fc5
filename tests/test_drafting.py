"""Reply drafts: headers, threading, sanitising, the sandbox and every shipped template."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import TemplateError, UserError
from bot.keys import draft_marker, marked_message_id, marker_of
from bot.letters.drafting import Drafter
from bot.letters.headers import DRAFT_BANNER, clean_header_text, reply_subject
from bot.letters.templates import template_environment
from bot.mail.message import GENERATED_HEADER, Message
from bot.mail.mime import parse_message
from bot.resources import shipped_templates

PRACTITIONER = ("Dr Zoë Hill", "dr.hill@practice.example")
PRACTICE = {
    "name": "Hill Sports Medicine",
    "practitioner": "Dr Zoë Hill",
    "credentials": "MBBS FFSEM",
    "email": "dr.hill@practice.example",
    "phone": "020 7946 0000",
    "address": "1 High Street\nLondon",
}
FULL_REFS = {
    "pa_ref": "PA-20261124",
    "claim_ref": "CLM-998877",
    "ehcp_ref": "EHC/2026/0042",
    "solicitor_ref": "JS/PI/123",
    "referral_ref": "REF-5521",
    "amount": "$1,250.00",
    "reason_code": "CO-50",
    "meeting_date": date(2026, 12, 8),
    "submitted_date": date(2026, 11, 2),
    "service_date": date(2026, 10, 30),
    "event_name": "County Cup final",
    "venue": "Riverside Ground",
    "patient": "Jane Patientname",
    "dob": "01/02/2010",
}
DEADLINE = {"due": date(2027, 1, 5), "clock": "ehcp.advice", "title": "EHC advice due"}
TEMPLATES = [
    "payer/prior_auth_chase.j2",
    "payer/appeal_request.j2",
    "payer/claim_status_inquiry.j2",
    "solicitor/instruction_ack.j2",
    "solicitor/records_request_response.j2",
    "solicitor/chaser_reply.j2",
    "local_authority/ehcp_advice_ack.j2",
    "local_authority/annual_review_ack.j2",
    "referral/referral_ack.j2",
    "team/event_confirm.j2",
]

RAW = b"""From: Claims Team <claims@payer.example>
Reply-To: appeals@payer.example
To: dr.hill@practice.example
Subject: RE: Re: Prior authorisation PA-20261124
Message-ID: <msg-3@payer.example>
In-Reply-To: <msg-2@practice.example>
References: <msg-1@payer.example> <msg-2@practice.example>
Date: Tue, 24 Nov 2026 10:00:00 +0000

Your request is pending.
"""


def original(**changes: object) -> Message:
    return replace(parse_message(RAW, "p1"), **changes)  # type: ignore[arg-type]


def render(
    template: str = "payer/prior_auth_chase.j2",
    msg: Message | None = None,
    context: dict[str, object] | None = None,
    drafter: Drafter | None = None,
    key: str = "key-1",
) -> email.message.EmailMessage:
    drafter = drafter or Drafter([])
    ctx = {"practice": PRACTICE, "refs": {}} if context is None else context
    draft = drafter.render_reply(
        template,
        msg or original(),
        ctx,
        key,
        PRACTITIONER,
        now=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
    )
    assert draft.key == key
    parsed = email.message_from_bytes(draft.raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def body_of(msg: email.message.EmailMessage) -> str:
    return str(msg.get_content()).replace("\r\n", "\n")


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return root


# --- headers and threading ------------------------------------------------------------------


def test_threading_headers() -> None:
    msg = render()
    assert msg["In-Reply-To"] == "<msg-3@payer.example>"
    assert msg["References"].split() == [
        "<msg-1@payer.example>",
        "<msg-2@practice.example>",
        "<msg-3@payer.example>",
    ]
    assert msg["Message-ID"] == marked_message_id("key-1", "practice.example")
    assert msg["X-Chief-Key"] is None and msg[GENERATED_HEADER] is None
    assert msg["Date"]
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"


def test_message_ids_carry_the_key_hashed() -> None:
    """Each draft its own Message-ID, the same however often it is rendered (found again by
    it), and nothing in it that names the key."""
    assert render(key="key-1")["Message-ID"] != render(key="key-2")["Message-ID"]
    assert render(key="key-1")["Message-ID"] == render(key="key-1")["Message-ID"]
    assert "key-1" not in render(key="key-1").as_string()


def test_references_are_trimmed_keeping_the_root() -> None:
    refs = tuple(f"<r{i}@x.example>" for i in range(60))
    msg = render(msg=original(references=refs))
    ids = msg["References"].split()
    assert len(ids) == 20
    assert ids[0] == "<r0@x.example>"
    assert ids[-1] == "<msg-3@payer.example>"


def test_no_message_id_means_no_in_reply_to() -> None:
    msg = render(msg=original(message_id=None, references=()))
    assert msg["In-Reply-To"] is None and msg["References"] is None


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("RE: Re: Prior auth", "Re: Prior auth"),
        ("Prior auth", "Re: Prior auth"),
        ("Aw: SV: re[2]: Claim", "Re: Claim"),
        ("", "Re: (no subject)"),
        ("Regarding your claim", "Re: Regarding your claim"),
    ],
)
def test_reply_subject(subject: str, expected: str) -> None:
    assert reply_subject(subject) == expected
    assert render(msg=original(subject=subject))["Subject"] == expected


def test_reply_to_wins_and_only_one_address() -> None:
    msg = render()
    assert msg["To"] == "appeals@payer.example"
    assert len(msg["To"].addresses) == 1
    assert msg["Cc"] is None and msg["Bcc"] is None
    assert msg["From"].addresses[0].addr_spec == PRACTITIONER[1]
    assert msg["From"].addresses[0].display_name == "Dr Zoë Hill"


def test_from_used_without_reply_to() -> None:
    assert render(msg=original(reply_to=None))["To"] == "claims@payer.example"


def test_bad_practitioner_address_is_a_user_error() -> None:
    with pytest.raises(UserError):
        Drafter([]).render_reply(
            "payer/prior_auth_chase.j2", original(), {}, "k", ("Dr X", "not an address\r\nBcc: x@y")
        )


def test_bad_key_rejected() -> None:
    with pytest.raises(ValueError):
        render(key="k\r\nBcc: evil@x")


# --- header injection -----------------------------------------------------------------------

EXPECTED_HEADERS = {
    "from",
    "to",
    "subject",
    "in-reply-to",
    "references",
    "message-id",
    "date",
    "x-chief-key",
    "x-chief-generated",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
}


def assert_no_injection(msg: email.message.EmailMessage) -> None:
    assert {k.lower() for k in msg} <= EXPECTED_HEADERS
    assert msg["Bcc"] is None and msg["Cc"] is None
    for value in msg.values():
        assert "\r" not in str(value) and "\n" not in str(value)


@pytest.mark.parametrize(
    "subject",
    [
        "Hi\r\nBcc: evil@x.example",
        "Hi\nBcc: evil@x.example",
        "Hi\rBcc: evil@x.example",
        "=?utf-8?q?a=0D=0ABcc:_x@evil.example?=",
        "Re: =?utf-8?b?YQ0KQmNjOiB4QGV2aWwuZXhhbXBsZQ==?=",
        "Hi\x85Bcc: evil@x.example\u2028Cc: y@evil.example",
        "Hi\x00\x1b[31m\u202eevil",
    ],
)
def test_subject_header_injection(subject: str) -> None:
    msg = render(msg=original(subject=subject))
    assert_no_injection(msg)
    assert msg["Subject"].startswith("Re: ")


def test_injection_through_raw_mail_encoded_word() -> None:
    raw = RAW.replace(
        b"Subject: RE: Re: Prior authorisation PA-20261124",
        b"Subject: =?utf-8?q?a=0D=0ABcc:_x@evil.example?=",
    )
    msg = render(msg=parse_message(raw, "p2"))
    assert_no_injection(msg)
    assert msg["Subject"] == "Re: a Bcc: x@evil.example"


def test_injection_through_addresses_and_names() -> None:
    msg = render(
        msg=original(
            reply_to="evil@x.example\r\nBcc: y@evil.example",
            from_name="Claims\r\nBcc: z@evil.example",
        )
    )
    assert_no_injection(msg)
    assert msg["To"] == "claims@payer.example"
    assert "Dear Claims Bcc: z@evil.example," in body_of(msg).splitlines()


def test_injection_through_message_ids() -> None:
    msg = render(
        msg=original(
            message_id="<a@b>\r\nBcc: x@evil.example",
            references=("<ok@x.example>", "<x\r\nBcc: y@evil.example>"),
        )
    )
    assert_no_injection(msg)
    assert msg["References"] == "<ok@x.example>"


def test_no_valid_reply_address_gives_a_draft_without_to() -> None:
    msg = render(msg=original(reply_to=None, from_addr=""))
    assert msg["To"] is None
    assert body_of(msg).startswith(DRAFT_BANNER)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_subject_is_safe(subject: str) -> None:
    cleaned = clean_header_text(subject)
    assert "\r" not in cleaned and "\n" not in cleaned and "=?" not in cleaned
    assert_no_injection(render(msg=original(subject=subject)))


# --- the sandbox and template errors ---------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ refs.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{% set d = {} %}{{ d.update({'a': 1}) }}",
    ],
)
def test_sandbox_escape_is_a_template_error(tmp_path: Path, source: str) -> None:
    write(tmp_path, "evil.j2", "line one\n" + source + "\n")
    with pytest.raises(TemplateError) as info:
        render("evil.j2", drafter=Drafter([tmp_path]))
    assert "evil.j2" in str(info.value)
    assert "line 2" in str(info.value)


def test_undefined_variable_names_template_and_line(tmp_path: Path) -> None:
    write(tmp_path, "typo.j2", "a\nb\n{{ refs.pa_ref }}\n")
    with pytest.raises(TemplateError, match=r"typo\.j2 line 3.*undefined"):
        render("typo.j2", drafter=Drafter([tmp_path]))


def test_syntax_error_names_template_and_line(tmp_path: Path) -> None:
    write(tmp_path, "broken.j2", "ok\n{% if %}\n")
    with pytest.raises(TemplateError, match=r"broken\.j2 line 2"):
        render("broken.j2", drafter=Drafter([tmp_path]))


def test_missing_template(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="not found"):
        render("nope/missing.j2", drafter=Drafter([tmp_path]))


def test_errors_never_carry_values(tmp_path: Path) -> None:
    write(tmp_path, "bad.j2", "{{ refs.secret + 1 }}\n")
    write(tmp_path, "bad2.j2", "{{ refs[message.subject] }}\n")
    drafter = Drafter([tmp_path])
    for name in ("bad.j2", "bad2.j2"):
        with pytest.raises(TemplateError) as info:
            render(
                name,
                msg=original(subject="Jane Patientname"),
                drafter=drafter,
                context={"refs": {"secret": "Jane Patientname"}},
            )
        assert "Patientname" not in str(info.value)
        assert info.value.__cause__ is None or "Patientname" not in str(info.value.__cause__)


def test_values_from_mail_are_not_evaluated() -> None:
    msg = render(
        "payer/prior_auth_chase.j2",
        msg=original(from_name="{{ 7*7 }}", subject="{{ 7*7 }}"),
        context={"practice": PRACTICE, "refs": {"pa_ref": "{{ 7*7 }}{% raw %}"}},
    )
    body = body_of(msg)
    assert "Dear {{ 7*7 }}," in body
    assert "your reference {{ 7*7 }}{% raw %}" in body
    assert "49" not in body
    assert msg["Subject"] == "Re: {{ 7*7 }}"


def test_practice_template_overrides_shipped(tmp_path: Path) -> None:
    write(tmp_path, "payer/prior_auth_chase.j2", "{{ DRAFT_BANNER }}\nOur own chase.\n")
    body = body_of(render(drafter=Drafter([tmp_path])))
    assert "Our own chase." in body
    # a partial can be overridden on its own too
    other = tmp_path / "other"
    write(other, "_partials/signature.j2", "Signed: the practice\n")
    assert body_of(render(drafter=Drafter([other]))).rstrip().endswith("Signed: the practice")


def test_template_may_set_the_subject(tmp_path: Path) -> None:
    write(
        tmp_path,
        "custom.j2",
        '{% set subject = "Authorisation " ~ (refs.get("pa_ref") or "query") %}'
        "{{ DRAFT_BANNER }}\nBody\n",
    )
    msg = render(
        "custom.j2",
        drafter=Drafter([tmp_path]),
        context={"refs": {"pa_ref": "PA-1\r\nBcc: x@evil.example"}},
    )
    assert msg["Subject"] == "Authorisation PA-1 Bcc: x@evil.example"
    assert_no_injection(msg)


def test_filters() -> None:
    env = template_environment([])
    tpl = env.from_string(
        "{{ d | longdate }}|{{ d | fulldate }}|{{ none | longdate }}|{{ 1234.5 | money('£') }}|"
        "{{ '$10' | money }}|{{ none | money }}|{{ t | hhmm }}"
    )
    out = tpl.render(d=date(2026, 11, 24), t=datetime(2026, 11, 24, 9, 5))
    assert out == ("24 November 2026|Tuesday 24 November 2026|[DATE]|£1,234.50|$10|[AMOUNT]|09:05")


def test_html_autoescape_only_for_html(tmp_path: Path) -> None:
    write(tmp_path, "x.html.j2", "{{ v }}")
    write(tmp_path, "x.txt.j2", "{{ v }}")
    env = template_environment([tmp_path])
    assert env.get_template("x.html.j2").render(v="<b>") == "&lt;b&gt;"
    assert env.get_template("x.txt.j2").render(v="<b>") == "<b>"


# --- every shipped template -----------------------------------------------------------------


def test_every_listed_template_is_shipped() -> None:
    for name in TEMPLATES:
        assert (shipped_templates() / name).is_file(), name


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_renders_with_nothing_known(template: str) -> None:
    msg = render(template, msg=original(from_name="", date=None), context={"refs": {}})
    body = body_of(msg)
    assert body.splitlines()[0] == DRAFT_BANNER
    assert "None" not in body
    assert "Dear Sir or Madam," in body
    assert "[" in body  # visible placeholders, never invented facts
    assert body.rstrip().endswith("[PRACTICE NAME]")
    assert msg["In-Reply-To"] == "<msg-3@payer.example>"


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_renders_with_everything_known(template: str) -> None:
    context = {
        "practice": {
            **PRACTICE,
            "signature": "Dr Zoë Hill MBBS FFSEM\nHill Sports Medicine",
            "fee_terms": "Report fee £900, payable within 30 days.",
        },
        "refs": FULL_REFS,
        "case": {
            "kind": "prior_auth",
            "status": "pending",
            "reference": "PA-20261124",
            "refs": {"pa_ref": "PA-20261124", "patient": "Jane Patientname"},
            "opened": date(2026, 11, 1),
        },
        "deadline": DEADLINE,
        "today": date(2026, 11, 24),
    }
    draft = Drafter([]).render_reply(template, original(), context, "key-full", PRACTITIONER)
    msg = email.message_from_bytes(draft.raw, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    assert not msg.defects
    body = body_of(msg)
    lines = body.splitlines()
    assert lines[0] == DRAFT_BANNER
    assert "deadline 5 January 2027, EHC advice due" in lines[1]  # internal note
    assert body.rstrip().endswith("Dr Zoë Hill MBBS FFSEM\nHill Sports Medicine")
    assert "Patientname" not in body and "01/02/2010" not in body
    assert "None" not in body
    assert "Dear Claims Team," in body
    assert draft.in_reply_to == msg["In-Reply-To"] == "<msg-3@payer.example>"
    # the bot's own parser reads it back, threaded to the original; no header says "chief"
    again = parse_message(draft.raw, "draft")
    assert again.chief_mark is None and again.chief_key is None
    assert marker_of(again.message_id) == draft_marker("key-full")
    assert again.in_reply_to == "<msg-3@payer.example>"
    assert again.to == ("appeals@payer.example",)
    assert again.text.startswith("DRAFT FOR REVIEW")


def test_ehcp_ack_states_the_advice_date() -> None:
    body = body_of(
        render(
            "local_authority/ehcp_advice_ack.j2",
            context={"practice": PRACTICE, "refs": {}, "deadline": DEADLINE},
        )
    )
    assert "I will provide my advice by 5 January 2027." in body
    body = body_of(render("local_authority/ehcp_advice_ack.j2", context={"refs": {}}))
    assert "I will provide my advice by [DATE: six weeks" in body


def test_instruction_ack_fee_terms() -> None:
    with_terms = body_of(
        render(
            "solicitor/instruction_ack.j2",
            context={"practice": {**PRACTICE, "fee_terms": "Fee £750 + VAT."}, "refs": {}},
        )
    )
    assert "Fee £750 + VAT." in with_terms
    without = body_of(render("solicitor/instruction_ack.j2", context={"refs": {}}))
    assert "[FEE TERMS" in without


def test_placeholders_when_refs_missing() -> None:
    """The identifier the letter cannot go without stays a visible placeholder; an optional
    fact nobody stated is left out, never invented."""
    body = body_of(render("payer/appeal_request.j2", context={"refs": {}}))
    assert "[CLAIM NUMBER]" in body and "[GROUNDS FOR REVIEW" in body
    for label in ("Denial reason code:", "Amount billed:", "Date(s) of service:"):
        assert label not in body
    body = body_of(render("payer/appeal_request.j2", context={"refs": FULL_REFS}))
    assert "CLM-998877" in body and "CO-50" in body and "$1,250.00" in body
    assert "[CLAIM NUMBER]" not in body


def test_undefined_name_from_data_is_not_echoed(tmp_path: Path) -> None:
    write(tmp_path, "lookup.j2", "{{ refs[message.from_name] }}\n")
    with pytest.raises(TemplateError) as info:
        render("lookup.j2", msg=original(from_name="Patientname"), drafter=Drafter([tmp_path]))
    assert "Patientname" not in str(info.value)
    assert "lookup.j2 line 1" in str(info.value)


def test_error_in_an_included_partial_names_the_partial(tmp_path: Path) -> None:
    write(tmp_path, "_partials/signature.j2", "ok\n{{ practice.nickname.first }}\n")
    with pytest.raises(TemplateError, match=r"_partials/signature\.j2 line 2"):
        render(drafter=Drafter([tmp_path]))


def test_encoded_words_in_values_are_decoded_not_mangled() -> None:
    assert clean_header_text("Zoë – =?utf-8?q?caf=C3=A9?= 日本") == "Zoë – café 日本"
    assert clean_header_text("=?x-unknown?q?abc?=") == "= ?x-unknown?q?abc?="
    assert reply_subject("Re: =?utf-8?b?UmU6IENsYWlt?=") == "Re: Claim"


@pytest.mark.parametrize(
    ("sender", "reply_to", "to"),
    [
        ("no-reply@notifications.payer.example", None, None),
        ("precert-noreply@payer.example", None, None),
        ("DoNotReply@payer.example", None, None),
        ("precert.notifications@payer.example", None, None),
        ("MAILER-DAEMON@payer.example", None, None),
        ("no-reply@payer.example", "appeals@payer.example", "appeals@payer.example"),
        ("claims@payer.example", "noreply@payer.example", "claims@payer.example"),
        ("claims@payer.example", None, "claims@payer.example"),
    ],
)
def test_a_draft_is_never_addressed_to_a_no_reply_address(
    sender: str, reply_to: str | None, to: str | None
) -> None:
    """Reply-To wins; an address that reads nothing is never the To: the draft has none and
    says why."""
    msg = render(msg=original(from_addr=sender, reply_to=reply_to))
    assert msg["To"] == to
    assert ("reads no replies: add the recipient" in body_of(msg)) is (to is None)


def test_body_lines_keep_rfc_2045_limits_and_read_back_whole() -> None:
    """A long paragraph (here the practice's fee terms, 900 characters with accents and a
    dash) is encoded in quoted-printable lines of at most 76 characters (RFC 2045 6.7), the
    message parses back without a defect, and the text is the same."""
    terms = (
        "Honoraires: £900 — payable within 30 days, réduction for early payment. " * 13
    ).strip()
    context = {"practice": {**PRACTICE, "fee_terms": terms}, "refs": {}}
    msg = render("solicitor/instruction_ack.j2", context=context)
    raw = msg.as_bytes()
    head, _, body = raw.partition(b"\n\n")
    assert max(len(line) for line in body.splitlines()) <= 76
    assert max(len(line) for line in head.splitlines()) <= 998
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    assert not parsed.defects and not any(p.defects for p in parsed.walk())
    assert parsed["Content-Transfer-Encoding"] == "quoted-printable"
    assert terms in body_of(parsed)
