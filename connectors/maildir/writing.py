"""Writing into a Maildir++ tree exactly once per IDEMPOTENCY KEY (drafts, the summary).

The file's unique name is ``chief-`` + SHA-256(key)[:32]; it is written to ``tmp/``, fsynced,
then hard-linked into place (``link`` fails if the name exists, so a repeated key can never
create a second file) and the directory fsynced. Before writing, the key is looked up by that
unique name and by its mark in every folder (headers only, indexed once per instance), so a
draft the user re-flagged, moved or re-saved is found instead of written again. The mark of a
draft is its Message-ID (``bot.keys`` DRAFT MARKER), which a recipient of the sent draft sees
as an ordinary one; the summary's, and a draft's written by an earlier version, is the
``X-Chief-Key`` header.
"""

from __future__ import annotations

import email.parser
import email.policy
import errno
import hashlib
import io
import logging
import mailbox
import os
import re
import secrets
import time
from pathlib import Path

from bot.keys import check_key, draft_marker, key_hash, marker_of, with_draft_marker
from bot.mail.message import KEY_HEADER
from connectors.maildir.files import MaildirTree, NotAFile, fsync_dir, open_regular, read_head

__all__ = ["KeyedWriter"]

log = logging.getLogger(__name__)

_STALE_TMP_S = 36 * 3600  # Maildir: tmp files untouched for 36 hours may be removed


class KeyedWriter:
    """Delivers messages into folders of one tree, once per key, and finds them by key."""

    def __init__(self, tree: MaildirTree) -> None:
        self.tree = tree
        self._key_index: dict[str, tuple[str, str]] = {}  # key -> (folder, unique)
        self._indexed: set[tuple[str, str]] = set()

    @staticmethod
    def unique_for(key: str) -> str:
        return "chief-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    def deliver(self, folder: str, raw: bytes, key: str, info: str, *, draft: bool = False) -> str:
        """Write ``raw`` once into ``folder`` (``info``: "" for new/, "2,DS" for cur/); a
        ``draft`` is marked by its Message-ID (DRAFT MARKER), anything else by X-Chief-Key."""
        check_key(key)
        found = self.find(key, prefer=folder)
        if found is not None:
            log.debug("maildir: key %s already present as %s", key_hash(key), found)
            return found
        base = self.tree.ensure_folder(folder)
        unique = self.unique_for(key)
        if draft:
            raw = with_draft_marker(raw, key).replace(b"\r\n", b"\n")
        else:
            raw = _with_key_header(raw.replace(b"\r\n", b"\n"), key)
        tmp = base / "tmp" / f"{unique}.{os.getpid()}.{secrets.token_hex(4)}"
        target = (
            base
            / ("cur" if info else "new")
            / (f"{unique}{mailbox.Maildir.colon}{info}" if info else unique)
        )
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, target)
            except FileExistsError:
                log.debug("maildir: %s existed already (concurrent write)", target.name)
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                    raise
                # No hard links on this file system (some FUSE/SMB mounts): rename instead;
                # only a concurrent writer of the very same key could race the check.
                if not target.exists():
                    os.rename(tmp, target)
            fsync_dir(target.parent)
        finally:
            tmp.unlink(missing_ok=True)
        _clean_tmp(base / "tmp")
        item_id = self.tree.item_id(folder, unique)
        self._key_index[key] = (folder, unique)
        self._indexed.add((folder, unique))
        return item_id

    def find(self, key: str, prefer: str) -> str | None:
        """The id of the message carrying ``key``, looked for first where we write it."""
        unique = self.unique_for(key)
        if self.tree.locate(prefer, unique) is not None:  # fast path: where we wrote it
            self._key_index[key] = (prefer, unique)
            return self.tree.item_id(prefer, unique)
        cached = self._key_index.pop(key, None)
        if cached and self.tree.locate(*cached) is not None:
            self._key_index[key] = cached
            return self.tree.item_id(*cached)
        self._index_headers()
        cached = self._key_index.get(key) or self._key_index.get(draft_marker(key))
        return self.tree.item_id(*cached) if cached else None

    def _index_headers(self) -> None:
        """Read the header block of every message not indexed yet, recording its X-Chief-Key
        and the DRAFT MARKER of its Message-ID."""
        parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
        for folder in self.tree.all_folders():
            for unique, (path, _) in self.tree.listing(folder).items():
                if (folder, unique) in self._indexed:
                    continue
                try:
                    fh, _ = open_regular(path)
                    with fh:
                        head = read_head(fh)
                except (OSError, NotAFile):
                    continue
                self._indexed.add((folder, unique))
                parsed = parser.parsebytes(head)
                value = parsed.get(KEY_HEADER)
                if value:
                    self._key_index[str(value).strip()] = (folder, unique)
                marker = marker_of(parsed.get("Message-ID"))
                if marker:
                    self._key_index.setdefault(marker, (folder, unique))


def _clean_tmp(tmp_dir: Path) -> None:
    """Remove our own tmp files left by a crash, once older than 36 hours."""
    cutoff = time.time() - _STALE_TMP_S
    try:
        for entry in os.scandir(tmp_dir):
            if entry.name.startswith("chief-") and entry.stat().st_mtime < cutoff:
                Path(entry.path).unlink(missing_ok=True)
    except OSError:
        pass


def _with_key_header(raw: bytes, key: str) -> bytes:
    """``raw`` with an ``X-Chief-Key`` header, prepended when the message lacks one."""
    head = read_head(io.BytesIO(raw))
    if re.search(rb"(?im)^x-chief-key:", head):
        return raw
    return f"{KEY_HEADER}: {key}\n".encode("ascii") + raw
