"""Hostile and broken input: generated MIME structures, the shared mail corpus, broken rule,
config and template files. Each gives a clear error naming the item and the run goes on.

The generated-input tests print how many inputs they tried (``pytest -s`` shows the lines);
hypothesis runs derandomized with a fixed example count so CI sees the same inputs each time.
"""

from __future__ import annotations

import base64
import os
import re
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.config import load_config
from bot.errors import MessageError, TemplateError, UserError
from bot.jobs.catalogue import sync
from bot.letters.drafting import Drafter
from bot.letters.templates import render_template, template_environment
from bot.mail.message import Limits, Message
from bot.mail.mime import parse_message
from bot.resources import shipped_rules
from bot.rules.engine import RuleSet, load_rules
from bot.store.models import Draft, MessageRow
from bot.sync.pipeline import message_key
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_message

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
SMALL = Limits(
    max_message_bytes=64 * 1024,
    max_text_chars=2048,
    max_parts=12,
    max_depth=4,
    max_part_bytes=4096,
    max_header_bytes=8192,
    max_calendar_bytes=4096,
)
HYPOTHESIS = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules([shipped_rules()])


# --- generated MIME ------------------------------------------------------------------------

CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "shift_jis", "utf-7", "x-bogus-42", "", "utf-16"]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "binary", "bogus", ""]
LEAF_TYPES = [
    "text/plain",
    "text/html",
    "text/calendar",
    "application/pdf",
    "image/png",
    "message/rfc822",
    "application/x-unknown",
    "text/x-weird",
    "bogus",
]
header_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60
)
raw_bytes = st.binary(max_size=300)


