"""The Maildir++ connector: read-only incremental reads, exactly-once drafts and summary."""

from __future__ import annotations

import mailbox
import os
import time
from pathlib import Path

import pytest

from bot.errors import CursorInvalid, RemoteGone, UserError
from bot.keys import draft_marker, marker_of
from bot.mail.message import Limits
from connectors.base import Batch, DraftSink, MailSource, OutgoingDraft, Sender
from connectors.maildir import MaildirConnector

ME = "dr.hill@practice.example"


def eml(n: int, extra: str = "", to: str = ME) -> bytes:
    return (
        f"From: Sender {n} <s{n}@payer.example>\nTo: {to}\nSubject: Message {n}\n"
        f"Message-ID: <m{n}@payer.example>\nDate: Tue, 24 Nov 2026 10:00:00 +0000\n{extra}"
        f"\nBody {n}\n"
    ).encode()


def put(root: Path, folder: str, sub: str, name: str, data: bytes) -> Path:
    base = root if folder == "INBOX" else root / f".{folder}"
    for d in ("cur", "new", "tmp"):
        (base / d).mkdir(parents=True, exist_ok=True)
    path = base / sub / name
    path.write_bytes(data)
    return path


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    root = tmp_path / "Mail"
    put(root, "INBOX", "new", "1000.A.host", eml(1))
    put(root, "INBOX", "cur", "1001.B.host:2,S", eml(2))
    put(root, "INBOX", "cur", "1002.C.host:2,RS", eml(3))
    put(root, "Sent", "cur", "1003.D.host:2,S", eml(4))
    return root


def read_all(
    conn: MaildirConnector, cursor: dict[str, object] | None = None, **kw: int
) -> tuple[list[Batch], set[str], set[str]]:
    batches = list(conn.changes(cursor, **kw))
    ids = {m.provider_id for b in batches for m in b.messages}
    failed = {pid for b in batches for pid, _ in b.failed}
    return batches, ids, failed


def snapshot(root: Path) -> dict[str, tuple[bytes, int] | None]:
    out: dict[str, tuple[bytes, int] | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root) + "/"] = None
        for f in filenames:
            p = Path(dirpath) / f
            out[str(p.relative_to(root))] = (p.read_bytes(), p.stat().st_mtime_ns)
    return out


def tick() -> None:
    """Let the file-system clock move on, so later changes get a later ctime."""
    time.sleep(0.05)


def test_implements_the_protocols(maildir: Path) -> None:
    conn = MaildirConnector(maildir, practitioner_address=ME)
    assert isinstance(conn, MailSource)
    assert isinstance(conn, DraftSink)
    assert isinstance(conn, Sender)
    assert MaildirConnector.supports_incremental is True


def test_full_read_ids_and_folders(maildir: Path) -> None:
    conn = MaildirConnector(maildir, watch=("INBOX", "Sent"))
    batches, ids, failed = read_all(conn)
    assert ids == {"1000.A.host", "1001.B.host", "1002.C.host", "Sent/1003.D.host"}
    assert not failed
    message = next(m for b in batches for m in b.messages if m.provider_id == "1000.A.host")
    assert message.subject == "Message 1" and message.from_addr == "s1@payer.example"
    cursor = batches[-1].cursor
    assert cursor["v"] == 2 and set(cursor["folders"]) == {"INBOX", "Sent"}


def test_incremental_with_cursor(maildir: Path) -> None:
    conn = MaildirConnector(maildir, watch=("INBOX", "Sent"))
    cursor = list(conn.changes(None))[-1].cursor
    tick()
    put(maildir, "INBOX", "new", "2000.E.host", eml(5))
    put(maildir, "Sent", "cur", "2001.F.host:2,S", eml(6))
    batches, ids, _ = read_all(conn, cursor)
    # within the margin the watermark is held back by, files already read are known by name
    assert ids == {"2000.E.host", "Sent/2001.F.host"}
    tick()
    _, ids, _ = read_all(conn, batches[-1].cursor)
    assert ids == set()


def test_a_message_moved_in_with_an_old_mtime_is_not_missed(maildir: Path) -> None:
    conn = MaildirConnector(maildir, cursor_slack_s=0)
    cursor = list(conn.changes(None))[-1].cursor
    old = put(maildir, "Archive", "cur", "0500.G.host:2,S", eml(7))
    os.utime(old, ns=(10**18, 10**18))  # an old delivery date, as IMAP APPEND may set
    tick()
    os.rename(old, maildir / "cur" / old.name)  # the user moves it into INBOX
    _, ids, _ = read_all(conn, cursor)
    assert "0500.G.host" in ids


