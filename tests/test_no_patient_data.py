"""No patient name, date of birth or clinical phrase from the mail reaches logs, output, error
messages or the audit trail: ids and hashes only.

Two sets of sentinels:

- the identities the rules themselves extract from the sample mailbox (``patient`` and ``dob``
  refs): the demo runs at debug level, and neither its stderr, its JSON output nor the case
  log (the SQLite file's bytes; in the PostgreSQL pass, every row) may contain any of them;
- mail written here, carrying invented patients' names, dates of birth in several formats and
  distinctive body phrases in subjects, bodies, attachment names, display names and the
  Message-ID / References of a thread, some of it broken (malformed MIME, an unknown charset,
  a message over ``[limits] max_message_bytes``, a bad header) so that the error paths run.
  It is synced at debug level from the embedded Maildir and from IMAP (Dovecot), then
  ``chief cases``, ``cases show``, ``deadlines``, ``summary --print`` / ``--send``, ``doctor``
  and ``audit`` run; no sentinel may appear in any stderr, in their output, in the audit trail
  or in the case log. The summary names no one either: a name reaches it only from a calendar
  title, masked by ``bot/summary/privacy.py``, and these names are in the mail alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, text

from bot.cli.classify_files import iter_message_files, load_layers
from bot.mail.mime import parse_message
from bot.resources import shipped_examples
from tests.fixtures_postgres import case_log_text, case_log_url
from tests.samples import PRACTICES, mailbox

if TYPE_CHECKING:
    from tests.fixtures_dovecot import DovecotAccount

pytest_plugins = ["tests.fixtures_dovecot"]


def sentinels() -> set[str]:
    rules, _ = load_layers([])
    found: set[str] = set()
    for path in iter_message_files([mailbox(p) for p in PRACTICES]):
        refs = rules.classify(parse_message(path.read_bytes(), path.name)).refs
        for name in ("patient", "dob"):
            value = refs.get(name, "").strip()
            if len(value) >= 6:
                found.add(value)
    return found


def test_debug_run_leaks_no_patient_identity(tmp_path: Path, chief_exe: str) -> None:
    names = sentinels()
    assert len(names) >= 20, "the sample mailbox should carry patient identities to test with"
    home = tmp_path / "home"
    result = subprocess.run(
        [chief_exe, "-v", "demo", "--home", str(home), "--json"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "DEBUG" in result.stderr  # the debug log really was on
    database = case_log_text(home)
    leaks = {
        where
        for name in names
        for where, text in (
            ("stderr", result.stderr),
            ("stdout", result.stdout),
            ("case log", database),
        )
        if name in text
    }
    assert not leaks, f"patient identity found in: {sorted(leaks)}"  # never print the names


# --- mail written for the test -----------------------------------------------------------------

NAMES = ("Zebulon Quillfeather", "Philippa Marchbanks", "Ignatius Thornbury", "Octavia Pendlewick")
DOBS = (
    "03/17/1958",
    "1958-03-17",
    "17.03.1958",
    "17/03/1958",
    "17 March 1958",
    "March 17, 1958",
    "11/29/1947",
    "29.11.1947",
)
PHRASES = (
    "recurrent patellar haemangioma",
    "nocturnal vertigo with tinnitus",
    "peroneal palsy after the Ostrava marathon",
    "quillfeather",  # surnames alone, in any case
    "marchbanks",
    "thornbury",
    "pendlewick",
)
SENTINELS = NAMES + DOBS + PHRASES
# In a Message-ID and a thread's References: ids the case log keeps raw to thread replies
# (erased by [retention]), so allowed there and nowhere else.
HEADER_IDS = ("zebulonq-dob19580317", "philippam-dob19471129")
LIMIT = 16384  # [limits] max_message_bytes for these runs

PDF = "JVBERi0xLjQKJeLjz9MKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyA+PgplbmRvYmoK"


def _mail(
    mid: str,
    sender: str,
    subject: str,
    body: str,
    extra: str = "",
    content_type: str = 'text/plain; charset="utf-8"',
) -> bytes:
    head = (
        f"From: {sender}\n"
        "To: Riverside Sports Medicine <billing@riverside-sportsmed.example>\n"
        f"Subject: {subject}\n"
        "Date: Mon, 23 Nov 2026 10:14:00 -0500\n"
        f"Message-ID: <{mid}>\n"
        f"{extra}"
        "MIME-Version: 1.0\n"
        f"Content-Type: {content_type}\n"
    )
    return (head + "\n" + body).encode("utf-8")


def _multipart(boundary: str, text: str, filename_header: str, closed: bool = True) -> str:
    return (
        f"--{boundary}\n"
        'Content-Type: text/plain; charset="utf-8"\n\n'
        f"{text}\n"
        f"--{boundary}\n"
        "Content-Type: application/pdf\n"
        "Content-Transfer-Encoding: base64\n"
        f"Content-Disposition: attachment;\n {filename_header}\n\n"
        f"{PDF}\n" + (f"--{boundary}--\n" if closed else "")
    )


def sentinel_mail() -> dict[str, bytes]:
    """File name → raw message: sentinels everywhere a patient can appear in mail."""
    denial = (
        "UnitedHealthcare | Notice of Adverse Benefit Determination\n\n"
        "Reference: UHC-PA-8812734\n"
        "Patient: Zebulon Quillfeather   DOB: 03/17/1958\n"
        "Procedure: 0232T (platelet rich plasma injection, right knee)\n"
        "Decision: DENIED\n\n"
        "Reason for decision: recurrent patellar haemangioma; not medically necessary.\n"
        "This is an adverse determination. You may appeal within 180 days.\n"
    )
    referral = (
        "Nate,\n\nReferring Philippa to you for nocturnal vertigo with tinnitus.\n\n"
        "Patient: Philippa Marchbanks   DOB: 11/29/1947\n"
        "Date of birth (UK style): 29.11.1947\n"
        "Referral ref: IOA-RF-77120\n\nThanks,\nMalcolm\n"
    )
    lab = (
        "Labcorp Client Services\n\nAccession #: LC-26-7781203\n"
        "Patient: Ignatius Thornbury   DOB: 1958-03-17\n"
        "We were unable to process the specimen: peroneal palsy after the Ostrava marathon "
        "noted on the requisition. Please recollect.\n"
    )
    records = (
        "Dear Sirs\n\nOur client: Mr Zebulon Quillfeather   DOB: 17/03/1958\n"
        "Our ref: MTL.PI.55120.ZQ\n\nWe act for the above named, born 17 March 1958 "
        "(March 17, 1958 on the hospital's form), and would be grateful for a complete copy "
        "of his clinical records.\n\nYours faithfully\nRecords Assistant\n"
    )
    big = "Patient: Octavia Pendlewick DOB: 17.03.1958\n" + (
        "nocturnal vertigo with tinnitus, worse on waking. " * 20 + "\n"
    ) * (LIMIT // 1000 + 4)
    return {
        "9001-payer-denial": _mail(
            "zebulonq-dob19580317@notifications.uhc.com",
            "UnitedHealthcare Provider Notifications <no-reply@notifications.uhc.com>",
            "Prior authorization determination: Denied - Zebulon Quillfeather DOB 03/17/1958",
            _multipart("b-9001", denial, 'filename="Quillfeather Zebulon 03-17-1958.pdf"'),
            content_type='multipart/mixed; boundary="b-9001"',
        ),
        "9002-referral-thread": _mail(
            "referral-9002@inland-ortho.example",
            '"Malcolm Feverel, MD" <mfeverel@inland-ortho.example>',
            "Referral - Philippa Marchbanks - nocturnal vertigo with tinnitus",
            _multipart(
                "b-9002",
                referral,
                "filename*=utf-8''Marchbanks%20Philippa%2011%2F29%2F1947.pdf",
            ),
            extra=(
                "In-Reply-To: <philippam-dob19471129@inland-ortho.example>\n"
                "References: <philippam-dob19471129@inland-ortho.example>\n"
            ),
            content_type='multipart/mixed; boundary="b-9002"',
        ),
        "9003-lab-encoded": _mail(
            "lab-9003@labcorp.com",
            "Labcorp Client Services <clientservices@labcorp.com>",
            "=?utf-8?q?Specimen_issue_-_Ignatius_Thornbury_-_Accession_=23=3A_LC-26-7781203?=",
            lab,
        ),
        "9004-records-request": _mail(
            "records-9004@mercertolland.example",
            "Ailsa Becker <records@mercertolland.example>",
            "Request for copy clinical records - Mr Zebulon Quillfeather - Our ref: "
            "MTL.PI.55120.ZQ",
            _multipart("b-9004", records, 'filename="Authority - Quillfeather 17.03.1958.pdf"'),
            content_type='multipart/mixed; boundary="b-9004"',
        ),
        # A patient writing in person: the display name is theirs.
        "9005-personal": _mail(
            "personal-9005@mail.example",
            '"Octavia Pendlewick (DOB 17 March 1958)" <o.p.1958@mail.example>',
            "my knee - recurrent patellar haemangioma",
            "Dear doctor, Octavia Pendlewick here, born 03/17/1958.\n",
        ),
        # Broken: the boundary never appears, so the parts never close.
        "9006-malformed-mime": _mail(
            "broken-9006@notifications.uhc.com",
            "UnitedHealthcare Provider Notifications <no-reply@notifications.uhc.com>",
            "Prior authorization determination: Denied - Ignatius Thornbury",
            _multipart(
                "b-other",
                denial.replace("Zebulon Quillfeather", "Ignatius Thornbury"),
                'filename="Thornbury 1958-03-17.pdf"',
                closed=False,
            ).replace("--b-other", "--b-elsewhere")
            + "Content-Transfer-Encoding: base64\n\n!!! not base64 Thornbury !!!\n",
            content_type='multipart/mixed; boundary="b-9006"',
        ),
        # Broken: a charset no codec knows, 8-bit bytes, an encoded word in that charset.
        "9007-bad-charset": _mail(
            "charset-9007@labcorp.com",
            "=?x-no-such-charset?q?Philippa_Marchbanks?= <clientservices@labcorp.com>",
            "=?x-no-such-charset?q?Result_for_Philippa_Marchbanks_11/29/1947?=",
            "Patient: Philippa Marchbanks DOB: 11/29/1947\n",
            content_type='text/plain; charset="x-no-such-charset"',
        ).replace(b"Marchbanks DOB", b"Marchbanks\xe9\xff DOB"),
        # Broken: over [limits] max_message_bytes (headers only are read).
        "9008-over-limit": _mail(
            "big-9008@notifications.uhc.com",
            "UnitedHealthcare Provider Notifications <no-reply@notifications.uhc.com>",
            "Claim denied - Octavia Pendlewick - DOB 17.03.1958",
            big,
        ),
        # Broken: a header line without a colon, a NUL, an unterminated encoded word.
        "9009-bad-header": (
            b"From: Zebulon Quillfeather <zq@mail.example>\n"
            b"Subject: =?utf-8?b?WmVidWxvbiBRdWlsbGZlYXRoZXIgMDMvMTcvMTk1OA?\n"
            b"Zebulon Quillfeather 03/17/1958 without a colon\n"
            b"Message-ID: <nul-9009@mail.example>\n\n"
            b"recurrent patellar haemangioma\x00 Quillfeather\n"
        ),
    }


def _leaks(where: dict[str, str]) -> list[tuple[str, str]]:
    """(place, which sentinel, by index: never the sentinel itself) for every leak."""
    return [
        (place, f"sentinel #{i}")
        for place, text in where.items()
        for i, sentinel in enumerate(SENTINELS + HEADER_IDS)
        if sentinel.lower() in text.lower() and not (place == "case log" and sentinel in HEADER_IDS)
    ]


# A practice's own rule whose draft template fails on the data: the error path of drafting.
BROKEN_RULE = """\
pack: broken
rules:
  - id: practice.broken_template
    category: referral
    case_kind: referral
    event: new
    priority: 5
    match:
      subject_any: ['^my knee']
    actions:
      - draft: {template: practice/broken.j2}