@st.composite
def encoded_word(draw: st.DrawFn) -> str:
    """An RFC 2047 encoded word, valid or not (bogus charsets, broken base64, CR LF inside)."""
    charset = draw(st.sampled_from([*CHARSETS, "utf-8*en"]))
    kind = draw(st.sampled_from(["B", "Q", "b", "x"]))
    text = draw(header_text)
    payload = (
        base64.b64encode(text.encode("utf-8", "replace")).decode()
        if kind in "Bb"
        else text.encode("utf-8", "replace").hex()
    )
    if draw(st.booleans()):
        payload = payload[: len(payload) // 2]  # cut mid-quantum
    return f"=?{charset}?{kind}?{payload}?="


header_value = st.one_of(
    header_text,
    encoded_word(),
    st.lists(st.one_of(header_text, encoded_word()), max_size=4).map(" ".join),
    st.integers(min_value=1000, max_value=40_000).map(lambda n: "x" * n),  # huge header
    st.just("a\x00b\r\nBcc: victim@example.org"),
)


def _param_filename(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(["../../etc/passwd", "report.pdf", "a\x00b.txt", "", "x" * 400]))
    style = draw(st.sampled_from(["plain", "2231", "2231-split", "2047"]))
    if style == "2231":
        return "; filename*=utf-8''" + "".join(f"%{b:02X}" for b in name.encode())
    if style == "2231-split":
        return f"; filename*0=\"{name[:3]}\"; filename*1*=bogus''{name[3:]}"
    if style == "2047":
        return f'; filename="=?utf-8?B?{base64.b64encode(name.encode()).decode()}?="'
    return f'; filename="{name}"'


@st.composite
def leaf(draw: st.DrawFn, huge: bool = True) -> bytes:
    ctype = draw(st.sampled_from(LEAF_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(ENCODINGS))
    params = f"; charset={charset}" if charset else ""
    disposition = draw(st.sampled_from(["", "attachment", "inline", "bogus"]))
    head = f"Content-Type: {ctype}{params}\r\n"
    if cte:
        head += f"Content-Transfer-Encoding: {cte}\r\n"
    if disposition:
        head += f"Content-Disposition: {disposition}"
        head += _param_filename(draw) if draw(st.booleans()) else ""
        head += "\r\n"
    body = draw(raw_bytes)
    if cte == "base64" and draw(st.booleans()):
        body = base64.encodebytes(body)
    if huge and draw(st.integers(0, 9)) == 0:  # now and then a huge part
        body = body * (2_000_000 // max(len(body), 1) + 1) if body else b"A" * 2_000_000
    return head.encode() + b"\r\n" + body


def multipart(children: list[bytes], draw_boundary: str, broken: str) -> bytes:
    boundary = draw_boundary or "b"
    head = f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode()
    if broken == "missing-boundary":
        head = b"Content-Type: multipart/mixed\r\n\r\n"
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + c + b"\r\n" for c in children)
    if broken != "no-close":
        body += b"--" + boundary.encode() + b"--\r\n"
    return head + body


def mime_tree(huge: bool = True) -> st.SearchStrategy[bytes]:
    return st.recursive(
        leaf(huge),
        lambda inner: st.builds(
            multipart,
            st.lists(inner, min_size=0, max_size=5),
            st.sampled_from(["b1", "=_x", "", "a" * 80, "same"]),
            st.sampled_from(["", "missing-boundary", "no-close"]),
        ),
        max_leaves=25,
    )


@st.composite
def message_bytes(draw: st.DrawFn, huge: bool = True) -> bytes:
    headers = [
        ("From", draw(header_value)),
        ("To", draw(header_value)),
        ("Subject", draw(header_value)),
        ("Date", draw(st.sampled_from(["Tue, 24 Nov 2026 09:00:00 +0000", "garbage", ""]))),
        ("Message-ID", draw(st.sampled_from(["<m@x>", "<<>>", "", "no-brackets"]))),
        ("References", draw(header_value)),
    ]
    head = b"".join(
        k.encode() + b": " + v.encode("utf-8", "surrogateescape") + b"\r\n"
        for k, v in headers
        if draw(st.booleans()) or k == "Subject"
    )
    if huge and draw(st.integers(0, 19)) == 0:
        head += b"X-Huge: " + b"y" * 300_000 + b"\r\n"
    if draw(st.integers(0, 9)) == 0:
        head += b"\x00\x00\r\n"
    return head + b"MIME-Version: 1.0\r\n" + draw(mime_tree(huge))


def _check_message(raw: bytes, pid: str, limits: Limits, rules: RuleSet) -> Message | None:
    """The contract: a Message within the limits, or a MessageError naming ``pid``."""
    try:
        message = parse_message(raw, pid, limits)
    except MessageError as exc:
        assert exc.item == pid and exc.reason
        return None
    assert message.provider_id == pid
    assert "\r" not in message.subject and "\n" not in message.subject
    assert len(message.text) <= limits.max_text_chars
    assert len(message.attachments) <= limits.max_parts
    assert all(len(c) <= limits.max_calendar_bytes for c in message.calendar_parts)
    rules.classify(message)  # never raises
    return message


def test_generated_mime_trees_parse_or_fail_cleanly(shipped: RuleSet) -> None:
    tried = {"default": 0, "small": 0, "parsed": 0}

    @HYPOTHESIS
    @given(raw=message_bytes(), small=st.booleans())
    def check(raw: bytes, small: bool) -> None:
        limits = SMALL if small else Limits()
        tried["small" if small else "default"] += 1
        if _check_message(raw, f"gen-{sum(tried.values())}", limits, shipped) is not None:
            tried["parsed"] += 1

    check()
    total = tried["default"] + tried["small"]
    print(f"\ngenerated MIME messages tried: {total} ({tried['parsed']} parsed)", file=sys.stderr)
    assert total >= 300 and tried["parsed"] > 0


@pytest.mark.parametrize("depth", [5, 50, 400])
def test_deep_nesting_is_cut_at_the_depth_limit(depth: int, shipped: RuleSet) -> None:
    body = b"Content-Type: text/plain\r\n\r\nthe innermost words\r\n"
    for level in range(depth):
        b = f"d{level}".encode()
        body = (
            b'Content-Type: multipart/mixed; boundary="'
            + b
            + b'"\r\n\r\n--'
            + b
            + b"\r\n"
            + body
            + b"\r\n--"
            + b
            + b"--\r\n"
        )
    raw = b"From: a@b.example\r\nSubject: deep\r\n" + body
    message = _check_message(raw, "deep", SMALL, shipped)
    if message is not None:
        assert ("TooDeep" in message.defects) == (depth > SMALL.max_depth)
        assert message.truncated == (depth > SMALL.max_depth)


def test_part_count_limit(shipped: RuleSet) -> None:
    parts = [b"Content-Type: text/plain\r\n\r\npart %d" % i for i in range(500)]
    raw = b"From: a@b.example\r\nSubject: many\r\n" + multipart(parts, "p", "")
    message = _check_message(raw, "many", SMALL, shipped)
    assert message is not None and "TooManyParts" in message.defects and message.truncated


def test_oversized_message_is_read_headers_only_and_named(
    shipped: RuleSet, caplog: pytest.LogCaptureFixture
) -> None:
    body = b"Sensitive body words\r\n" * 10_000
    raw = b"From: a@b.example\r\nSubject: big\r\nMessage-ID: <big@x>\r\n\r\n" + body
    message = _check_message(raw, "big-1", SMALL, shipped)
    assert message is not None and message.text == "" and message.truncated
    assert message.size == len(raw) and "MessageTooLarge" in message.defects
    assert "big-1" in caplog.text and "max_message_bytes" in caplog.text
    assert "Sensitive" not in caplog.text


def test_huge_header_block_is_cut(shipped: RuleSet) -> None:
    raw = b"From: a@b.example\r\nSubject: hi\r\n" + b"X-Junk: " + b"z" * 50_000 + b"\r\n\r\nbody"
    message = _check_message(raw, "hdr", SMALL, shipped)
    assert message is not None and "HeadersTooLarge" in message.defects
    assert message.subject == "hi" and message.text == ""


def test_huge_attachment_is_never_decoded() -> None:
    """A 40 MB base64 attachment: counted from its encoded size, never decoded (time and the
    part's data show it), while the text part beside it is read."""
    blob = base64.encodebytes(os.urandom(30 * 1024 * 1024))
    raw = b"From: a@b.example\r\nSubject: scan\r\n" + multipart(
        [
            b"Content-Type: text/plain\r\n\r\nplease see the scan",
            b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            b'Content-Disposition: attachment; filename="scan.pdf"\r\n\r\n' + blob,
        ],
        "s",
        "",
    )
    started = time.perf_counter()
    message = parse_message(raw, "scan", Limits(max_message_bytes=64 * 1024 * 1024))
    elapsed = time.perf_counter() - started
    assert message.text == "please see the scan"
    (attachment,) = message.attachments
    assert abs(attachment.size - 30 * 1024 * 1024) < 1024 * 1024
    print(f"\n40 MB attachment message parsed in {elapsed:.2f} s", file=sys.stderr)


def test_huge_text_part_is_decoded_from_a_prefix_only() -> None:
    text = ("word " * 1_000_000).encode()
    raw = (
        b"From: a@b.example\r\nSubject: long\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Type: text/plain\r\n\r\n" + base64.encodebytes(text)
    )
    limits = Limits(max_part_bytes=4096, max_text_chars=100_000)
    message = parse_message(raw, "long", limits)
    assert message.truncated and message.text.startswith("word word")
    assert len(message.text) <= 4096  # the part's cap, not the (larger) text budget


# --- the shared corpora ----------------------------------------------------------------------


def _corpus(name: str) -> list[Path]:
    folder = CORPORA / name
    if not folder.is_dir():
        reason = f"corpus {folder} not found: check out ../shared/corpora beside the project"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return sorted(p for p in folder.rglob("*") if p.is_file() and "LICENSE" not in p.name.upper())


def test_every_corpus_message_is_parsed_and_classified(shipped: RuleSet) -> None:
    files = _corpus("mail-flanker")
    parsed = refused = 0
    for limits in (Limits(), SMALL):
        for path in files:
            name = str(path.relative_to(CORPORA))
            if _check_message(path.read_bytes(), name, limits, shipped) is None:
                refused += 1
            else:
                parsed += 1
    print(
        f"\ncorpus files processed: {len(files)} x 2 limit sets "
        f"({parsed} parsed, {refused} refused with a named error)",
        file=sys.stderr,
    )
    assert parsed + refused == 2 * len(files) and parsed > 0


# --- through the Maildir connector and the pipeline ------------------------------------------


def test_generated_mail_through_maildir_and_pipeline(
    practice_dir: Callable[..., Path], new_case_log: Callable[[], str | None]
) -> None:
    """A sample of generated messages delivered to a Maildir and synced: every one logged
    exactly once (a parse failure as a row with its error), the run never stops."""
    runs = {"n": 0, "messages": 0}

    @settings(HYPOTHESIS, max_examples=4, phases=[Phase.generate])
    @given(batch=st.lists(message_bytes(huge=False), min_size=8, max_size=8))
    def check(batch: list[bytes]) -> None:
        runs["n"] += 1
        home = practice_dir()
        for index, raw in enumerate(batch):
            deliver(home, f"gen{runs['n']}-{index}", raw)
        deliver(home, f"good{runs['n']}", make_message(f"good{runs['n']}@t", "hello", "hi"))
        rt = Runtime.from_config(load_config(home / "chief.toml"))
        try:
            sync(rt)
            sync(rt)  # a second pass adds nothing
            with rt.sessions() as session:
                rows = session.scalar(select(func.count()).select_from(MessageRow))
        finally:
            rt.engine.dispose()
        # Identical messages are one message (the pipeline's content key), so count keys.
        expected = set()
        for index, raw in enumerate(batch):
            pid = f"gen{runs['n']}-{index}"
            try:
                parsed: Message | None = parse_message(raw, pid, rt.config.limits.limits())
            except MessageError:
                parsed = None
            expected.add(message_key("test-practice/maildir", parsed, pid))
        assert rows == len(expected) + 1
        runs["messages"] += rows
        for sub in ("new", "cur"):
            for leftover in (home / "Maildir" / sub).iterdir():
                leftover.unlink()
        (home / "data" / "chief.db").unlink(missing_ok=True)
        (home / "data" / "case-log.json").unlink(missing_ok=True)  # a new practice, on purpose
        new_case_log()

    check()
    print(f"\ngenerated messages synced through Maildir: {runs['messages']}", file=sys.stderr)
    assert runs["n"] == 4 and runs["messages"] >= 4 * 2


# --- broken rule, config and template files --------------------------------------------------

GOOD_PACK = """\
pack: good
rules:
  - id: good.lab.ready
    category: lab
    match: {subject_any: ['results ready']}
"""
BROKEN_PACKS = {
    "yaml.yaml": ("pack: y\nrules: [\n  - id: x\n", 3),
    "types.yaml": ("pack: t\nrules:\n  - id: t.one\n    category: [not, a, string]\n", 4),
    "unknown.yaml": (
        "pack: u\nrules:\n  - id: u.one\n    category: lab\n    colour: red\n"
        "    match: {subject_any: [x]}\n",
        5,
    ),
    "regex.yaml": (
        "pack: r\nrules:\n  - id: r.one\n    category: lab\n"
        "    match: {subject_any: ['(unclosed']}\n",
        5,
    ),
    "dup.yaml": (
        "pack: d\nrules:\n  - id: d.one\n    category: lab\n    match: {subject_any: [a]}\n"
        "  - id: d.one\n    category: lab\n    match: {subject_any: [b]}\n",
        6,
    ),
    "notamap.yaml": ("- just\n- a list\n", 1),
}


def test_every_kind_of_rule_mistake_names_file_and_line_and_the_rest_loads(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD_PACK)
    for name, (text, _) in BROKEN_PACKS.items():
        (folder / name).write_text(text)
    ruleset = load_rules([folder])
    assert [r.id for r in ruleset.rules] == ["good.lab.ready"]
    for name, (_, line) in BROKEN_PACKS.items():
        hits = [p for p in ruleset.problems if p.startswith(f"{folder / name}:")]
        assert hits, f"no problem reported for {name}: {ruleset.problems}"
        assert any(p.startswith(f"{folder / name}:{line}:") for p in hits), (name, hits)


def test_missing_template_is_named_by_rules_check(tmp_path: Path) -> None:
    from bot.cli.rule_check import check_rules

    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "t.yaml").write_text(
        GOOD_PACK + "    actions:\n      - draft: {template: nowhere/missing.j2}\n"
    )
    problems = check_rules([folder])["problems"]
    assert any(
        p.startswith(f"{folder / 't.yaml'}:3:") and "nowhere/missing.j2" in p for p in problems
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[practice\n", r"chief.toml: .*line 1"),
        ('[practice]\nname = "x"\npractitioner = "y"\nemail = "a@b.example"\nfoo = 1\n', "foo"),
        ('[practice]\nname = "x"\npractitioner = "y"\nemail = "not-an-address"\n', "email"),
        (
            '[practice]\nname = "x"\npractitioner = "y"\nemail = "a@b.example"\n'
            '[limits]\nmax_parts = "many"\n',
            "max_parts",
        ),
        (
            '[practice]\nname = "x"\npractitioner = "y"\nemail = "a@b.example"\n'
            "[limits]\nmax_depth = 0\n",
            "max_depth",
        ),
        (
            '[practice]\nname = "x"\npractitioner = "y"\nemail = "a@b.example"\n'
            "[retention]\nmessage_days = -3\n",
            "message_days",
        ),
        ('[practice]\nname = "x"\nemail = "a@b.example"\n', "practitioner"),
        ("\xff\xfe", "not UTF-8"),
    ],
)
def test_config_mistakes_are_named(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "chief.toml"
    path.write_bytes(text.encode("latin-1") if text.startswith("\xff") else text.encode())
    with pytest.raises(UserError) as info:
        load_config(path)
    message = f"{info.value}\n" + "\n".join(info.value.problems or [])
    assert "chief.toml" in message
    assert re.search(expected, message), message


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Dear {{ practice.name }\n", r"template bad\.j2 line 1: syntax error"),
        ("Line one\n{{ nowhere_defined }}\n", r"template bad\.j2 line 2: undefined variable"),
        ("{{ message.subject.__class__ }}\n", r"template bad\.j2.*(sandbox|undefined)"),
        ("{% for x in range(10**9) %}{% endfor %}\n", r"template bad\.j2"),
    ],
)
def test_template_errors_name_the_template(tmp_path: Path, source: str, expected: str) -> None:
    (tmp_path / "bad.j2").write_text(source)
    env = template_environment([tmp_path])
    with pytest.raises(TemplateError) as info:
        render_template(env, "bad.j2", {"practice": {"name": "P"}, "message": {"subject": "s"}})
    assert re.search(expected, str(info.value)), str(info.value)


def test_a_broken_template_does_not_stop_the_run(practice_dir: Callable[..., Path]) -> None:
    """A practice rule whose template fails: that message's draft is reported, the message
    is still logged, and another message's draft is written."""
    rules = {
        "t.yaml": textwrap.dedent(
            """\
            pack: t
            rules:
              - id: t.broken
                category: lab
                priority: 900
                match: {subject_any: ['broken template']}
                actions:
                  - draft: {template: own/broken.j2}
              - id: t.fine
                category: lab
                priority: 900
                match: {subject_any: ['fine template']}
                actions:
                  - draft: {template: own/fine.j2}
            """
        )
    }
    home = practice_dir(rules=rules, extra_toml='[templates]\ndirs = ["templates"]\n')
    (home / "templates" / "own").mkdir(parents=True)
    (home / "templates" / "own" / "broken.j2").write_text("Hello {{ nowhere.at_all }}\n")
    (home / "templates" / "own" / "fine.j2").write_text("Thank you.\n")
    deliver(home, "a", make_message("a@t", "broken template here", "x", "lab@lab.example"))
    deliver(home, "b", make_message("b@t", "fine template here", "x", "lab@lab.example"))
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    report = sync(rt)
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MessageRow)) == 2
        drafts = {t: s for t, s in session.execute(select(Draft.template, Draft.state))}
    assert drafts == {"own/broken.j2": "failed", "own/fine.j2": "written"}
    assert len(list((home / "Maildir" / ".Drafts").glob("*/chief-*"))) == 1
    problems = "\n".join(report.problems())  # errors, and failed writes one line a kind
    assert "own/broken.j2" in problems and "undefined variable" in problems, problems


def test_drafter_sandbox_blocks_code_in_a_practice_template(tmp_path: Path) -> None:
    (tmp_path / "evil.j2").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    drafter = Drafter([tmp_path])
    with pytest.raises(TemplateError, match="evil.j2"):
        render_template(drafter.env, "evil.j2", {})
