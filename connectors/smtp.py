"""Sending the daily summary by SMTP (RFC 5321, submission RFC 6409), to the practitioner alone.

The bot never sends mail to anyone else, and this module is where that is enforced for SMTP:

- **Recipients checked before connecting.** Every address in ``To``, ``Cc``, ``Bcc`` and their
  ``Resent-`` forms must be the practitioner's (``practitioner_address``, compared without
  case), and there must be at least one; otherwise :class:`UserError` is raised and no
  connection is made. A header the address parser might misread cannot smuggle a third party
  through: once the practitioner's address is removed, no ``@`` may remain.
- **The envelope is ours.** ``RCPT TO`` is only ever the practitioner (RFC 5321 4.1.1.3), never
  taken from the headers; ``MAIL FROM`` is ``from_address`` (else the practitioner).
- **Bcc never transmitted.** ``Bcc`` / ``Resent-Bcc`` fields are cut from the header block
  (RFC 5322 3.6.3); the body bytes are sent as they are. A missing ``Message-ID`` (derived from
  the idempotency key, so a resend carries the same one) or ``Date`` is added.
- **Transport.** ``tls = "ssl"`` (implicit TLS, RFC 8314, port 465), ``"starttls"`` (RFC 3207,
  port 587; a server that does not offer it is refused rather than used in clear) or ``"none"``
  (only to 127.0.0.1 / localhost). Certificates are verified with the system's trust store,
  or against the practice's own certificate authority named in ``ca_file``
  (:mod:`connectors.tls`).
  Sign-in (``AUTH``, RFC 4954) with the password from a 0600 file or an environment variable
  (:mod:`connectors.passwords`), never logged.

Errors: sign-in refused → :class:`AuthError`; unreachable or refused → :class:`ConnectorError`
in plain words. Log lines carry the Message-ID's hash and sizes, never a subject or a body.

Config (``[smtp]``): ``host``, ``port``, ``username``, ``password_file`` or ``password_env``,
``tls``, ``from_address``, ``timeout``, ``ca_file``; ``practitioner_address`` comes from the
runtime.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import email.utils
import hashlib
import logging
import re
import smtplib
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, get_args

from bot.errors import AuthError, ChiefError, ConnectorError, UserError
from connectors.passwords import is_loopback, read_password
from connectors.recipients import require_practitioner_only
from connectors.tls import client_context

__all__ = ["SmtpSender", "strip_bcc"]

log = logging.getLogger(__name__)

Tls = Literal["ssl", "starttls", "none"]
_HIDDEN = frozenset({"bcc", "resent-bcc"})
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")


class SmtpSender:
    """A :class:`~connectors.base.Sender` over SMTP submission."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        username: str = "",
        password_file: Path | None = None,
        password_env: str | None = None,
        tls: Tls = "starttls",
        from_address: str | None = None,
        practitioner_address: str | None = None,
        timeout: float = 30.0,
        ca_file: Path | None = None,
    ) -> None:
        if not host:
            raise UserError("`host` in [smtp] of chief.toml is empty")
        if tls not in get_args(Tls):
            raise UserError(f"`tls` in [smtp] must be ssl, starttls or none, not {tls!r}")
        if tls == "none" and not is_loopback(host):
            raise UserError(
                f'`tls = "none"` in [smtp] would send to {host} in clear',
                ['use tls = "starttls" (port 587) or "ssl" (465); "none" is for 127.0.0.1 only'],
            )
        self.host = host
        self.port = port
        self.username = username
        self.tls: Tls = tls
        self.practitioner_address = (practitioner_address or "").strip().lower() or None
        self.from_address = (from_address or "").strip() or None
        self.timeout = timeout
        self._context = client_context("smtp", ca_file)  # a bad ca_file: UserError now
        self._password = read_password("smtp", password_file, password_env, username)

    def __repr__(self) -> str:  # never the password
        return f"SmtpSender(host={self.host!r}, port={self.port!r}, tls={self.tls!r})"

    # ---------------------------------------------------------------------- Sender

    def send_to_practitioner(self, raw: bytes, key: str) -> str:
        """Send ``raw`` to the practitioner only; return its Message-ID.

        :class:`UserError` (nothing sent, no connection made) when any recipient is someone
        else or there is none.
        """
        own = require_practitioner_only(raw, self.practitioner_address)
        data, message_id = self._prepare(raw, key)
        sender = self.from_address or own
        with self._session("sending the summary") as smtp:
            options = []
            if any(b > 0x7F for b in data) and smtp.has_extn("8bitmime"):
                options.append("BODY=8BITMIME")  # RFC 6152
            refused = smtp.sendmail(sender, [own], data, mail_options=options)
            if refused:  # a single recipient: sendmail raises instead, but be certain
                raise ConnectorError(f"the SMTP server at {self.host} refused the recipient")
        log.info("summary %s sent by SMTP (%d bytes)", _short(message_id), len(data))
        return message_id

    # ---------------------------------------------------------------------- doctor

    def check(self) -> str:
        """For ``chief doctor``: connect, EHLO, STARTTLS and AUTH offered, sign in; sends
        nothing."""
        with self._session("checking the server") as smtp:
            tls = {"ssl": "TLS", "starttls": "STARTTLS used", "none": "no TLS (loopback)"}
            auth = smtp.esmtp_features.get("auth", "").split()
            offered = f"AUTH offered ({', '.join(auth)})" if auth else "no AUTH offered"
            who = "signed in" if self.username else "no sign-in configured"
        return f"SMTP server {self.host}:{self.port} reachable; {tls[self.tls]}; {offered}; {who}"

    def close(self) -> None:
        """Nothing held open: each send is one short session."""

    # -------------------------------------------------------------------- internals

    def _prepare(self, raw: bytes, key: str) -> tuple[bytes, str]:
        """Bcc cut, Message-ID and Date added when missing; (bytes to send, Message-ID)."""
        data = strip_bcc(raw)
        head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data)
        added: list[bytes] = []
        message_id = str(head.get("Message-ID", "")).strip()
        if not message_id:
            domain = (self.from_address or self.practitioner_address or "").rpartition("@")[2]
            digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
            message_id = f"<chief-{digest}@{domain or 'practice-chief.invalid'}>"
            added.append(f"Message-ID: {message_id}\r\n".encode("ascii", "replace"))
        if head.get("Date") is None:
            added.append(f"Date: {email.utils.formatdate(localtime=False)}\r\n".encode("ascii"))
        return b"".join(added) + data, message_id

    @contextlib.contextmanager
    def _session(self, doing: str) -> Iterator[smtplib.SMTP]:
        where = f"{self.host}:{self.port}"
        context = self._context
        smtp: smtplib.SMTP | None = None
        try:
            if self.tls == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.tls == "starttls":
                if not smtp.has_extn("starttls"):
                    raise ConnectorError(
                        f"the SMTP server at {where} does not offer STARTTLS, so nothing is sent "
                        'in clear: use the provider\'s submission port, or tls = "ssl" (465)'
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                if not smtp.has_extn("auth"):
                    raise ConnectorError(
                        f"the SMTP server at {where} offers no sign-in (AUTH) on this "
                        "connection: check `port` and `tls` in [smtp]"
                    )
                smtp.login(self.username, self._password or "")
            yield smtp
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()
        except ChiefError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise AuthError(
                f"the SMTP server at {where} refused the sign-in ({exc.smtp_code}): check "
                "`username` and the password in `password_file` / `password_env` of [smtp] "
                "(many providers need an app password)"
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise ConnectorError(
                f"the SMTP server at {where} refused the practitioner's address while {doing}"
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise ConnectorError(
                f"the SMTP server at {where} answered {exc.smtp_code} while {doing}"
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectorError(f"cannot use the SMTP server at {where}: {_plain(exc)}") from exc
        finally:
            if smtp is not None:
                with contextlib.suppress(OSError):
                    smtp.close()


def strip_bcc(raw: bytes) -> bytes:
    """``raw`` without its ``Bcc`` and ``Resent-Bcc`` fields (continuation lines included);
    the rest of the header block and the body are unchanged."""
    found = _HEAD_END.search(raw)
    head, rest = (raw[: found.start()], raw[found.start() :]) if found else (raw, b"")
    kept: list[bytes] = []
    dropping = False
    for line in head.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        field = _FIELD.match(line)
        dropping = field is not None and field.group(1).decode("ascii").lower() in _HIDDEN
        if not dropping:
            kept.append(line)
    return b"".join(kept) + rest


def _short(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:12]


def _plain(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "it did not answer in time (check `timeout`, host and port)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running, and are host and port right?)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"its TLS certificate is not trusted ({exc.verify_message}); a server with the "
            "practice's own certificate authority needs that CA named in `ca_file` of [smtp]"
        )
    if isinstance(exc, ssl.SSLError):
        return 'the TLS handshake failed (does `tls` match the port: "ssl" 465, "starttls" 587?)'
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__
