"""Reply drafts rendered from Jinja2 templates, as complete RFC 5322 messages.

A draft is written into the practitioner's own Drafts folder and never sent by us. This module
builds it: the template environment (shared with :mod:`bot.summary.render`), the reply headers and
the sanitising that keeps anything read from incoming mail out of our header structure.

Templates
---------
Templates live in folders searched in order: the practice's own folders first, then the shipped
``templates/`` (:func:`bot.resources.shipped_templates`), so a practice file with the same
relative path (``payer/appeal_request.j2``, ``_partials/signature.j2``) overrides the shipped one.
The environment is sandboxed (:class:`jinja2.sandbox.ImmutableSandboxedEnvironment`: no dunder
access, no mutation of the context), undefined names raise (``StrictUndefined``), and HTML is
autoescaped only for ``*.html`` / ``*.html.j2`` templates. Filters: ``longdate`` ("24 November
2026"), ``fulldate`` ("Tuesday 24 November 2026"), ``isodate``, ``hhmm`` ("09:30"), ``money``
("1,234.50"; a string is shown as given). Each takes ``None`` and shows a visible placeholder.

Reply-template context (the contract every draft template may rely on)
----------------------------------------------------------------------
``practice``  mapping: ``name``, ``practitioner``, ``credentials`` (post-nominals), ``email``,
              ``phone``, ``address``, ``signature`` (free text, preferred when set),
              ``fee_terms`` (optional medico-legal fee terms), ``country`` (``US`` or ``GB``:
              templates spell for it); missing keys are ``None``.
``register``  list of the practice's credentials register entries, each a mapping ``kind``,
              ``name``, ``issuer``, ``number`` (or None), ``expires`` (date); empty without one.
``message``   mapping for the message replied to: ``from_name``, ``from_addr``, ``subject``,
              ``date`` (aware datetime or None), ``received_date`` (date or None).
``case``      mapping: ``kind``, ``status``, ``reference`` (primary reference value or None),
              ``refs`` (dict), ``opened`` (date or None); missing keys are ``None``.
``refs``      dict of references extracted by the rules (``pa_ref``, ``claim_ref``, ``ehcp_ref``,
              ``solicitor_ref``, ``referral_ref``, ``amount``, ``reason_code``, ``meeting_date``
              ...). ``patient`` and ``dob`` are removed before rendering: templates show a
              placeholder for the patient instead.
``deadline``  ``None`` or mapping: ``due`` (date), ``clock`` (id), ``title``.
``today``     date.
``to_self``   True when the draft is addressed to the practitioner herself (see below).
Templates must render when any reference is missing, with a visible placeholder such as
``{{ refs.get('pa_ref') or '[AUTHORISATION REFERENCE]' }}``: never an invented fact.

Subject: ``Re: `` + the original subject (existing ``Re:``/``Aw:``/``Sv:`` prefixes folded into
one). A template may replace it with a top-level ``{% set subject = "..." %}``.

Headers (RFC 5322 section 3.6): From = the practitioner; To = the original's Reply-To, else its
From (that one address only), or the practitioner herself for a draft ``to="practitioner"`` (a
working document such as an expert report skeleton, or a letter whose addressee is not the
sender: the rule action ``draft: {template: ..., to: practitioner}``), still threaded under the
original; In-Reply-To = the original Message-ID; References = the original
References + its Message-ID, keeping the first and the newest ids (RFC 5322 3.6.4 and the
trimming advice of RFC 5537 3.4.4); a fresh Message-ID on the practice's domain; Date;
``X-Chief-Key`` (idempotency key) and ``X-Chief-Generated: draft``. The body is text/plain UTF-8,
quoted-printable (RFC 2045 6.7) so no line can exceed RFC 5322's 998-octet limit.

Every header value derived from mail is sanitised: control characters (CR, LF, NEL, U+2028...),
bidirectional overrides and surrogates are dropped and RFC 2047 encoded words are decoded before
cleaning, then any leftover ``=?`` is broken up, because Python's email package decodes encoded
words in a value it is given and (before 3.11.10) wrote a decoded CR LF verbatim. As a last line
of defence the finished message is parsed back and must contain exactly the headers we set.
"""

from __future__ import annotations

import email.errors
import email.header
import email.parser
import email.policy
import email.utils
import logging
import re
import traceback
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.errors import TemplateError, UserError
from bot.keys import check_key
from bot.mail.message import GENERATED_HEADER, KEY_HEADER, Message
from bot.resources import shipped_templates
from connectors.base import OutgoingDraft

# Automated senders' local parts: a reply there goes nowhere, so the draft says so.
_NO_REPLY = re.compile(r"no-?reply|do-?not-?reply|donotreply|mailer-daemon|notifications?$", re.I)

