#!/usr/bin/env python3
"""Build the learned classifier's training mail: ``bench/training_mail/``.

The quality corpus (``bench/quality_corpus/``) is what the rule packs were tuned on; this is
mail in the shapes practices actually receive from senders the party directories lack: GP and
NHS e-Referral letters without a "DOB" line, US consult requests from EHR systems, payer and
lab portal notifications (HTML-only, base64, subjects that say nothing), journal tables of
contents and evidence digests, CME providers' mail, credentialing and enrolment notices,
council SEND letters, replies and forwards, and mail that is no practice's business. The
phrasings are in ``bench/training_phrasing.py``; the envelopes in ``bench/mailshapes.py``.

Deterministic (fixed seed, no clock): running it twice writes byte-identical files. Writes
``NNNN.eml`` and ``labels.csv`` (``file,split,category,case_kind,refs,variant``, the quality
corpus's columns; ``split`` is ``train``).

    python bench/build_training_mail.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import training_phrasing as phrasing  # noqa: E402
from mailshapes import SHAPES, Mail, render  # noqa: E402

SEED = 20261206
OUT = HERE / "training_mail"
PER_LABEL = {"referral/referral": 140, "": 200}
DEFAULT_PER_LABEL = 70

# Senders the shipped party directories lack: invented organisations, reserved domains.
SENDERS: dict[str, list[tuple[str, str]]] = {
    "referral": [
        ("Hollybank Surgery", "admin@hollybank-surgery.example"),
        ("Dr R. Whitlock", "r.whitlock@larchwoodmc.example"),
        ("e-Referral Service", "noreply@ers-notify.example"),
        ("Epic Referrals", "referrals-noreply@epic-community.example"),
        ("Cascadia Orthopedics", "frontdesk@cascadia-ortho.example"),
        ("Move Well Physio", "hello@movewellphysio.example"),
        ("Case Management Associates", "intake@cma-rehab.example"),
        ("Tanners Lane Practice", "reception.tannerslane@gp-mail.example"),
    ],
    "payer": [
        ("Provider Portal", "do-not-reply@bluestate-health.example"),
        ("Utilization Management", "um@keystone-plan.example"),
        ("Claims", "claims@harborcare-insurance.example"),
        ("Provider Services", "notices@meridianhealthplan.example"),
        ("Treatment Team", "treatment@sentinel-health.example"),
    ],
    "solicitor": [
        ("Harrowell & Co Solicitors", "pi@harrowell-law.example"),
        ("Quinlan Legal", "records@quinlanlegal.example"),
        ("Medical Reporting Ltd", "instructions@medrep-uk.example"),
    ],
    "local_authority": [
        ("SEND Team", "send@marchford-council.example"),
        ("SEN Service", "sen.casework@eastmoor.gov.example"),
        ("Housing Adaptations", "adaptations@kingsbridge-council.example"),
    ],
    "team": [
        ("Northfield High Athletics", "athletics@northfield-high.example"),
        ("Riverside Rovers", "secretary@riversiderovers.example"),
        ("Summit Climbing Team", "coach@summitclimbing.example"),
    ],
    "lab": [
        ("Results Portal", "results-noreply@quantilab.example"),
        ("Client Services", "clientservices@northpath-labs.example"),
    ],
    "cme": [
        ("CME Office", "cme@sportsmed-education.example"),
        ("CPD Team", "cpd@ot-learning.example"),
        ("Course Registrations", "courses@msk-ultrasound-academy.example"),
    ],
    "credentialing": [
        ("Provider Enrollment", "enrollment@keystone-plan.example"),
        ("Credentialing", "credentialing@summit-network.example"),
        ("Medical Staff Office", "medstaff@valleygeneral.example"),
        ("Registrations", "renewals@therapy-register.example"),
    ],
    "supplier": [
        ("Orders", "orders@greenleaf-nutrition.example"),
        ("Customer Service", "service@clinic-supplies.example"),
    ],
    "research": [
        ("Journal Alerts", "alerts@sportsmed-journal.example"),
        ("Evidence Digest", "digest@evidence-weekly.example"),
        ("Table of Contents", "toc@rehab-research.example"),
    ],
    "": [
        ("A Friend", "sam.friend@mailhost.example"),
        ("Parcel Tracking", "tracking@parcels.example"),
        ("IT Helpdesk", "helpdesk@practice-it.example"),
        ("Practice Growth", "news@practicegrowth.example"),
        ("Bank", "alerts@mybank.example"),
    ],
}
STAFF = ("Practice Manager", "office@ourpractice.example")
TO = "doctor@ourpractice.example"


def shape_for(rng: random.Random) -> str:
    return rng.choices(SHAPES, weights=(30, 12, 12, 14, 8, 12, 12, 6))[0]


def build(out: Path) -> int:
    rng = random.Random(SEED)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rows = []
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    seq = 0
    for label, writers in phrasing.WRITERS.items():
        category, _, kind = label.partition("/")
        for _ in range(PER_LABEL.get(label, DEFAULT_PER_LABEL)):
            seq += 1
            subject, body = rng.choice(writers)(rng)
            name, addr = rng.choice(SENDERS[category])
            shape = shape_for(rng)
            quoted = "Thanks, we will look into it." if shape == "reply" else ""
            if shape == "reply":
                subject = f"Re: {subject}"
            mail = Mail(
                name,
                addr,
                TO,
                subject,
                body,
                start + timedelta(hours=7 * seq + rng.randint(0, 5)),
                shape,
                quoted,
                STAFF if shape == "forward" else None,
            )
            file = f"train-{seq:04d}.eml"
            (out / file).write_bytes(render(mail, seq))
            rows.append([file, "train", category, kind, "", shape])
    with (out / "labels.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["file", "split", "category", "case_kind", "refs", "variant"])
        writer.writerows(rows)
    return seq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    print(f"messages: {build(args.out)}")


if __name__ == "__main__":
    main()
