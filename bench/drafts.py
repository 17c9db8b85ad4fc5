"""The demo practices' drafts: placeholders left, recipients, line lengths.

Runs ``chief demo`` for each shipped demo practice in a fresh folder, reads back every draft it
wrote to the Maildir's Drafts folder (as a mail client would, with :mod:`email`), and prints
``name: value`` lines per practice and overall:

* ``<practice>_drafts``: drafts written; ``..._reply_drafts``: those addressed to someone else
  (skeletons and letters addressed to the practitioner herself are counted apart:
  ``..._self_drafts``);
* ``..._placeholders_median`` / ``..._placeholders_total``: visible placeholders
  (``[CLAIM NUMBER]``, ``[DATE]``...) in the reply drafts' bodies;
  ``..._self_placeholders_total``: the same in the drafts to the practitioner;
* ``..._to_no_reply``: drafts addressed to a no-reply / notifications-style address;
* ``..._to_own``: reply drafts addressed to the practice's own addresses or domains
  (``[practice] email``, ``own_addresses``, ``own_domains``);
* ``..._no_recipient``: reply drafts with no To (the draft says why);
* ``..._max_line_octets``: the longest line of any draft as stored (headers and encoded body;
  RFC 5322 2.1.1: at most 998), ``..._max_body_line_octets``: of the encoded bodies alone
  (RFC 2045 6.7: quoted-printable lines at most 76);
* ``..._defects``: :mod:`email` defects found parsing the drafts back;
* ``..._chief_headers``: drafts carrying an ``X-Chief-*`` header (that a sent copy would keep).

    python bench/drafts.py [--practice NAME ...] [--list]

``--list`` prints, per draft, its template-free shape: the file name, the recipient's domain
and its placeholders (never a body).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli.demo import run_demo  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.letters.recipients import is_no_reply  # noqa: E402

PRACTICES = ("sports-medicine-us", "integrative-medicine", "occupational-therapy-uk")
# A visible placeholder: a bracketed text opening with a capital word ("[CLAIM NUMBER]",
# "[PLACE / AMEND: choose one]"); the internal notes ("[Internal note, ...]") are not.
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9(/'’ ][^\[\]\n]{0,300}\]")


def _drafts(home: Path) -> list[tuple[Path, bytes]]:
    folder = home / "Maildir" / ".Drafts"
    return [
        (p, p.read_bytes())
        for sub in ("cur", "new")
        if (folder / sub).is_dir()
        for p in sorted((folder / sub).iterdir())
    ]


def _body(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def measure(practice: str, listing: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / practice
        started = time.perf_counter()
        run_demo(home, practice, progress=False)
        elapsed = time.perf_counter() - started
        config = load_config(home / "chief.toml")
        own_email = config.practice.email.lower()
        extra = getattr(config.practice, "own_addresses", ())
        own_addresses = {own_email, *(a.lower() for a in extra)}
        own_domains = {d.lower() for d in getattr(config.practice, "own_domains", ())}
        own_domains.add(own_email.partition("@")[2])  # the demo practices' staff share it
        counts: list[int] = []
        self_total = 0
        no_reply = own = missing = defects = marked = max_line = max_body = 0
        drafts = _drafts(home)
        for path, raw in drafts:
            max_line = max(max_line, *(len(line) for line in raw.splitlines()))
            body_lines = raw.replace(b"\r\n", b"\n").partition(b"\n\n")[2].splitlines()
            max_body = max(max_body, *(len(line) for line in body_lines or [b""]))
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            defects += len(msg.defects) + sum(len(p.defects) for p in msg.walk())
            marked += any(k.lower().startswith("x-chief-") for k in msg)
            to = str(msg.get("To") or "")
            addr = email.utils.parseaddr(to)[1].lower()
            found = PLACEHOLDER.findall(_body(msg))
            to_self = addr == own_email
            if to_self:
                self_total += len(found)
            else:
                counts.append(len(found))
                if not addr:
                    missing += 1
                elif is_no_reply(addr):
                    no_reply += 1
                elif addr in own_addresses or addr.partition("@")[2] in own_domains:
                    own += 1
            if listing:
                where = "self" if to_self else addr.partition("@")[2] or "-"
                print(f"  {path.name[:40]} to={where} {len(found)} {sorted(set(found))}")
    return {
        "drafts": len(drafts),
        "reply_drafts": len(counts),
        "self_drafts": len(drafts) - len(counts),
        "placeholders_median": statistics.median(counts) if counts else 0,
        "placeholders_total": sum(counts),
        "self_placeholders_total": self_total,
        "to_no_reply": no_reply,
        "to_own": own,
        "no_recipient": missing,
        "max_line_octets": max_line,
        "max_body_line_octets": max_body,
        "defects": defects,
        "chief_headers": marked,
        "demo_s": round(elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practice", action="append", choices=PRACTICES)
    parser.add_argument("--list", action="store_true", help="one line per draft")
    args = parser.parse_args()
    totals: dict[str, float] = {}
    for practice in args.practice or PRACTICES:
        if args.list:
            print(f"{practice}:")
        figures = measure(practice, args.list)
        for name, value in figures.items():
            print(f"{practice}_{name}: {value}")
            if name in ("drafts", "reply_drafts", "placeholders_total", "to_no_reply", "to_own"):
                totals[name] = totals.get(name, 0) + value
            if name in ("max_line_octets", "max_body_line_octets"):
                totals[name] = max(totals.get(name, 0), value)
    for name, value in totals.items():
        print(f"all_{name}: {value}")


if __name__ == "__main__":
    main()