"""
BROKEN_TEMPLATE = '{% set subject = "Re: " ~ message.subject %}{{ message.subject.index("zz") }}\n'


def _prepare(home: Path, config: Path) -> None:
    """The size limit, the broken rule and template, for a practice whose rules are in
    ``home/rules``."""
    (home / "rules" / "zz_broken.yaml").write_text(BROKEN_RULE)
    (home / "templates" / "practice").mkdir(parents=True)
    (home / "templates" / "practice" / "broken.j2").write_text(BROKEN_TEMPLATE)
    text = config.read_text()
    config.write_text(
        text + f'\n[limits]\nmax_message_bytes = {LIMIT}\n\n[templates]\ndirs = ["templates"]\n'
    )
    config.chmod(0o600)


class Run:
    """``chief -v --config CONFIG …`` at debug level; every output kept by command."""

    def __init__(self, chief_exe: str, config: Path) -> None:
        self.chief_exe, self.config = chief_exe, config
        self.outputs: dict[str, str] = {}

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "CHIEF_CONFIG"}
        done = subprocess.run(
            [self.chief_exe, "-v", "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        name = " ".join(args)
        self.outputs[f"{name}: stdout"] = done.stdout
        self.outputs[f"{name}: stderr"] = done.stderr
        if ok:
            assert done.returncode == 0, f"chief {name} exited {done.returncode}"
        return done


def _after_sync(run: Run, home: Path) -> None:
    """The read-side commands over the synced practice, and what each must show."""
    cases = [json.loads(line) for line in run("cases", "--json").stdout.splitlines() if line]
    assert cases
    for case in sorted(cases, key=lambda c: int(c["id"]))[-6:]:  # those the sentinel mail opened
        run("cases", "show", str(case["short_id"]))
    run("deadlines", "--json")
    printed = run("summary", "--print", "--today", "2026-11-24").stdout
    assert "Riverside" in printed or "summary" in printed.lower()
    run("summary", "--send", "--today", "2026-11-24")
    for copy in sorted((home / "data" / "summaries").iterdir()):  # what was delivered, and HTML
        run.outputs[f"summary {copy.suffix}"] = copy.read_text(errors="replace")
    run("doctor", ok=False)  # its verdict on the machine is not the point: its words are
    audit = run("audit", "--json").stdout
    assert any(json.loads(line)["action"] == "summary.deliver" for line in audit.splitlines())
    engine = create_engine(case_log_url(home))
    try:
        with engine.connect() as db:
            rows = db.execute(text("SELECT * FROM audit_event")).all()
            errors = db.execute(text("SELECT error FROM message WHERE error IS NOT NULL")).all()
    finally:
        engine.dispose()
    run.outputs["audit_event table"] = repr(rows)
    run.outputs["message errors"] = repr(errors)
    run.outputs["case log"] = case_log_text(home)


def _check_report(report: dict[str, Any], count: int) -> None:
    """Every message was read (the broken ones too) and the failing template was reached."""
    assert report["messages"] == count
    assert report["by_category"].get("payer", 0) >= 2  # the denials were read and filed
    assert any("render failed (ValueError)" in e for e in report["errors"]), report["errors"]


def _check(run: Run, drafts: list[bytes]) -> None:
    stderr = "".join(v for k, v in run.outputs.items() if k.endswith("stderr"))
    assert "DEBUG" in stderr  # the debug log really was on
    # The control: the same sentinels are found where they belong, in the practitioner's
    # own drafts, so the search below would see them.
    assert _leaks({"drafts": b"".join(drafts).decode("utf-8", "replace")})
    leaks = _leaks(run.outputs)
    assert leaks == [], f"patient data found in: {leaks}"


def test_maildir_sync_at_debug_leaks_nothing(tmp_path: Path, chief_exe: str) -> None:
    home = tmp_path / "home"
    demo = subprocess.run(
        [chief_exe, "-v", "demo", "--home", str(home), "--json"], capture_output=True, text=True
    )
    assert demo.returncode == 0
    _prepare(home, home / "chief.toml")
    for name, raw in sentinel_mail().items():
        (home / "Maildir" / "tmp" / name).write_bytes(raw)
        (home / "Maildir" / "tmp" / name).rename(home / "Maildir" / "new" / name)
    run = Run(chief_exe, home / "chief.toml")
    synced = run("sync", "--json", ok=False)
    assert synced.returncode == 3  # the broken template: a failed write, tried again later
    report = json.loads(synced.stdout)
    _check_report(report, len(sentinel_mail()))
    # Again: nothing new, the human-readable form, the broken template tried once more.
    assert run("sync", ok=False).returncode == 3
    classified = run("classify", "--json", str(home / "Maildir")).stdout
    run.outputs["classify errors"] = repr(
        [line["error"] for line in map(json.loads, classified.splitlines()) if "error" in line]
    )
    run.outputs.pop("classify --json " + str(home / "Maildir") + ": stdout")  # refs by contract
    _after_sync(run, home)
    drafts = [p.read_bytes() for p in (home / "Maildir" / ".Drafts").rglob("chief-*")]
    _check(run, drafts)


@pytest.mark.servers
def test_imap_sync_at_debug_leaks_nothing(
    dovecot: DovecotAccount, tmp_path: Path, chief_exe: str
) -> None:
    source = shipped_examples() / "practices" / "sports-medicine-us"
    home = tmp_path / "practice"
    (home / "secrets").mkdir(parents=True)
    (home / "rules").mkdir()
    for name in ("register.yaml",):
        shutil.copyfile(source / name, home / name)
    shutil.copyfile(source / "calendar.ics", home / "calendar.ics")
    for rule in (shipped_examples() / "practice-rules").iterdir():
        shutil.copyfile(rule, home / "rules" / rule.name)
    secret = home / "secrets" / "imap-password"
    secret.write_text(dovecot.password + "\n")
    secret.chmod(0o600)
    head, _, rest = (source / "chief.toml").read_text().partition("[mail]")
    _, _, tail = rest.partition("[calendar]")
    mail = (
        '[mail]\nconnector = "imap"\n'
        f'host = "{dovecot.host}"\nport = {dovecot.port}\n'
        f'username = "{dovecot.username}"\npassword_file = "secrets/imap-password"\n'
        'tls = "none"\ntimeout = 10\n\n'
    )
    config = home / "chief.toml"
    config.write_text(head + mail + "[calendar]" + tail)
    _prepare(home, config)
    messages = list(sentinel_mail().values())
    dovecot.seed(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") for raw in messages)
    run = Run(chief_exe, config)
    synced = run("sync", "--json", ok=False)
    assert synced.returncode == 3  # the broken template: a failed write, tried again later
    report = json.loads(synced.stdout)
    _check_report(report, len(messages))
    assert run("sync", ok=False).returncode == 3
    _after_sync(run, home)
    _check(run, [raw for raw, _ in dovecot.messages("Drafts")])
