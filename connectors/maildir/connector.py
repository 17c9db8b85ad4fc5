"""The Maildir++ connector: reading (:mod:`.reading`), writing once per key (:mod:`.writing`).

Besides the watched folders it reads the practitioner's sent mail (``sent_folder``, ``Sent`` by
default: ``.Sent`` in the Maildir++ layout) and the correction folders, one per category under
``corrections_folder`` (``Chief`` by default: ``.Chief.payer`` for ``Chief/payer``), each with a
cursor of its own. The summary it delivers to INBOX is read back like any message; the pipeline
recognises it by the key chief recorded for it (``bot.sync.own_mail``) and does not file it.

``cursor_slack_s`` is how far below a scan's start the next one looks again (the margin of
:mod:`connectors.maildir.watermark`): a clock stepping back by less than it never hides mail,
whatever the boot clock can tell.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from bot.errors import ConnectorError, RemoteGone, UserError
from bot.mail.message import Limits, Message
from connectors.base import Batch, Correction, Cursor, OutgoingDraft, is_saved_note
from connectors.maildir.files import (
    FOLDER_RE,
    INBOX,
    MaildirTree,
    NotAFile,
    fsync_dir,
    open_regular,
)
from connectors.maildir.reading import FolderReader
from connectors.maildir.writing import KeyedWriter
from connectors.recipients import require_practitioner_only

__all__ = ["MaildirConnector"]

log = logging.getLogger(__name__)


class MaildirConnector:
    """Mail source, draft sink and summary sender over a local Maildir++ tree; reads sent mail
    and correction folders too."""

    # The cursor resumes; None means full. (No provider thread ids: replies are threaded by
    # headers.) Reading never alters the user's files; delivery goes to INBOX, practitioner only.
    supports_incremental: ClassVar[bool] = True

    def __init__(
        self,
        path: Path,
        drafts_folder: str = "Drafts",
        watch: Sequence[str] = (INBOX,),
        practitioner_address: str | None = None,
        batch_size: int = 200,
        limits: Limits | None = None,
        cursor_slack_s: float = 600.0,
        sent_folder: str = "Sent",
        corrections_folder: str = "Chief",
    ) -> None:
        self.path = Path(path).expanduser()
        self.tree = MaildirTree(self.path)
        for folder in (drafts_folder, sent_folder, corrections_folder, *watch):
            self.tree.check_folder(folder)
        if batch_size < 1:
            raise UserError("`batch_size` in [mail] of chief.toml must be at least 1")
        self.drafts_folder = drafts_folder
        self.sent_folder = sent_folder
        self.corrections_folder = corrections_folder
        self.watch = tuple(dict.fromkeys(watch))
        self.practitioner_address = (practitioner_address or "").strip().lower() or None
        self.batch_size = batch_size
        self.limits = limits or Limits()
        self.cursor_slack_ns = int(cursor_slack_s * 1e9)
        self.reader = FolderReader(self.tree, self.limits, batch_size, self.cursor_slack_ns)
        self.writer = KeyedWriter(self.tree)

    # --- MailSource -----------------------------------------------------------------------

    def estimate(self, cursor: Cursor | None) -> int | None:
        """How many messages ``changes(cursor)`` would read: a progress bar's total."""
        return self.reader.estimate(self.watch, cursor)

    def changes(self, cursor: Cursor | None, batch_size: int | None = None) -> Iterator[Batch]:
        """Yield batches of messages changed at or after ``cursor`` (all when ``None``).

        The last batch (possibly empty) carries the cursor for the whole scan; each earlier
        batch carries a cursor that is safe to store after its messages are logged.
        """
        self._require_tree()
        for _, batch in self.reader.scan(self.watch, cursor, batch_size):
            yield batch

    def _require_tree(self) -> None:
        if not (self.path / "cur").is_dir() and not (self.path / "new").is_dir():
            raise RemoteGone(
                f"no Maildir at the configured path; check `path` in [mail] "
                f"of chief.toml ({self.path.name})"
            )

    # --- ReadsSentMail and WatchesCorrections ----------------------------------------------

    def sent_changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of the practitioner's sent mail (``sent_folder``) since ``cursor``; a last
        empty batch with the cursor when the folder does not exist (yet)."""
        self._require_tree()
        for _, batch in self.reader.scan((self.sent_folder,), cursor, missing=logging.DEBUG):
            yield batch

    def correction_folders(self) -> dict[str, str]:
        """Category -> folder, for every folder under ``corrections_folder``."""
        prefix = self.corrections_folder + "."
        return {
            folder[len(prefix) :]: folder
            for folder in self.tree.all_folders()
            if folder.startswith(prefix) and len(folder) > len(prefix)
        }

    def corrections(self, cursor: Cursor | None) -> Iterator[Correction]:
        """A :class:`Correction` per batch of messages in the correction folders since
        ``cursor``; every folder's last batch is yielded, empty or not, with a cursor that
        covers the folders read so far."""
        self._require_tree()
        folders = self.correction_folders()
        by_folder = {folder: category for category, folder in folders.items()}
        for folder, batch in self.reader.scan(sorted(by_folder), cursor, by_folder=True):
            yield Correction(by_folder[folder], batch)

    def make_correction_folders(self, names: Sequence[str]) -> int:
        """Make ``.Chief.<name>`` for each name that is missing; how many were made."""
        self._require_tree()
        made = 0
        for name in names:
            folder = f"{self.corrections_folder}.{name}"
            self.tree.check_folder(folder)
            if not self.tree.folder_dir(folder).is_dir():
                try:
                    self.tree.ensure_folder(folder)
                except OSError as exc:
                    raise ConnectorError(
                        f"maildir: cannot make a correction folder: {exc.strerror or exc}"
                    ) from exc
                made += 1
        return made

    def return_corrected(self, provider_id: str, folder: str, home: str | None) -> bool:
        """Move the file read as ``provider_id`` (``Chief.<folder>/<unique>``) back into the
        watched folder ``home`` was read in (``cur/`` or ``new/`` as it was, its name and
        flags kept: a rename, as a mail program moves mail); INBOX when ``home`` is None or in
        no watched folder. A copy (the file ``home`` names still in its folder) is removed
        instead: the folder holds the message once, as before the copy. False when the file
        is no longer in the correction folder."""
        source, _, unique = provider_id.rpartition("/")
        if not source.startswith(self.corrections_folder + ".") or not unique:
            return False  # never anything outside the correction folders
        path = self.tree.locate(source, unique)
        if path is None:
            return False
        home_folder, _, home_unique = (home or "").rpartition("/")
        home_folder = home_folder or INBOX
        target_folder = home_folder if home_folder in self.watch else self.watch[0]
        target = self.tree.folder_dir(target_folder) / path.parent.name / path.name
        copy = home_unique and home_unique != unique and target_folder == home_folder
        if copy and self.tree.locate(home_folder, home_unique) is not None:
            return self._remove_copy(path)  # a copy: the original never left its folder
        try:
            try:
                os.link(path, target)  # never over a file of the same name
            except FileExistsError:
                if not os.path.samefile(path, target):
                    raise
                # linked by a run that stopped before the unlink: finish the move
            fsync_dir(target.parent)
            path.unlink()
            fsync_dir(path.parent)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ConnectorError(
                f"maildir: cannot move a message back to {target_folder}: {exc.strerror or exc}"
            ) from exc
        return True

    def _remove_copy(self, path: Path) -> bool:
        try:
            path.unlink()
            fsync_dir(path.parent)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ConnectorError(f"maildir: cannot remove a copy: {exc.strerror or exc}") from exc
        return True

    # --- writing ---------------------------------------------------------------------------

    def _draft_file(self, key: str) -> Path | None:
        """The file of the draft carrying ``key`` while it is in the Drafts folder."""
        found = self.find_draft(key)
        if found is None:
            return None
        folder, _, unique = found.rpartition("/")
        if (folder or INBOX) != self.drafts_folder:
            return None  # moved elsewhere by the practitioner: no longer a draft of ours
        return self.tree.locate(self.drafts_folder, unique)

    def draft_content(self, key: str) -> bytes | None:
        """The draft carrying ``key`` as it is now in the Drafts folder, or None."""
        path = self._draft_file(key)
        if path is None:
            return None
        try:
            fh, _ = open_regular(path)
            with fh:
                return bytes(fh.read())
        except (OSError, NotAFile):
            return None

    def delete_draft(self, key: str) -> bool:
        """Remove the draft carrying ``key`` from the Drafts folder; False when absent."""
        path = self._draft_file(key)
        if path is None:
            return False
        try:
            path.unlink()
            fsync_dir(path.parent)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ConnectorError(f"maildir: cannot remove a draft: {exc.strerror or exc}") from exc
        return True

    def create_draft(self, draft: OutgoingDraft) -> str:
        """Store ``draft`` in the Drafts folder's ``cur/`` flagged Draft+Seen; return its id."""
        return self._deliver(self.drafts_folder, draft.raw, draft.key, "2,DS", draft=True)

    def _deliver(self, folder: str, raw: bytes, key: str, info: str, draft: bool = False) -> str:
        """:meth:`KeyedWriter.deliver`, a file system's refusal (a full disk, a folder that is
        not one, no permission) translated into ConnectorError: the write is then retried
        on a later pass like any other provider's (bot/sync/retries.py)."""
        try:
            return self.writer.deliver(folder, raw, key, info, draft=draft)
        except OSError as exc:
            raise ConnectorError(
                f"maildir: cannot write into {folder or 'INBOX'}: {exc.strerror or exc}"
            ) from exc

    def find_draft(self, key: str) -> str | None:
        """The id of the message carrying ``key``, wherever the user moved or re-flagged it."""
        return self.writer.find(key, prefer=self.drafts_folder)

    # --- ReadsDrafts ---------------------------------------------------------------------

    def saved_notes(self) -> Iterator[Message]:
        """The drafts of the Drafts folder whose subject begins with ``Note``, chief's own
        left out (the practitioner's notes saved as drafts); read-only."""
        self._require_tree()
        for _, batch in self.reader.scan((self.drafts_folder,), None, missing=logging.DEBUG):
            yield from (m for m in batch.messages if is_saved_note(m))

    def draft_link(self, remote_id: str) -> str | None:
        """A ``file://`` URI of the draft's file (``bot.summary.links``), or None when gone.

        The file is looked up afresh: a mail client moves a message from ``new/`` to ``cur/``
        and rewrites its flags in the name."""
        folder, _, unique = remote_id.rpartition("/")
        if "/" in unique or not unique or (folder and not FOLDER_RE.fullmatch(folder)):
            return None
        found = self.tree.locate(folder or INBOX, unique)
        return found.resolve().as_uri() if found is not None else None

    def drafts_folder_name(self) -> str:
        """The Drafts folder as a mail client shows it (``Drafts``, stored as ``.Drafts``):
        the summary names it beside a draft (``bot.summary.links``)."""
        return self.drafts_folder

    def send_to_practitioner(self, raw: bytes, key: str) -> str:
        """Deliver the summary into INBOX ``new/`` once per ``key``; practitioner only."""
        require_practitioner_only(raw, self.practitioner_address)
        return self._deliver(INBOX, raw, key, "")
