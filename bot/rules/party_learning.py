"""The practice's own party directory, grown by corrections.

When the practitioner corrects a message from a stable organisation address (an
organisation's own domain: not a shared mail service such as gmail.com or nhs.net, where a
domain says nothing about who wrote), the sender's domain joins the party directory in the
practice's rules folder, ``parties/corrections-<kind>.yaml``, each entry under a comment saying
when and from which correction it came, so the rules recognise the next message from there.

Only the domain is written, never a name or an address: the entry is named by its domain.
The file is written whole to a temporary file, synced and renamed (a crash leaves the old or
the new file, never half of one); adding a domain the file holds, or removing one it does not,
changes nothing, so a write repeated after a crash is harmless.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from bot.rules.parties import PartyDirectory

__all__ = [
    "SHARED_MAIL_DOMAINS",
    "UMBRELLA_DOMAINS",
    "add_party",
    "directory_file",
    "organisation_domain",
    "party_kind",
    "remove_party",
]

# Mail services many unrelated people write from: a domain says nothing about who wrote.
SHARED_MAIL_DOMAINS = frozenset(
    {
        "nhs.net",
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "live.co.uk",
        "yahoo.com",
        "yahoo.co.uk",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "btinternet.com",
        "gmx.com",
    }
)
# Directory entries that stand for many organisations, each on its own subdomain.
UMBRELLA_DOMAINS = frozenset({"nhs.uk"})

# A party directory's kind for a category, where they differ.
_KINDS = {"referral": "referrer"}
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def party_kind(category: str) -> str:
    """The party directory's kind for a category (``referral`` → ``referrer``)."""
    return _KINDS.get(category, category)


def organisation_domain(address: str) -> str | None:
    """The sender's domain when it names an organisation, else None (a shared mail service, an
    umbrella domain itself, a malformed address)."""
    domain = address.rpartition("@")[2].strip().lower().rstrip(".")
    if not _DOMAIN.match(domain) or domain in SHARED_MAIL_DOMAINS or domain in UMBRELLA_DOMAINS:
        return None
    if any(domain.endswith("." + shared) for shared in SHARED_MAIL_DOMAINS):
        return None
    return domain


def directory_file(rules_dir: Path, kind: str) -> Path:
    return rules_dir / "parties" / f"corrections-{kind}.yaml"


def known(directory: PartyDirectory, domain: str, kind: str) -> bool:
    """The directory already places ``domain`` under ``kind``."""
    return any(party.kind == kind for party in directory.lookup(domain))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)


def _entry(domain: str) -> str:
    return f'  - {{name: "{domain}", domains: [{domain}]}}\n'


def add_party(
    rules_dir: Path, kind: str, domain: str, on: date, correction: int, folder: str
) -> bool:
    """Add ``domain`` as a party of ``kind``; False when the file already holds it."""
    path = directory_file(rules_dir, kind)
    text = (
        path.read_text("utf-8")
        if path.exists()
        else (
            f"# Parties added by corrections made in the mailbox (chief corrections lists them).\n"
            f"kind: {kind}\nparties:\n"
        )
    )
    if _entry(domain) in text:
        return False
    comment = f"  # added {on.isoformat()} from correction {correction} (Chief/{folder})\n"
    _write(path, text + comment + _entry(domain))
    return True


def remove_party(rules_dir: Path, kind: str, domain: str) -> bool:
    """Remove ``domain`` (and the comment above it); False when the file does not hold it."""
    path = directory_file(rules_dir, kind)
    if not path.exists():
        return False
    lines = path.read_text("utf-8").splitlines(keepends=True)
    entry = _entry(domain)
    if entry not in lines:
        return False
    at = lines.index(entry)
    start = at - 1 if at > 0 and lines[at - 1].lstrip().startswith("# added ") else at
    kept = lines[:start] + lines[at + 1 :]
    if not any(line.startswith("  - ") for line in kept):
        path.unlink()  # an empty directory file would not load
    else:
        _write(path, "".join(kept))
    return True
