"""Values from incoming mail can never inject headers into a draft, execute template code,
reach a shell, or become a file path.

Each hostile value is put where a sender controls it (Subject, display name, Reply-To,
References, attachment file name, extracted references), the draft is rendered for real, and
the raw bytes written are read back: the header block must hold exactly the headers we set.
"""

from __future__ import annotations

import ast
import base64
import email
import email.policy
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import load_config
from bot.errors import MessageError, TemplateError
from bot.jobs.catalogue import sync
from bot.letters.drafting import Drafter
from bot.letters.templates import render_template, template_environment
from bot.mail.mime import parse_message
from bot.sync.runtime import Runtime
from tests.conftest import deliver

ROOT = Path(__file__).resolve().parent.parent
PRACTITIONER = ("Dr Test", "dr@practice.example")
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
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}
TEMPLATE = """\
{% set subject = "Re: " ~ message.subject ~ " " ~ refs.get('pa_ref', '') %}
Dear {{ message.from_name }},
Your reference {{ refs.get('pa_ref') or '[REF]' }}; subject {{ message.subject }}.
"""


def _b64word(text: str) -> str:
    return f"=?utf-8?B?{base64.b64encode(text.encode()).decode()}?="


HOSTILE_VALUES = [
    "Hello\r\nBcc: victim@example.org",
    "Hello\nBcc: victim@example.org",
    "Hello\rBcc: victim@example.org",
    "Hello\u2028Bcc: victim@example.org",
    "Hello\x85Bcc: victim@example.org",
    _b64word("Hello\r\nBcc: victim@example.org"),
    "=?utf-8?Q?Hello=0D=0ABcc:_victim@example.org?=",
    _b64word(_b64word("Hi\r\nBcc: victim@example.org")),  # doubly encoded
    "Hello\r\n\r\nInjected body",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(3) %}loop{% endfor %}",
]


def _message_with(value: str, where: str) -> bytes:
    """A message carrying ``value`` in one sender-controlled place (folded raw when it has
    line breaks, as a hostile MTA might pass it on)."""
    subject, name, refs, reply_to = "Prior authorisation", "Plan Desk", "<a@x>", ""
    if where == "subject":
        subject = value
    elif where == "name":
        name = value
    elif where == "references":
        refs = f"<a@x> {value} <b@x>"
    elif where == "reply-to":
        reply_to = f'Reply-To: "{value}" <desk@plan.example>\r\n'
    return (
        f'From: "{name}" <desk@plan.example>\r\n'
        f"To: dr@practice.example\r\nSubject: {subject}\r\nMessage-ID: <orig@plan.example>\r\n"
        f"References: {refs}\r\n{reply_to}Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\n"
        "Authorization # ABC12345 is pended.\r\n"
    ).encode("utf-8", "surrogateescape")


@pytest.fixture(scope="module")
def drafter(tmp_path_factory: pytest.TempPathFactory) -> Drafter:
    folder = tmp_path_factory.mktemp("templates")
    (folder / "reply.j2").write_text(TEMPLATE)
    return Drafter([folder])


def _header_names(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0]
    parsed = email.message_from_bytes(head + b"\r\n\r\n", policy=email.policy.compat32)
    return [k.lower() for k in parsed]


def _render(drafter: Drafter, raw: bytes, refs: dict[str, str] | None = None) -> bytes:
    original = parse_message(raw, "m1")
    context = {"refs": refs or {"pa_ref": "ABC12345"}, "message": {}, "case": {}}
    return drafter.render_reply("reply.j2", original, context, "key-1", PRACTITIONER).raw


@pytest.mark.parametrize("where", ["subject", "name", "references", "reply-to"])
@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_mail_values_never_add_a_header(drafter: Drafter, value: str, where: str) -> None:
    try:
        raw = _render(drafter, _message_with(value, where))
    except MessageError:
        return  # refused as a message: nothing drafted, nothing injected
    names = _header_names(raw)
    assert len(names) == len(set(names)) and set(names) <= EXPECTED_HEADERS, names
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    for line in head.split(b"\r\n"):
        assert not line.startswith((b"bcc", b"injected")), line
        assert b"\r" not in line and b"\n" not in line
    to = email.message_from_bytes(raw, policy=email.policy.compat32)["To"]
    # a raw line break in the From header breaks the incoming address: then no To at all
    assert to in ("desk@plan.example", None)


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_extracted_reference_never_adds_a_header(drafter: Drafter, value: str) -> None:
    raw = _render(drafter, _message_with("x", "subject"), {"pa_ref": value})
    names = _header_names(raw)
    assert set(names) <= EXPECTED_HEADERS and "bcc" not in names
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    assert not any(line.startswith(b"bcc") for line in head.split(b"\r\n"))


def test_generated_header_values_never_inject() -> None:
    tried = {"n": 0}
    folder = Path(__import__("tempfile").mkdtemp())
    (folder / "reply.j2").write_text(TEMPLATE)
    local = Drafter([folder])
    pieces = st.sampled_from(["\r", "\n", "\r\n", "Bcc: v@example.org", "=?utf-8?B?", "?=", "\x00"])
    value = st.lists(st.one_of(pieces, st.text(max_size=8)), max_size=8).map("".join)

    @settings(max_examples=300, derandomize=True, deadline=None, database=None)
    @given(subject=value, name=value, ref=value)
    def check(subject: str, name: str, ref: str) -> None:
        tried["n"] += 1
        sent = _message_with(subject, "subject")
        raw = sent.replace(b"Plan Desk", name.encode("utf-8", "replace"))
        try:
            out = _render(local, raw, {"pa_ref": ref})
        except MessageError:
            return
        assert set(_header_names(out)) <= EXPECTED_HEADERS

    check()
    print(f"\ngenerated header-injection attempts: {tried['n']}", file=sys.stderr)
    assert tried["n"] == 300


