"""Real-world and broken mail (flanker's fixtures): parsed or refused cleanly, never lost.

The corpus lives beside the project in ``../shared/corpora/mail-flanker`` and is never copied
in. Missing corpus: a failure under CI (``CI=true``), a skip with a reason elsewhere.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from bot.errors import MessageError
from bot.mail.mime import parse_message
from connectors.maildir import MaildirConnector

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "mail-flanker"


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        reason = (
            f"mail corpus not found at {CORPUS}: check out the shared corpora beside the "
            "project (../shared/corpora/mail-flanker, from mailgun/flanker "
            "tests/fixtures/messages)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    files = sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and not p.name.upper().startswith("LICENSE")
    )
    assert files, f"mail corpus at {CORPUS} is empty"
    return files


def test_every_corpus_file_parses_or_is_refused_cleanly() -> None:
    parsed = refused = 0
    for path in corpus_files():
        name = str(path.relative_to(CORPUS))
        try:
            message = parse_message(path.read_bytes(), name)
        except MessageError as exc:
            assert exc.item == name
            refused += 1
            continue
        parsed += 1
        assert message.provider_id == name
        assert "\r" not in message.subject and "\n" not in message.subject
        assert message.date is None or message.date.tzinfo is not None
    assert parsed > 0
    assert parsed + refused == len(corpus_files())


def test_maildir_built_from_the_corpus_loses_nothing(tmp_path: Path) -> None:
    files = corpus_files()
    root = tmp_path / "Mail"
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    expected: set[str] = set()
    for n, path in enumerate(files):
        unique = f"{1700000000 + n}.corpus{n}.host"
        if n % 2:
            shutil.copyfile(path, root / "cur" / f"{unique}:2,S")
        else:
            shutil.copyfile(path, root / "new" / unique)
        expected.add(unique)

    batches = list(MaildirConnector(root, batch_size=7).changes(None))
    messages = [m.provider_id for b in batches for m in b.messages]
    failed = [pid for b in batches for pid, _ in b.failed]
    assert len(messages) == len(set(messages))
    assert set(messages).isdisjoint(failed)
    assert set(messages) | set(failed) == expected
    assert len(batches) >= len(files) // 7


def test_missing_corpus_skips_locally_and_fails_under_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    this = sys.modules[__name__]
    monkeypatch.setattr(this, "CORPUS", tmp_path / "absent")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="mail corpus not found"):
        this.corpus_files()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="mail corpus not found"):
        this.corpus_files()
