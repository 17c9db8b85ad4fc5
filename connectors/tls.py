"""Whom a TLS connection trusts: the system's certificate store, or the practice's own CA.

A practice's own servers (an in-house Dovecot or Cyrus, a NAS running a CalDAV server, a
bridge) often carry a certificate from the practice's own certificate authority. Every TLS
connection chief opens (``[mail]``, ``[calendar]``, ``[smtp]``) takes the same ``ca_file``
key: that CA's certificate (PEM), trusted *instead of* the system's store for that server
alone, whatever the environment says (``REQUESTS_CA_BUNDLE`` does not override it), so what
``chief doctor`` checks is what a sync uses. Certificate checking is never turned off: there
is no "insecure" switch.

``ca_file_problem`` is the one check, used by the configuration (``chief doctor``'s first
line) and by each connector's constructor, so a missing, unreadable or non-certificate file is
reported the same way wherever it is found.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from bot.errors import UserError

__all__ = ["ca_file_problem", "client_context"]


def ca_file_problem(section: str, ca_file: Path | str | None) -> str | None:
    """What is wrong with ``ca_file`` of ``[section]``, in words naming the key and the file;
    None when it is unset or usable (a readable file holding at least one PEM certificate)."""
    if ca_file is None:
        return None
    path = Path(ca_file)
    where = f"`ca_file` in [{section}]"
    if not path.is_file():
        return f"{where}: no file at {path}"
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        return f"{where}: cannot read {path} ({(exc.strerror or type(exc).__name__).lower()})"
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, ValueError):
        return (
            f"{where}: {path} holds no certificate in PEM form (the CA's certificate, "
            "beginning -----BEGIN CERTIFICATE-----)"
        )
    return None


def client_context(section: str, ca_file: Path | str | None) -> ssl.SSLContext:
    """A client context checking host names and certificates: against ``ca_file`` when it
    is set, else the system's store (:func:`ssl.create_default_context`)."""
    problem = ca_file_problem(section, ca_file)
    if problem is not None:
        raise UserError(f"invalid [{section}] settings", [problem])
    if ca_file is None:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=str(ca_file))
