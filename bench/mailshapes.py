"""MIME shapes real practice mail arrives in, for the corpus generators in ``bench/``.

Only the envelope lives here (plain text, HTML-only in quoted-printable or base64,
multipart/alternative, a PDF attached, a reply quoting its history, a forward by practice
staff, a mailing list's message); what the messages *say* lives in each generator's own
phrasing lists, so the training mail and the blind set share no wording. Output is
deterministic: boundaries and Message-IDs derive from the content, never from a clock or a
random source of their own.
"""

from __future__ import annotations

import base64
import hashlib
import html
import quopri
import textwrap
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr

__all__ = ["Mail", "render"]

SHAPES = ("plain", "html_qp", "html_b64", "alternative", "pdf", "reply", "forward", "list")


@dataclass(frozen=True)
class Mail:
    """One message before it is rendered: who, when, what, and in which shape."""

    from_name: str
    from_addr: str
    to_addr: str
    subject: str
    body: str  # plain text; paragraphs separated by blank lines
    when: datetime
    shape: str = "plain"
    quoted: str = ""  # for "reply": the earlier message's text
    forwarded_by: tuple[str, str] | None = None  # for "forward": (name, address) of staff


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def _html(body: str, subject: str) -> str:
    paras = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in body.split("\n\n"))
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>'
        f'{html.escape(subject)}</title></head><body style="font-family:Arial">'
        f'<table width="600"><tr><td>{paras}</td></tr></table></body></html>'
    )


def _wrap(text: str) -> str:
    out = []
    for para in text.split("\n\n"):
        lines = [textwrap.fill(x, 76) if len(x) > 76 else x for x in para.split("\n")]
        out.append("\n".join(lines))
    return "\n\n".join(out)


def _part(ctype: str, payload: str, encoding: str) -> str:
    raw = payload.encode("utf-8")
    if encoding == "base64":
        data = base64.encodebytes(raw).decode("ascii")
    elif encoding == "quoted-printable":
        data = quopri.encodestring(raw).decode("ascii")
    else:
        data = payload
    return (
        f'Content-Type: {ctype}; charset="utf-8"\nContent-Transfer-Encoding: {encoding}\n\n{data}\n'
    )


def render(mail: Mail, seq: int) -> bytes:
    """The RFC 5322 bytes of ``mail`` (``seq`` keeps Message-IDs distinct)."""
    key = _digest(mail.from_addr, mail.subject, mail.body, str(seq))
    subject, body = mail.subject, _wrap(mail.body)
    from_name, from_addr = mail.from_name, mail.from_addr
    if mail.shape == "reply":
        quoted = "\n".join(f"> {line}" if line else ">" for line in _wrap(mail.quoted).split("\n"))
        body = f"{body}\n\nOn {format_datetime(mail.when)}, {mail.to_addr} wrote:\n{quoted}"
    if mail.shape == "forward" and mail.forwarded_by:
        body = (
            "Please see below.\n\n---------- Forwarded message ---------\n"
            f"From: {formataddr((from_name, from_addr))}\nDate: {format_datetime(mail.when)}\n"
            f"Subject: {subject}\nTo: {mail.to_addr}\n\n{body}"
        )
        subject = f"Fwd: {subject}"
        from_name, from_addr = mail.forwarded_by
    headers = [
        f"From: {formataddr((_header(from_name), from_addr))}",
        f"To: {mail.to_addr}",
        f"Subject: {_header(subject)}",
        f"Date: {format_datetime(mail.when)}",
        f"Message-ID: <{key[:24]}@{from_addr.partition('@')[2] or 'mail.example'}>",
        "MIME-Version: 1.0",
    ]
    if mail.shape == "list":  # a mailing list's or a bulk sender's headers and footer
        domain = from_addr.partition("@")[2] or "lists.example"
        headers += [f"List-Id: <news.{domain}>", "Precedence: list"]
        body += f"\n\n--\nYou are subscribed to this list. To unsubscribe: leave@{domain}"
    boundary = f"=_b{key[24:40]}"
    if mail.shape == "html_qp":
        content = _part("text/html", _html(body, subject), "quoted-printable")
    elif mail.shape == "html_b64":
        content = _part("text/html", _html(body, subject), "base64")
    elif mail.shape == "alternative":
        content = (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
            f"--{boundary}\n{_part('text/plain', body, '8bit')}"
            f"--{boundary}\n{_part('text/html', _html(body, subject), 'quoted-printable')}"
            f"--{boundary}--\n"
        )
    elif mail.shape == "pdf":
        pdf = base64.encodebytes(b"%PDF-1.4\n% invented attachment\n%%EOF\n").decode("ascii")
        content = (
            f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'
            f"--{boundary}\n{_part('text/plain', body, '8bit')}"
            f'--{boundary}\nContent-Type: application/pdf; name="letter.pdf"\n'
            'Content-Disposition: attachment; filename="letter.pdf"\n'
            f"Content-Transfer-Encoding: base64\n\n{pdf}--{boundary}--\n"
        )
    else:
        content = _part("text/plain", body, "8bit")
    return ("\n".join(headers) + "\n" + content).encode("utf-8")
