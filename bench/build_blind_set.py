#!/usr/bin/env python3
"""Build the blind set: ``bench/blind_set/``, realistic practice mail measured once.

Written apart from both the rule packs and the learned model's training mail: its own
letters (``bench/blind_phrasing.py``), names, organisations and envelope code (the standard
library's ``email`` package here, not ``bench/mailshapes.py``), senders outside the party
directories (all under ``.test``). Shapes: plain text with signatures and confidentiality
footers, HTML-only in base64 (portal notifications), multipart/alternative, forwarded by
practice staff in Outlook's style, and replies. ``bench/quality.py --corpus bench/blind_set``
measures it; BENCHMARKS.md records the first measurement, taken before any tuning.

Deterministic (fixed seed, boundaries and Message-IDs from the content, no clock). Writes
``blind-NNNN.eml`` and ``labels.csv`` (the quality corpus's columns; ``split`` is ``blind``;
references are not labelled here: the set measures categories).

    python bench/build_blind_set.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import random
import shutil
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import blind_phrasing  # noqa: E402

SEED = 4417
OUT = HERE / "blind_set"
TO = "clinic@ourclinic.test"
STAFF = ("Reception", "reception@ourclinic.test")


def _html(text: str) -> str:
    rows = "".join(
        f"<tr><td style='padding:8px'>{html.escape(p).replace(chr(10), '<br/>')}</td></tr>"
        for p in text.split("\n\n")
    )
    return f"<html><body><table border='0' cellpadding='0'>{rows}</table></body></html>"


def build_message(letter: blind_phrasing.Letter, shape: str, when: datetime, n: int) -> bytes:
    sender_name, sender, subject, body = letter
    key = hashlib.sha1(f"{n}{sender}{subject}{body}".encode()).hexdigest()
    msg = EmailMessage()
    if shape == "forward":
        body = (
            f"FYI - can you file this?\n\n________________________________\nFrom: {sender_name}"
            f" <{sender}>\nSent: {format_datetime(when)}\nTo: {TO}\nSubject: {subject}\n\n" + body
        )
        subject = f"FW: {subject}"
        sender_name, sender = STAFF
    elif shape == "reply":
        body += "\n\n-----Original Message-----\nFrom: " + TO + "\nThanks for your email."
        subject = f"RE: {subject}"
    msg["From"] = formataddr((sender_name, sender))
    msg["To"] = TO
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<{key[:20]}@{sender.partition('@')[2]}>"
    if shape == "html_b64":
        msg.set_content(_html(body), subtype="html", cte="base64")
    elif shape == "alternative":
        msg.set_content(body)
        msg.add_alternative(_html(body), subtype="html")
    else:
        msg.set_content(body)
    for number, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"----=_Part_{key[20:32]}_{number}")
    return msg.as_bytes(policy=SMTP)


def build(out: Path) -> int:
    rng = random.Random(SEED)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rows = []
    when = datetime(2026, 9, 7, 9, 15, tzinfo=UTC)
    n = 0
    for category, kind, writer, count in blind_phrasing.ENTRIES:
        for _ in range(count):
            n += 1
            letter = writer(rng)
            notification = writer.__name__ in {"lab_b64", "portal_pa"}
            shape = (
                "html_b64"
                if notification and rng.random() < 0.7
                else rng.choice(["plain", "plain", "alternative", "forward", "reply"])
            )
            when += timedelta(hours=rng.randint(1, 30))
            file = f"blind-{n:04d}.eml"
            (out / file).write_bytes(build_message(letter, shape, when, n))
            rows.append([file, "blind", category, kind, "", shape])
    with (out / "labels.csv").open("w", newline="", encoding="utf-8") as fh:
        writer_ = csv.writer(fh, lineterminator="\n")
        writer_.writerow(["file", "split", "category", "case_kind", "refs", "variant"])
        writer_.writerows(rows)
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    print(f"messages: {build(args.out)}")


if __name__ == "__main__":
    main()