# CRLF line ends; headers folded only past RFC 5322's hard limit (998), because CPython's
# folder otherwise moves a whole subject onto a continuation line ("Subject:\r\n Re: ..."),
# which clients show with a leading space.
OUTGOING_POLICY = email.policy.SMTP.clone(max_line_length=998)

__all__ = [
    "KEY_HEADER",
    "OUTGOING_POLICY",
    "DraftTo",
    "Drafter",
    "practitioner_identity",
    "clean_body_text",
    "clean_header_text",
    "finish_draft",
    "new_message_id",
    "render_template",
    "valid_address",
    "verify_headers",
    "reply_subject",
    "template_environment",
]

log = logging.getLogger(__name__)

_MAX_SUBJECT = 250
_MAX_REFERENCES = 20
_STRIPPED_REFS = frozenset({"patient", "patient_name", "dob", "date_of_birth", "nhs_number"})
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MSGID_RE = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>")
_ADDR_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,250})")
_REPLY_PREFIX_RE = re.compile(r"^(?:\s*(?:re|aw|sv|antw|vs|ref|r)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
_WS_RE = re.compile(r"\s+")
# Who a draft is addressed to: the original's sender, or the practitioner herself.
DraftTo = Literal["sender", "practitioner"]
DRAFT_BANNER = "DRAFT FOR REVIEW — not sent. Check every detail before sending."


# --- sanitising -----------------------------------------------------------------------------


def _unsafe(ch: str, keep: str = "") -> bool:
    if ch in keep:
        return False
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")


def clean_header_text(value: object, limit: int = _MAX_SUBJECT) -> str:
    """Text safe to put in one unstructured header (RFC 5322 2.2.1, RFC 2047 section 5).

    Encoded words are decoded (twice at most, for doubly-encoded input), every control,
    line-separator, surrogate and bidi-override character becomes a space, runs of whitespace
    collapse, a leftover ``=?`` becomes ``= ?`` so it can never be decoded again downstream.
    """
    text = "" if value is None else str(value)
    for _ in range(2):
        if "=?" not in text:
            break
        try:
            decoded = email.header.decode_header(text)
            text = "".join(
                chunk.decode(cs or "raw-unicode-escape", "replace")
                if isinstance(chunk, bytes)
                else chunk
                for chunk, cs in decoded
            )
        except (LookupError, ValueError, email.errors.HeaderParseError):
            break
    text = "".join(" " if _unsafe(ch) else ch for ch in text)
    text = _WS_RE.sub(" ", text).strip().replace("=?", "= ?")
    return text[:limit].rstrip()


def clean_body_text(value: str) -> str:
    """Text safe for a body: keeps newlines and tabs, drops other controls, bidi and surrogates."""
    return "".join("\ufffd" if _unsafe(ch, "\n\t") and ch != "\r" else ch for ch in value).replace(
        "\r", ""
    )


def _clean_value(value: Any) -> Any:
    """Sanitise a value taken from mail for use in a template (strings, nested dicts/lists)."""
    if isinstance(value, str):
        return clean_body_text(value)
    if isinstance(value, Mapping):
        return {str(k): _clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_value(v) for v in value]
    return value


def valid_address(addr: str | None) -> str | None:
    """``addr`` lower-cased when it is a plain ASCII addr-spec (RFC 5322 3.4.1), else None."""
    addr = (addr or "").strip()
    return addr.lower() if _ADDR_RE.fullmatch(addr) and ".." not in addr else None


def reply_subject(original: str) -> str:
    """``Re: `` + ``original`` with any existing reply prefixes folded (RFC 5322 3.6.5)."""
    text = _REPLY_PREFIX_RE.sub("", clean_header_text(original, 1000)).strip()
    return clean_header_text(f"Re: {text or '(no subject)'}")


def new_message_id(domain: str) -> str:
    """A fresh, globally unique msg-id on ``domain`` (RFC 5322 3.6.4)."""
    return email.utils.make_msgid(idstring="chief", domain=domain)


def finish_draft(
    msg: EmailMessage, from_addr: str, body: str, key: str, now: datetime | None = None
) -> bytes:
    """Complete a draft whose addresses and subject are set: its own Message-ID and Date, the
    idempotency key and our generated-mail mark, the body as UTF-8 quoted-printable text;
    then its headers checked as written (:func:`verify_headers`). The one way every draft
    is finished."""
    msg["Message-ID"] = new_message_id(from_addr.rpartition("@")[2])
    msg["Date"] = email.utils.format_datetime((now or datetime.now(UTC)).astimezone())
    msg[KEY_HEADER] = key
    msg[GENERATED_HEADER] = "draft"
    msg.set_content(
        clean_body_text(body).rstrip() + "\n",
        subtype="plain",
        charset="utf-8",
        cte="quoted-printable",
    )
    raw = msg.as_bytes()
    verify_headers(raw, msg.keys())
    return raw


def _references(original: Message) -> list[str]:
    ids = [r for r in original.references if _MSGID_RE.fullmatch(r)]
    if original.message_id and _MSGID_RE.fullmatch(original.message_id):
        ids.append(original.message_id)
    ids = list(dict.fromkeys(ids))
    if len(ids) > _MAX_REFERENCES:  # keep the thread root and the newest ids
        ids = [ids[0], *ids[-(_MAX_REFERENCES - 1) :]]
    return ids


# --- template environment -------------------------------------------------------------------


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _longdate(value: Any, placeholder: str = "[DATE]") -> str:
    d = _as_date(value)
    if d is None:
        return str(value).strip() if value not in (None, "") else placeholder
    return f"{d.day} {d:%B %Y}"


def _fulldate(value: Any, placeholder: str = "[DATE]") -> str:
    d = _as_date(value)
    return f"{d:%A} {_longdate(d)}" if d is not None else _longdate(value, placeholder)


def _isodate(value: Any, placeholder: str = "[DATE]") -> str:
    d = _as_date(value)
    return d.isoformat() if d is not None else _longdate(value, placeholder)


def _hhmm(value: Any, placeholder: str = "[TIME]") -> str:
    if isinstance(value, datetime):
        return f"{value:%H:%M}"
    return "all day" if isinstance(value, date) else (str(value) if value else placeholder)


def _money(value: Any, symbol: str = "", placeholder: str = "[AMOUNT]") -> str:
    if value is None or value == "":
        return placeholder
    if isinstance(value, str):
        return value.strip()  # as extracted from the letter, currency and all
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{symbol}{amount:,.2f}"


def template_environment(template_dirs: Sequence[Path]) -> jinja2.Environment:
    """The sandboxed environment for drafts and summaries, searching ``template_dirs`` then the
    shipped templates (the same relative path in an earlier folder wins)."""
    shipped = shipped_templates().resolve()
    search = [Path(p).resolve() for p in template_dirs]
    if shipped not in search:
        search.append(shipped)
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in search], followlinks=False),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "html.j2", "htm.j2"),
            disabled_extensions=(),
            default_for_string=False,
            default=False,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    filters: dict[str, Callable[..., str]] = {
        "longdate": _longdate,
        "fulldate": _fulldate,
        "isodate": _isodate,
        "hhmm": _hhmm,
        "money": _money,
    }
    env.filters.update(filters)
    env.globals["DRAFT_BANNER"] = DRAFT_BANNER
    return env