def test_recent_messages_are_known_by_name_not_read_again(maildir: Path) -> None:
    conn = MaildirConnector(maildir)
    cursor = list(conn.changes(None))[-1].cursor
    inbox = cursor["folders"]["INBOX"]
    assert set(inbox["seen"]) == {"1000.A.host", "1001.B.host", "1002.C.host"}
    assert inbox["mark"] <= inbox["at"] - 600 * 10**9  # held back by the ten-minute margin
    _, ids, _ = read_all(conn, cursor)
    assert ids == set()


def test_batches_and_intermediate_cursors(maildir: Path) -> None:
    for n in range(10, 17):
        put(maildir, "INBOX", "new", f"30{n}.H.host", eml(n))
    conn = MaildirConnector(maildir, batch_size=3, cursor_slack_s=0)
    batches, ids, _ = read_all(conn)
    assert len(ids) == 10
    assert [len(b.messages) for b in batches] == [3, 3, 3, 1]
    marks = [b.cursor["folders"]["INBOX"]["mark"] for b in batches]
    assert marks == sorted(marks)
    # resuming from any intermediate cursor never skips what came after it
    seen_before = {m.provider_id for m in batches[0].messages}
    _, resumed, _ = read_all(conn, batches[0].cursor)
    assert ids - seen_before <= resumed
    _, ids2, _ = read_all(conn, None, batch_size=100)
    assert ids2 == ids


def test_reading_never_alters_the_mailbox(maildir: Path) -> None:
    before = snapshot(maildir)
    conn = MaildirConnector(maildir, watch=("INBOX", "Sent", "Missing"))
    batches, ids, _ = read_all(conn)
    list(conn.changes(batches[-1].cursor))
    assert snapshot(maildir) == before
    assert (maildir / "new" / "1000.A.host").exists()  # still in new/, never moved to cur/


def test_broken_messages_go_to_failed(maildir: Path) -> None:
    put(maildir, "INBOX", "new", "4000.X.host", b"")
    put(maildir, "INBOX", "new", "4001.Y.host", b"   \n\n  ")
    put(maildir, "INBOX", "cur", ".hidden", b"not a message")  # dot files are ignored
    _, ids, failed = read_all(MaildirConnector(maildir))
    assert failed == {"4000.X.host", "4001.Y.host"}
    assert ids == {"1000.A.host", "1001.B.host", "1002.C.host"}