def test_template_code_in_a_subject_renders_literally(drafter: Drafter) -> None:
    payload = "{{ ''.__class__ }} {% raw %}x{% endraw %}"
    raw = _render(drafter, _message_with(payload, "subject"))
    body = email.message_from_bytes(raw, policy=email.policy.default).get_content()
    assert "{{ ''.__class__ }}" in body and "<class" not in body


def test_sandbox_blocks_dunder_access_from_a_template(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text("{{ value.__class__.__init__.__globals__ }}")
    env = template_environment([tmp_path])
    with pytest.raises(TemplateError, match="t.j2") as info:
        render_template(env, "t.j2", {"value": "x"})
    assert "__globals__" not in str(info.value) or "sandbox" in str(info.value)


def test_environment_is_immutable_sandbox_with_html_autoescape(tmp_path: Path) -> None:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = template_environment([tmp_path])
    assert isinstance(env, ImmutableSandboxedEnvironment)
    assert callable(env.autoescape)
    assert env.autoescape("summary.html.j2") is True
    assert env.autoescape("payer/appeal_request.j2") is False
    (tmp_path / "x.html.j2").write_text("<p>{{ subject }}</p>")
    html, _ = render_template(env, "x.html.j2", {"subject": "<script>alert(1)</script>&"})
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    (tmp_path / "mutate.j2").write_text("{% set _ = items.append(1) %}{{ items }}")
    with pytest.raises(TemplateError, match="mutate.j2"):
        render_template(env, "mutate.j2", {"items": []})


# --- file names and shells -------------------------------------------------------------------

_PATH_SINKS = {
    "open",
    "Path",
    "PurePath",
    "join",
    "unlink",
    "mkdir",
    "write_bytes",
    "write_text",
    "rename",
    "replace",
    "makedirs",
    "joinpath",
    "__truediv__",
}


_CODE_FRAMES = {"frame", "where"}


def _uses_filename_as_path(tree: ast.AST) -> list[int]:
    """Lines where an attribute or name called ``filename`` flows straight into a path
    operation (open(), Path(), os.path.join(), ``/``)."""
    hits: list[int] = []

    def is_filename(node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute) and node.attr == "filename":
            # a traceback frame's source file is ours, not a sender's
            return not (isinstance(node.value, ast.Name) and node.value.id in _CODE_FRAMES)
        return isinstance(node, ast.Name) and node.id == "filename"

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _PATH_SINKS and any(is_filename(a) for a in node.args):
                hits.append(node.lineno)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and is_filename(node.right):
            hits.append(node.lineno)
    return hits


def test_attachment_file_names_never_reach_a_path_operation() -> None:
    found = {}
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "connectors").rglob("*.py")]:
        hits = _uses_filename_as_path(ast.parse(path.read_text(), str(path)))
        if hits:
            found[str(path.relative_to(ROOT))] = hits
    assert found == {}


def test_no_shell_anywhere() -> None:
    """Nothing from mail can reach a shell: no ``shell=True``, ``os.system`` or ``os.popen``
    in the code; the one subprocess (a configured token helper) takes an argument list."""
    offenders = []
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "connectors").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "shell":
                offenders.append(f"{path.name}:{node.value.lineno} shell=")
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("system", "popen", "spawnl")
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
            ):
                offenders.append(f"{path.name}:{node.lineno} os.{node.attr}")
    assert offenders == []


def test_hostile_attachment_name_is_kept_as_text_and_never_written(
    practice_dir: Callable[..., Path],
) -> None:
    """``../../etc/passwd`` (plain, RFC 2231 and RFC 2047) as attachment names: kept as the
    sender's text on the message, and the sync writes no file anywhere by that name."""
    names = [
        'filename="../../etc/passwd"',
        "filename*=utf-8''..%2F..%2Fetc%2Fpasswd",
        f'filename="{_b64word("../../etc/passwd")}"',
        'filename="/tmp/chief-injected"',
    ]
    home = practice_dir()
    for index, param in enumerate(names):
        raw = (
            "From: Lab <results@lab.example>\r\nTo: dr@practice.example\r\n"
            f"Subject: Results ready {index}\r\nMessage-ID: <att{index}@lab.example>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            "--b\r\nContent-Type: text/plain\r\n\r\nResults are ready.\r\n"
            "--b\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Disposition: attachment; {param}\r\n\r\nroot:x:0:0\r\n--b--\r\n"
        ).encode()
        message = parse_message(raw, f"att{index}")
        (attachment,) = message.attachments
        assert attachment.filename in ("../../etc/passwd", "/tmp/chief-injected")
        deliver(home, f"att{index}", raw)
    before = set(Path("/tmp").glob("chief-injected*"))
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    sync(rt)
    written = {p.name for p in home.rglob("*")}
    assert "passwd" not in written and "chief-injected" not in written
    assert not (home.parent.parent / "etc" / "passwd").exists()
    assert set(Path("/tmp").glob("chief-injected*")) == before


def test_draft_to_is_one_plain_address(drafter: Drafter) -> None:
    """A Reply-To naming several addresses or a group never widens who a draft is to."""
    raw = _message_with("x", "subject").replace(
        b"Date:", b"Reply-To: a@evil.example, b@evil.example, undisclosed:;\r\nDate:"
    )
    out = _render(drafter, raw)
    to = email.message_from_bytes(out, policy=email.policy.default)["To"]
    assert "," not in str(to) and ";" not in str(to)