def _where(exc: BaseException, name: str, env: jinja2.Environment) -> tuple[str, int | None]:
    """(template, line) of the innermost template frame of ``exc``, never the values."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.name or name, exc.lineno
    search = getattr(env.loader, "searchpath", [])
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        for root in search:
            if frame.filename.startswith(str(root) + "/"):
                return Path(frame.filename).relative_to(root).as_posix(), frame.lineno
    return name, None


def _reason(exc: BaseException, source: str) -> str:
    """A description of ``exc`` that cannot carry data values.

    Syntax errors describe the template itself; an undefined name is reported only when it is
    written in the template's ``source`` (``refs[message.subject]`` must not echo a subject);
    anything else (a filter given odd data...) is named by its type only.
    """
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"syntax error: {exc.message}"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return "unsafe operation blocked by the sandbox"
    if isinstance(exc, jinja2.UndefinedError):
        found = re.search(r"(?:'(\w{1,40})' is undefined|attribute '(\w{1,40})')", str(exc.message))
        word = found and (found.group(1) or found.group(2))
        if word and re.search(rf"\b{re.escape(word)}\b", source):
            return f"undefined variable {word!r}"
        return "undefined variable"
    return f"render failed ({type(exc).__name__})"


def _source(env: jinja2.Environment, name: str) -> str:
    try:
        return env.loader.get_source(env, name)[0] if env.loader else ""
    except Exception:
        return ""


def render_template(
    env: jinja2.Environment, name: str, context: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Render ``name``; return the text and the template's exported top-level variables.

    Any failure becomes :class:`TemplateError` naming the template and line, never the data.
    """
    try:
        template = env.get_template(name)
        ctx = template.new_context(dict(context))
        try:
            text = "".join(template.root_render_func(ctx))
        except Exception:
            env.handle_exception()  # re-raises with template file names and line numbers
        exported = ctx.get_exported()
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {name!r} not found in the template folders") from exc
    except Exception as exc:
        where, line = _where(exc, name, env)
        at = f"{where} line {line}" if line else where
        raise TemplateError(f"template {at}: {_reason(exc, _source(env, where))}") from None
    return text, exported


# --- reply drafts ---------------------------------------------------------------------------

