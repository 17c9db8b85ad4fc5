"""Gmail (Google Workspace or a personal account) over the Gmail API v1: the connector.

``GmailConnector`` (registered as ``gmail``) checks the settings and holds one API client
(calls, batches, backoff and error translation: :mod:`connectors.google.client`; sign-in and
scopes: :mod:`connectors.google.auth`), and hands each task to the module that owns it:

- reading, which never changes the mailbox (``gmail.readonly``; full and incremental sync
  with a historyId cursor): :mod:`connectors.google.gmail_reading`. A PROVIDER ID is the
  Gmail message id. The same loop reads the practitioner's sent mail (the system label
  ``SENT``) and the correction labels (``Chief/<category>``), each with a cursor of its own;
- the one change a practice may ask for, a label per category (``category_labels``, off by
  default; ``gmail.modify`` asked for only then): :mod:`connectors.google.gmail_labels`;
- drafts, exactly once per IDEMPOTENCY KEY (the ``X-Chief-Key`` header) and in the
  conversation they answer (``gmail.compose``): :mod:`connectors.google.gmail_drafts`;
- the daily summary, put into INBOX with ``users.messages.insert`` (``gmail.insert``: a
  delivery into the practitioner's own mailbox, not a send) once the recipients are checked
  here: :mod:`connectors.google.gmail_summary`.

Nothing is ever sent: no module calls ``messages.send`` or ``drafts.send``.
Push (``users.watch`` with Cloud Pub/Sub) can replace polling later; see the README.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from bot.errors import RemoteGone, UserError
from bot.keyring_store import StoreKind
from bot.keys import check_key
from bot.mail.message import Limits, Message
from connectors.base import Batch, Correction, Cursor, OutgoingDraft
from connectors.google.auth import (
    GMAIL_LABEL_SCOPE,
    GMAIL_SCOPES,
    TokenStore,
    load_credentials,
)
from connectors.google.client import GoogleClient, check_api_root
from connectors.google.gmail_drafts import GmailDrafts
from connectors.google.gmail_labels import (
    CORRECTIONS_PARENT,
    CategoryLabeller,
    correction_labels,
    parse_category_labels,
    return_corrected,
)
from connectors.google.gmail_reading import GmailReader, Scope
from connectors.google.gmail_summary import INBOX, insert_summary
from connectors.http_retry import Retry
from connectors.recipients import require_practitioner_only

__all__ = ["GmailConnector"]

log = logging.getLogger(__name__)

_SENT = "SENT"  # the system label Gmail puts on every message the account sends
_GMAIL_BATCH_LIMIT = 100  # documented; Gmail advises 50 or fewer to avoid throttling


class GmailConnector:
    """Mail source, draft sink and summary sender over one Gmail account."""

    # historyId cursor; None means full. Drafts join the original's Gmail thread. Reading is
    # list / get / history (labels change only with `category_labels`). No waiting for mail
    # yet (users.watch + Pub/Sub): the interval sync polls.
    supports_incremental: ClassVar[bool] = True

    def __init__(
        self,
        account: str,
        token_file: Path | None = None,
        token_store: StoreKind = "auto",
        client_secrets_file: Path | None = None,
        watch: Sequence[str] = (INBOX,),
        category_labels: bool | Mapping[str, str] = False,
        batch_size: int = 50,
        timeout: float = 30.0,
        retry_attempts: int = 8,
        retry_base_s: float = 1.0,
        max_retry_wait_s: float = 300.0,
        api_root: str | None = None,
        practitioner_address: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        problems = []
        if not account or "@" not in account:
            problems.append("set `account` in [mail] of chief.toml to your Gmail address")
        watch = (watch,) if isinstance(watch, str) else tuple(dict.fromkeys(watch))
        if not watch or not all(isinstance(w, str) and w for w in watch):
            problems.append('`watch` in [mail] must be a list of Gmail labels, e.g. ["INBOX"]')
        if not 1 <= batch_size <= _GMAIL_BATCH_LIMIT:
            problems.append(f"`batch_size` in [mail] must be 1 to {_GMAIL_BATCH_LIMIT}")
        if timeout <= 0 or retry_attempts < 1 or retry_base_s < 0 or max_retry_wait_s < 0:
            problems.append(
                "`timeout`, `retry_attempts`, `retry_base_s` and `max_retry_wait_s` "
                "in [mail] must be positive"
            )
        label_names = parse_category_labels(category_labels, problems)
        if problems:
            raise UserError("invalid [mail] settings for the Gmail connector", problems)
        check_api_root(api_root, "mail")
        self.account = account.strip().lower()
        self.watch = watch
        self.batch_size = batch_size
        self.client_secrets_file = client_secrets_file
        self.practitioner_address = (practitioner_address or "").strip().lower() or None
        self.limits = limits or Limits()
        self.category_labels = label_names
        scopes = (*GMAIL_SCOPES, GMAIL_LABEL_SCOPE) if label_names else GMAIL_SCOPES
        self.store = TokenStore(self.account, token_file, token_store, "mail")
        self.client = GoogleClient(
            "gmail",
            "v1",
            lambda: load_credentials(self.store, scopes),
            api_root,
            timeout,
            Retry(retry_attempts, retry_base_s, max_retry_wait_s),
            batch_size,
        )
        threads: dict[str, str] = {}  # Message-ID -> Gmail threadId, from reading
        self.reader = GmailReader(self.client, watch, batch_size, self.limits, threads)
        self._sent = Scope("sent", lambda: {_SENT: _SENT})
        self.labeller = CategoryLabeller(self.client, label_names)
        self.drafts = GmailDrafts(self.client, self.account, threads)

    def __repr__(self) -> str:  # never the grant
        return f"GmailConnector(account={self.account!r}, watch={list(self.watch)!r})"

    def close(self) -> None:
        self.client.close()

    # --- MailSource -------------------------------------------------------------------------

    def changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of messages that arrived after ``cursor`` (all when ``None``).

        Raises :class:`~bot.errors.CursorInvalid` before yielding anything for a cursor of
        another shape, other labels, or a historyId Gmail no longer keeps."""
        return self.reader.changes(cursor)

    def estimate(self, cursor: Cursor | None) -> int | None:
        """About how many messages ``changes(cursor)`` reads (a progress bar's total)."""
        return self.reader.estimate(cursor)

    # --- ReadsSentMail and WatchesCorrections ---------------------------------------------

    def sent_changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of the practitioner's sent mail (the label ``SENT``) since ``cursor``, read
        as :meth:`changes` reads, with a cursor of its own shape (the other is refused)."""
        return (batch for _, batch in self.reader.read(self._sent, cursor))

    def corrections(self, cursor: Cursor | None) -> Iterator[Correction]:
        """A :class:`Correction` per batch of messages labelled ``Chief/<category>`` since
        ``cursor``; every batch's cursor covers all the correction labels (one historyId), so
        a label made later is read from the history too. Nothing is yielded while there is
        no such label; none is ever made."""
        labels: dict[str, str] = {}
        scope = Scope("corrections", lambda: labels, by_label=True)
        if cursor is not None:
            self.reader.parse(scope, cursor)  # another shape is refused before any request
        labels.update(correction_labels(self.client))
        if not labels:
            return iter(())
        return (Correction(name, batch) for name, batch in self.reader.read(scope, cursor))

    def make_correction_folders(self, names: Sequence[str]) -> int:
        """Make the labels ``Chief`` and ``Chief/<name>`` the mailbox lacks; how many were
        made. Only a sign-in that may make labels can (``gmail.modify``, asked for with
        ``category_labels``): without one, none is made and the practitioner makes the
        labels they use in Gmail (the narrower sign-in is kept, not widened behind their
        back)."""
        if not self.category_labels:
            log.info("gmail: correction labels not made (the sign-in may not make labels)")
            return 0
        self.labeller.ensure([CORRECTIONS_PARENT])  # so Gmail nests them under it
        return self.labeller.ensure([f"{CORRECTIONS_PARENT}/{name}" for name in names])

    # --- Category labels --------------------------------------------------------------------

    def labelled_categories(self) -> frozenset[str]:
        """The categories ``category_labels`` names (none when it is off)."""
        return frozenset(self.category_labels)

    def label_messages(self, by_category: Mapping[str | None, Sequence[str]]) -> int:
        """Put the configured label of each category on its messages (provider ids); returns
        how many messages were labelled. A no-op unless ``category_labels`` is set."""
        return self.labeller.label(by_category)

    def unlabel_messages(self, by_category: Mapping[str | None, Sequence[str]]) -> int:
        """Take the configured label of each category off its messages; how many."""
        return self.labeller.unlabel(by_category)

    def return_corrected(self, provider_id: str, folder: str, home: str | None) -> bool:
        """Take the correction label ``Chief/<folder>`` off the message (an undone
        correction), and put the first watched label (INBOX) back on when it is in none of
        them; False when it no longer carries the label."""
        label_id = correction_labels(self.client).get(folder)
        if label_id is None:
            return False  # the label is gone, and with it the message's correction
        watched = list(self.reader.labels().values())
        return return_corrected(
            self.client, provider_id, label_id, watched, bool(self.category_labels)
        )

    # --- DraftSink --------------------------------------------------------------------------

    def find_draft(self, key: str) -> str | None:
        """The id of the Gmail draft carrying X-Chief-Key ``key``, or None."""
        return self.drafts.find(key)

    def create_draft(self, draft: OutgoingDraft) -> str:
        """Create the draft once per key, in the original's thread; its draft id."""
        return self.drafts.create(draft)

    def draft_content(self, key: str) -> bytes | None:
        """The draft carrying ``key`` as Gmail holds it now, or None."""
        return self.drafts.content(key)

    def delete_draft(self, key: str) -> bool:
        """Delete the draft carrying ``key``; False when there is none."""
        return self.drafts.delete(key)

    def saved_notes(self) -> Iterator[Message]:
        """The notes saved as Gmail drafts (:meth:`GmailDrafts.saved_notes`), read-only."""
        return iter(self.drafts.saved_notes(self.limits))

    def draft_link(self, remote_id: str) -> str | None:
        """The Gmail web address that opens draft ``remote_id``, or None when it is gone."""
        return self.drafts.links([remote_id]).get(remote_id)

    def draft_links(self, remote_ids: Sequence[str]) -> dict[str, str]:
        """Draft id → web address, in one batch (``bot.summary.links``); drafts deleted
        since are left out."""
        return self.drafts.links(remote_ids)

    # --- Sender -----------------------------------------------------------------------------

    def send_to_practitioner(self, raw: bytes, key: str) -> str:
        """Insert the summary into INBOX (unread) once per ``key``; practitioner only."""
        check_key(key)
        require_practitioner_only(raw, self.practitioner_address)
        return insert_summary(self.client, raw, key)

    # --- chief doctor -----------------------------------------------------------------------

    def check(self) -> str:
        """Sign in and look at the mailbox: one line for `chief doctor`."""
        profile = self.client.call(lambda s: s.users().getProfile(userId="me"), "signing in")
        labels = self.reader.labels()
        missing = [w for w in self.watch if w not in labels]
        if missing:
            raise RemoteGone(
                f"watched Gmail label(s) {', '.join(map(repr, missing))} not found: "
                "check `watch` in [mail] of chief.toml"
            )
        return (
            f"signed in to Gmail as {profile.get('emailAddress', self.account)} "
            f"({profile.get('messagesTotal', 0)} messages); watching {', '.join(self.watch)}; "
            f"drafts go to Gmail drafts, in the conversation they answer; "
            f"sign-in kept in {self.store.describe()}"
        )