def test_symlinks_and_fifos_are_reported_not_followed(maildir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(eml(99))
    (maildir / "cur" / "7000.L.host:2,S").symlink_to(secret)
    os.mkfifo(maildir / "new" / "7001.F.host")  # opening it must not block the scan
    _, ids, failed = read_all(MaildirConnector(maildir))
    assert failed == {"7000.L.host", "7001.F.host"}
    assert ids == {"1000.A.host", "1001.B.host", "1002.C.host"}
    assert MaildirConnector(maildir).find_draft("nope") is None  # the key index skips them too


def test_oversized_message_reads_headers_only(maildir: Path) -> None:
    put(maildir, "INBOX", "new", "5000.Z.host", eml(9) + b"x" * 5000 + b"\n")
    conn = MaildirConnector(maildir, limits=Limits(max_message_bytes=1000))
    batches, _, _ = read_all(conn)
    big = next(m for b in batches for m in b.messages if m.provider_id == "5000.Z.host")
    assert big.truncated and big.size > 5000 and big.subject == "Message 9"


def test_a_file_renamed_during_the_scan_is_still_read(
    maildir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = MaildirConnector(maildir)
    original = conn.tree.listing

    def listing_then_flag(folder: str) -> dict[str, tuple[Path, int]]:
        found = original(folder)
        if folder == "INBOX":  # a mail client moves new -> cur right after our listing
            os.rename(maildir / "new" / "1000.A.host", maildir / "cur" / "1000.A.host:2,S")
        return found

    monkeypatch.setattr(conn.tree, "listing", listing_then_flag)
    _, ids, failed = read_all(conn)
    assert "1000.A.host" in ids and not failed


def test_chief_headers_never_hide_a_message(maildir: Path) -> None:
    """Anyone can write X-Chief-Generated / X-Chief-Key: the connector reads the message and
    hands the claim on; the pipeline decides against its record (bot.sync.own_mail)."""
    extra = "X-Chief-Generated: summary\nX-Chief-Key: k-1\n"
    put(maildir, "INBOX", "new", "6000.S.host", eml(8, extra=extra))
    batches, ids, failed = read_all(MaildirConnector(maildir))
    assert "6000.S.host" in ids and "6000.S.host" not in failed
    (claimed,) = [m for b in batches for m in b.messages if m.provider_id == "6000.S.host"]
    assert (claimed.chief_mark, claimed.chief_key) == ("summary", "k-1")


def test_bad_cursor_and_missing_maildir(tmp_path: Path, maildir: Path) -> None:
    conn = MaildirConnector(maildir)
    for bad in ({"v": 99, "folders": {}}, {"v": 1, "folders": {"INBOX": "x"}}, {"x": 1}):
        with pytest.raises(CursorInvalid):
            list(conn.changes(bad))
    with pytest.raises(RemoteGone):
        list(MaildirConnector(tmp_path / "nowhere").changes(None))


def test_invalid_folder_names_are_user_errors(maildir: Path) -> None:
    for name in ("../etc", ".hidden", "a/b", ""):
        with pytest.raises(UserError):
            MaildirConnector(maildir, drafts_folder=name)


# --- drafts -----------------------------------------------------------------------------------


def draft(key: str, n: int = 1) -> OutgoingDraft:
    raw = (
        f"From: {ME}\r\nTo: s{n}@payer.example\r\nSubject: Re: Message {n}\r\n"
        f"X-Chief-Key: {key}\r\nX-Chief-Generated: draft\r\n\r\nDRAFT {n}\r\n"
    ).encode()
    return OutgoingDraft(key=key, raw=raw, in_reply_to=f"<m{n}@payer.example>")


def drafts_in(root: Path) -> list[str]:
    return sorted(p.name for sub in ("cur", "new") for p in (root / ".Drafts" / sub).iterdir())


def test_drafts_land_in_drafts_cur_with_the_draft_flag(maildir: Path) -> None:
    conn = MaildirConnector(maildir)
    remote = conn.create_draft(draft("key-1"))
    assert remote.startswith("Drafts/chief-")
    names = drafts_in(maildir)
    assert len(names) == 1 and names[0].endswith(":2,DS")
    assert (maildir / ".Drafts" / "cur" / names[0]).exists()
    assert (maildir / ".Drafts" / "maildirfolder").exists()
    assert not list((maildir / ".Drafts" / "tmp").iterdir())
    box = mailbox.Maildir(maildir, create=False).get_folder("Drafts")
    (msg,) = list(box)
    assert "D" in msg.get_flags() and "S" in msg.get_flags()
    assert marker_of(msg["Message-ID"]) == draft_marker("key-1")
    assert msg["X-Chief-Key"] is None and msg["X-Chief-Generated"] is None
    assert b"\r\n" not in (maildir / ".Drafts" / "cur" / names[0]).read_bytes()


def test_create_draft_exactly_once(maildir: Path) -> None:
    conn = MaildirConnector(maildir)
    first = conn.create_draft(draft("key-1"))
    assert conn.create_draft(draft("key-1")) == first
    assert MaildirConnector(maildir).create_draft(draft("key-1")) == first  # fresh instance
    assert len(drafts_in(maildir)) == 1
    other = conn.create_draft(draft("key-2", 2))
    assert other != first and len(drafts_in(maildir)) == 2


def test_find_draft_after_the_user_changes_flags_or_moves_it(maildir: Path) -> None:
    conn = MaildirConnector(maildir)
    remote = conn.create_draft(draft("key-1"))
    assert conn.find_draft("key-1") == remote
    assert conn.find_draft("unknown") is None
    (path,) = (maildir / ".Drafts" / "cur").iterdir()
    flagged = path.with_name(path.name.split(":")[0] + ":2,DFS")
    path.rename(flagged)
    assert conn.find_draft("key-1") == remote
    assert MaildirConnector(maildir).find_draft("key-1") == remote
    # moved to another folder: found there by its header, and not written again
    mailbox.Maildir(maildir, create=False).add_folder("Trash")
    flagged.rename(maildir / ".Trash" / "cur" / flagged.name)
    assert conn.find_draft("key-1") == "Trash/" + flagged.name.split(":")[0]
    assert conn.create_draft(draft("key-1")).startswith("Trash/")
    assert drafts_in(maildir) == []


def test_find_draft_by_header_after_a_client_resaves_it(maildir: Path) -> None:
    conn = MaildirConnector(maildir)
    conn.create_draft(draft("key-1"))
    (path,) = (maildir / ".Drafts" / "cur").iterdir()
    path.rename(path.with_name("7777.R.host:2,DS"))  # a client re-saved it under a new name
    fresh = MaildirConnector(maildir)
    assert fresh.find_draft("key-1") == "Drafts/7777.R.host"
    assert fresh.create_draft(draft("key-1")) == "Drafts/7777.R.host"
    assert drafts_in(maildir) == ["7777.R.host:2,DS"]


def test_key_header_added_when_missing(maildir: Path) -> None:
    conn = MaildirConnector(maildir)
    bare = OutgoingDraft(key="key-9", raw=b"From: a@b.example\n\nbody\n")
    conn.create_draft(bare)
    assert MaildirConnector(maildir).find_draft("key-9") is not None
    with pytest.raises(ValueError):
        conn.create_draft(OutgoingDraft(key="bad\nkey", raw=b"From: a@b.example\n\nx\n"))


# --- the summary ------------------------------------------------------------------------------


def summary(to: str = ME, extra: str = "") -> bytes:
    return (
        f"From: {ME}\nTo: {to}\n{extra}Subject: Practice summary\n"
        "X-Chief-Generated: summary\nX-Chief-Key: s1\n\nSummary\n"
    ).encode()


def test_summary_delivered_once_into_inbox_new(maildir: Path) -> None:
    conn = MaildirConnector(maildir, practitioner_address=ME.upper())
    remote = conn.send_to_practitioner(summary(), "s1")
    assert (maildir / "new" / remote).exists()
    assert conn.send_to_practitioner(summary(), "s1") == remote
    # the practitioner reads it: the client moves it to cur/ and flags it
    (maildir / "new" / remote).rename(maildir / "cur" / f"{remote}:2,S")
    assert (
        MaildirConnector(maildir, practitioner_address=ME).send_to_practitioner(summary(), "s1")
        == remote
    )
    assert [p.name for p in (maildir / "new").iterdir()] == ["1000.A.host"]
    _, ids, _ = read_all(conn)
    assert remote in ids  # read back like any message: the pipeline knows it by its key


@pytest.mark.parametrize(
    "raw",
    [
        summary(to="evil@x.example"),
        summary(to=f"{ME}, evil@x.example"),
        summary(extra="Cc: evil@x.example\n"),
        summary(extra="Bcc: evil@x.example\n"),
        summary(to=f'"{ME}" <evil@x.example>'),
        summary(to=f"{ME} <evil@x.example>"),
        summary(to=f"{ME}\n\t, evil@x.example"),
        summary(to="undisclosed-recipients:;"),
    ],
)
def test_summary_refuses_third_parties(maildir: Path, raw: bytes) -> None:
    conn = MaildirConnector(maildir, practitioner_address=ME)
    before = snapshot(maildir)
    with pytest.raises(UserError):
        conn.send_to_practitioner(raw, "s1")
    assert snapshot(maildir) == before


def test_summary_needs_a_practitioner_address(maildir: Path) -> None:
    with pytest.raises(UserError):
        MaildirConnector(maildir).send_to_practitioner(summary(), "s1")


def test_folders_are_created_when_missing(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    conn = MaildirConnector(root, practitioner_address=ME)
    conn.create_draft(draft("k"))
    conn.send_to_practitioner(summary(), "s1")
    for sub in ("cur", "new", "tmp"):
        assert (root / sub).is_dir() and (root / ".Drafts" / sub).is_dir()
    assert oct((root / ".Drafts").stat().st_mode & 0o777) == "0o700"
    assert [m.chief_key for m in list(conn.changes(None))[-1].messages] == ["s1"]


def test_estimate_counts_what_changes_will_read(maildir: Path) -> None:
    conn = MaildirConnector(maildir, watch=("INBOX", "Sent"), cursor_slack_s=0)
    assert conn.estimate(None) == 4
    batches, ids, failed = read_all(conn)
    assert len(ids | failed) == 4
    tick()
    put(maildir, "INBOX", "new", "3000.G.host", eml(7))
    cursor = batches[-1].cursor
    expected = len(read_all(conn, cursor)[1])
    assert conn.estimate(cursor) == expected >= 1
    assert conn.estimate({"v": 999}) is None  # an unusable cursor: no estimate, no error


def test_a_draft_of_an_earlier_version_is_found_by_its_header(maildir: Path) -> None:
    """A draft an earlier version wrote (its key in ``X-Chief-Key``, an ordinary Message-ID,
    moved by a mail client under a name of its own) is found by the key, never written twice."""
    MaildirConnector(maildir).create_draft(draft("k-other"))  # makes the folder
    legacy = maildir / ".Drafts" / "cur" / "1700000000.M1P1.host:2,DS"
    legacy.write_bytes(b"Message-ID: <random@practice.example>\n" + draft("old-key").raw)
    conn = MaildirConnector(maildir)
    assert conn.find_draft("old-key") == "Drafts/1700000000.M1P1.host"
    assert conn.create_draft(draft("old-key")) == "Drafts/1700000000.M1P1.host"
    assert len(drafts_in(maildir)) == 2
