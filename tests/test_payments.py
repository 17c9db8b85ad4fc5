"""Payment positions over a real Maildir and SQLite case log, with the shipped rule packs:
amounts recorded once per message whatever happens, claims settled by remittances, oldest
unpaid claims, solicitors' fees, and currencies kept apart."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.features.payments import Money, currency_totals, parse_money, payment_positions
from bot.jobs.catalogue import sync
from bot.store.models import Mailbox, Payment
from bot.sync.runtime import Runtime
from tests.conftest import deliver, make_message

TODAY = date(2026, 11, 24)
UHC = "UnitedHealthcare Provider Notifications <no-reply@notifications.uhc.com>"
BUPA = "Bupa Provider Payments <provider.payments@bupa.co.uk>"
FIRM = "Jessica Sandford <j.sandford@harcourtlyle.example>"
FIRM_ACCOUNTS = "Harcourt Lyle Accounts <accounts@harcourtlyle.example>"
SUPPLIER = "Thorne Professional <professional@thorne.com>"


def dated(raw: bytes, when: str) -> bytes:
    """``raw`` with its Date header set to ``when`` (RFC 5322 form)."""
    return raw.replace(b"Mon, 02 Nov 2026 10:00:00 +0000", when.encode())


UHC_ACK = make_message(
    "ack@uhc",
    "Claim acknowledgement - Claim #: CLM-77120394",
    "Claim #: CLM-77120394\nPatient: Alex Example   DOB: 05/14/1992\n"
    "Date of service: 08/31/2026\nTotal billed: $356.00 (99214, 20606 LT)\n"
    "Status: Accepted for processing.",
    UHC,
)
UHC_EOB = dated(
    make_message(
        "eob@uhc",
        "Your explanation of benefits is ready - Claim #: CLM-77120394",
        "UnitedHealthcare | Provider Remittance Advice\nClaim #: CLM-77120394\n"
        "Patient: Alex Example   DOB: 05/14/1992\nDate of service: 08/31/2026\n"
        "Line 1  99214  billed $196.00  paid $102.11\n"
        "Total paid amount: $186.52\nPatient responsibility: $40.00 (copay)\n",
        UHC,
    ),
    "Tue, 24 Nov 2026 09:00:00 +0000",
)
UHC_DENIED = make_message(
    "denied@uhc",
    "Claim denied - missing information - Claim #: CLM-77298410",
    "Claim #: CLM-77298410\nPatient: Blair Sample   DOB: 04/17/2009\n"
    "Date of service: 10/20/2026\nBilled: 99214, 76882 RT   $331.00\n"
    "This claim was denied. Reason: CO-16 - claim lacks information.",
    UHC,
)
BUPA_REMIT = make_message(
    "remit@bupa",
    "Bupa payment remittance advice",
    "Bupa Provider Payments - remittance advice\nPayment date: 04/11/2026\n"
    "Claim number: BUPA-CL-3381760\nPatient: Casey Sample   DOB: 12/12/1958\n"
    "Invoice MOT-2026-118 - 3 sessions - £285.00 - paid £285.00\n"
    "Total amount paid: £285.00\n",
    BUPA,
)
INSTRUCTION = make_message(
    "instr@hl",
    "Letter of instruction - Our ref: HL/4471/JS",
    "Our ref: HL/4471/JS\nOur client: Dana Sample   DOB: 01/02/1980\n"
    "We write to instruct you to prepare a care and OT needs report.",
    FIRM,
)
INVOICE_NOTED = dated(
    make_message(
        "inv@hl",
        "Your invoice INV-MOT-0907 - Our ref: HL/4471/JS",
        "Our ref: HL/4471/JS\n\nThank you for your invoice INV-MOT-0907 dated 2 October 2026 "
        "for £1,850.00\nfor your report. It has been passed to our accounts team.",
        FIRM_ACCOUNTS,
    ),
    "Mon, 12 Oct 2026 10:00:00 +0100",
)
FEE_PAID = dated(
    make_message(
        "paid@hl",
        "Payment advice - invoice INV-MOT-0907",
        "Payment advice\nOur ref: HL/4471/JS\nAmount paid: £1,850.00\n"
        "Method: BACS, value date 20/11/2026\nThis payment settles your invoice in full.",
        FIRM_ACCOUNTS,
    ),
    "Fri, 20 Nov 2026 10:00:00 +0000",
)


@pytest.fixture
def home(practice_dir: Callable[..., Path]) -> Path:
    return practice_dir()


def run(home: Path) -> Runtime:
    rt = Runtime.from_config(load_config(home / "chief.toml"), today=TODAY)
    sync(rt)
    return rt


def positions(rt: Runtime) -> dict[tuple[str, str], dict[str, object]]:
    with rt.sessions() as session:
        found = payment_positions(session, rt.practice_id, rt.today())
    return {(p.party, p.currency): p.as_dict() for p in found}


def test_parse_money() -> None:
    assert parse_money("$1,284.60") == Money(128460, "USD")
    assert parse_money("£95") == Money(9500, "GBP")
    assert parse_money("£1,450.5") == Money(145050, "GBP")
    assert parse_money("no money here") is None
    assert str(Money(128460, "USD")) == "$1,284.60" and str(Money(-5, "GBP")) == "-£0.05"
    with pytest.raises(ValueError, match="cannot add GBP to USD"):
        Money(1, "USD") + Money(1, "GBP")


def test_amounts_are_recorded_once_across_reruns_and_a_lost_cursor(home: Path) -> None:
    for name, raw in (("ack", UHC_ACK), ("eob", UHC_EOB), ("denied", UHC_DENIED)):
        deliver(home, name, raw)
    rt = run(home)
    run(home)
    with Session(rt.engine) as s, s.begin():
        s.execute(update(Mailbox).values(cursor=None))  # as after a UIDVALIDITY change
    run(home)
    with Session(rt.engine) as s:
        rows = s.execute(select(Payment.kind, Payment.amount_minor, Payment.currency)).all()
    assert sorted(rows) == sorted(
        [
            ("billed", 35600, "USD"),
            ("paid", 18652, "USD"),
            ("patient_responsibility", 4000, "USD"),
            ("billed", 33100, "USD"),
        ]
    )


def test_remittance_settles_the_claim_and_the_oldest_unpaid_is_the_other(home: Path) -> None:
    for name, raw in (("ack", UHC_ACK), ("eob", UHC_EOB), ("denied", UHC_DENIED)):
        deliver(home, name, raw)
    rt = run(home)
    uhc = positions(rt)[("UnitedHealthcare", "USD")]
    assert uhc["billed"] == 35600 + 33100
    assert uhc["paid"] == 18652
    assert uhc["patient_responsibility"] == 4000
    assert uhc["adjusted"] == 35600 - 18652 - 4000  # the contractual write-down
    assert uhc["outstanding"] == 33100
    assert uhc["claims"] == 2 and uhc["unpaid_claims"] == 1
    assert uhc["oldest_unpaid"] == "2026-10-20"  # the denied claim's date of service
    assert uhc["oldest_unpaid_days"] == 35
    assert uhc["outstanding_text"] == "$331.00"


def test_currencies_are_never_added(home: Path) -> None:
    deliver(home, "ack", UHC_ACK)
    deliver(home, "remit", BUPA_REMIT)
    rt = run(home)
    found = positions(rt)
    bupa = found[("Bupa", "GBP")]
    assert (bupa["billed"], bupa["paid"], bupa["outstanding"]) == (28500, 28500, 0)
    assert found[("UnitedHealthcare", "USD")]["outstanding"] == 35600
    with rt.sessions() as session:
        totals = currency_totals(payment_positions(session, rt.practice_id, TODAY))
    assert [(t.currency, str(t.billed), str(t.outstanding)) for t in totals] == [
        ("GBP", "£285.00", "£0.00"),
        ("USD", "$356.00", "$356.00"),
    ]
    with Session(rt.engine) as s:
        paid_on = s.scalar(select(Payment.payment_date).where(Payment.kind == "paid"))
    assert paid_on == date(2026, 11, 4)  # a UK remittance's 04/11 is 4 November


def test_a_solicitors_invoice_is_outstanding_until_the_firm_pays_it(home: Path) -> None:
    deliver(home, "instr", INSTRUCTION)
    deliver(home, "inv", INVOICE_NOTED)
    rt = run(home)
    firm = positions(rt)[("Harcourt Lyle LLP", "GBP")]
    assert firm["category"] == "solicitor"
    assert (firm["billed"], firm["paid"], firm["outstanding"]) == (185000, 0, 185000)
    assert firm["oldest_unpaid"] == "2026-10-02"  # the invoice's own date
    deliver(home, "paid", FEE_PAID)
    run(home)
    firm = positions(rt)[("Harcourt Lyle LLP", "GBP")]
    assert (firm["billed"], firm["paid"], firm["outstanding"]) == (185000, 185000, 0)
    assert firm["oldest_unpaid"] is None


def test_amounts_meet_their_claim_by_reference_when_filed_on_no_case(home: Path) -> None:
    # Neither message opens a case: the firm's reference alone ties the payment to the invoice.
    deliver(home, "inv", INVOICE_NOTED)
    deliver(home, "paid", FEE_PAID)
    rt = run(home)
    firm = positions(rt)[("Harcourt Lyle LLP", "GBP")]
    assert firm["claims"] == 1 and firm["outstanding"] == 0


def test_money_the_practice_owes_is_not_a_position(home: Path) -> None:
    deliver(
        home,
        "supplier",
        make_message(
            "inv@thorne",
            "Invoice INV-TH-0093318 - wholesale order",
            "Invoice: INV-TH-0093318\nInvoice total: $1,284.60\nAmount paid: $0.00",
            SUPPLIER,
        ),
    )
    rt = run(home)
    with Session(rt.engine) as s:
        assert s.scalars(select(Payment)).all() == []


def test_chief_payments_json(home: Path, chief_exe: str) -> None:
    deliver(home, "ack", UHC_ACK)
    deliver(home, "remit", BUPA_REMIT)
    run(home)
    config = str(home / "chief.toml")
    out = subprocess.run(
        [chief_exe, "--config", config, "payments", "--json", "--today", "2026-11-24"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(d["party"], d["currency"], d["outstanding"]) for d in lines] == [
        ("Bupa", "GBP", 0),
        ("UnitedHealthcare", "USD", 35600),
    ]
    text = subprocess.run(
        [chief_exe, "--config", config, "payments"], capture_output=True, text=True
    )
    assert text.returncode == 0 and "outstanding     $356.00" in text.stdout
    assert "Alex Example" not in out.stdout + text.stdout + out.stderr + text.stderr


def test_dates_are_read_the_way_the_payer_writes_them(
    practice_dir: Callable[..., Path],
) -> None:
    home = practice_dir(extra_toml="")
    config = (home / "chief.toml").read_text().replace('country = "US"', 'country = "GB"')
    (home / "chief.toml").write_text(config)
    deliver(home, "denied", UHC_DENIED.replace(b"10/20/2026", b"04/02/2026"))
    deliver(home, "remit", BUPA_REMIT)
    rt = run(home)
    with Session(rt.engine) as s:
        dates = dict(
            s.execute(
                select(Payment.currency, Payment.service_date).where(Payment.kind == "billed")
            ).all()
        )
        paid_on = s.scalar(select(Payment.payment_date).where(Payment.kind == "paid"))
    assert dates["USD"] == date(2026, 4, 2)  # a US claim in a UK practice: 2 April
    assert paid_on == date(2026, 11, 4)