_PRACTICE_KEYS = (
    "name",
    "practitioner",
    "credentials",
    "email",
    "phone",
    "address",
    "signature",
    "fee_terms",
    "country",
)
_CASE_KEYS = ("kind", "status", "reference", "refs", "opened")


def _with_defaults(value: Mapping[str, Any] | None, keys: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(keys)
    out.update(value or {})
    return out


def practitioner_identity(practitioner: tuple[str, str]) -> Address:
    """The practitioner as a From/To header value; :class:`UserError` if the address is bad."""
    name, address = practitioner
    addr_spec = valid_address(address)
    if addr_spec is None:
        raise UserError(
            "the practitioner's address is not a valid e-mail address",
            ["set `email` in [practice] of chief.toml"],
        )
    return Address(display_name=clean_header_text(name, 200), addr_spec=addr_spec)


class Drafter:
    """Renders reply drafts from the templates in ``template_dirs`` (+ the shipped ones)."""

    def __init__(self, template_dirs: Sequence[Path] = ()) -> None:
        self.env = template_environment(template_dirs)

    def reply_context(self, original: Message, context: Mapping[str, Any]) -> dict[str, Any]:
        """The documented template context: caller's values completed from ``original``."""
        received = original.date.date() if original.date else None
        reply_to = valid_address(original.reply_to or original.from_addr) or ""
        message = {
            "from_name": clean_header_text(original.from_name, 200),
            "from_addr": valid_address(original.from_addr) or "",
            "reply_to": reply_to,
            "no_reply": bool(_NO_REPLY.search(reply_to.partition("@")[0])),
            "subject": clean_header_text(original.subject, 998),
            "date": original.date,
            "received_date": received,
        }
        message.update(_clean_value(dict(context.get("message") or {})))
        refs = {k: v for k, v in dict(context.get("refs") or {}).items() if k not in _STRIPPED_REFS}
        case = _with_defaults(context.get("case"), _CASE_KEYS)
        case["refs"] = {
            k: v for k, v in dict(case["refs"] or {}).items() if k not in _STRIPPED_REFS
        }
        deadline = context.get("deadline")
        out = {k: v for k, v in context.items() if k not in ("patient", "dob")}
        out.update(
            practice=_with_defaults(context.get("practice"), _PRACTICE_KEYS),
            message=message,
            case=_clean_value(case),
            refs=_clean_value(refs),
            deadline=None
            if deadline is None
            else _with_defaults(deadline, ("due", "clock", "title")),
            today=context.get("today") or datetime.now(UTC).astimezone().date(),
            register=list(context.get("register") or ()),
            to_self=bool(context.get("to_self")),
        )
        return out

    def render_reply(
        self,
        template: str,
        original: Message,
        context: Mapping[str, Any],
        key: str,
        practitioner: tuple[str, str],
        *,
        now: datetime | None = None,
        to: DraftTo = "sender",
    ) -> OutgoingDraft:
        """Render ``template`` as a reply to ``original``: see the module docstring.

        ``to="practitioner"`` addresses the draft to the practitioner herself instead of the
        original's sender; the template sees ``to_self`` true.
        """
        check_key(key)
        sender = practitioner_identity(practitioner)
        from_addr = sender.addr_spec
        to_self = to == "practitioner"
        body, exported = render_template(
            self.env, template, self.reply_context(original, {**context, "to_self": to_self})
        )
        subject = exported.get("subject")
        subject = clean_header_text(subject) if subject else reply_subject(original.subject)

        msg = EmailMessage(policy=OUTGOING_POLICY)
        msg["From"] = sender
        recipient = (
            from_addr
            if to_self
            else valid_address(original.reply_to) or valid_address(original.from_addr)
        )
        if recipient:
            msg["To"] = recipient
        else:
            log.warning("message %s: no valid reply address; draft has no To", original.fingerprint)
        msg["Subject"] = subject
        in_reply_to = (
            original.message_id
            if original.message_id and _MSGID_RE.fullmatch(original.message_id)
            else None
        )
        if in_reply_to:
            msg["In-Reply-To"] = in_reply_to
        refs = _references(original)
        if refs:
            msg["References"] = " ".join(refs)
        raw = finish_draft(msg, from_addr, body, key, now)
        log.debug("draft %s rendered from %s for message %s", key, template, original.fingerprint)
        return OutgoingDraft(key=key, raw=raw, in_reply_to=in_reply_to)


def verify_headers(raw: bytes, expected: Sequence[str]) -> None:
    """Parse ``raw`` back and require exactly the ``expected`` top-level headers, once each.

    Defence in depth against header injection through any path we did not foresee.
    """
    parsed = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    got = sorted(k.lower() for k in parsed)
    if got != sorted(k.lower() for k in expected) or parsed.defects:
        raise TemplateError("generated message failed the header check (possible injection)")
