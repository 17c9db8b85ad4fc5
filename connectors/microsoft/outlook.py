"""Outlook / Microsoft 365 mail over Microsoft Graph v1.0: the connector.

``OutlookConnector`` (registered as ``outlook``) checks the settings and holds one Graph client
(:mod:`connectors.microsoft.graph`; sign-in: :mod:`connectors.microsoft.auth`), and hands each
task to the module that owns it:

- reading, which never changes the mailbox (only GETs; a deltaLink per watched folder):
  :mod:`connectors.microsoft.outlook_reading`. A PROVIDER ID is the Graph message id. The
  same loop reads the practitioner's sent mail (``sentitems``) and the correction folders
  (the children of a top-level folder ``Chief``), each with a cursor of its own;
- drafts, exactly once per IDEMPOTENCY KEY and threaded with ``createReply`` under the message
  they answer: :mod:`connectors.microsoft.outlook_drafts`;
- the daily summary, put into the practitioner's own Inbox as a received message (not sent)
  once the recipients are checked here: :mod:`connectors.microsoft.outlook_summary`;
- what marks the items chief writes (the key and state extended properties) and finding them
  again by key: :mod:`connectors.microsoft.outlook_items`.

Nothing is ever sent: no ``send``, ``sendMail``, ``reply`` or ``forward`` call exists in any
of them. Polling can give way to change notifications (Graph subscriptions); see
docs/outlook.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from bot.errors import UserError
from bot.keyring_store import StoreKind
from bot.keys import check_key
from bot.mail.message import Limits, Message
from connectors.base import Batch, Correction, Cursor, OutgoingDraft
from connectors.http_retry import Retry
from connectors.microsoft.auth import MAIL_SCOPES, TokenProvider, kept_in, provider_for
from connectors.microsoft.graph import BATCH_LIMIT, GraphClient, GraphRequest, check_root
from connectors.microsoft.outlook_drafts import OutlookDrafts
from connectors.microsoft.outlook_items import KEY_PROPERTY, STATE_PROPERTY, odata_quote
from connectors.microsoft.outlook_reading import (
    Folders,
    OutlookReader,
    correction_folders,
    make_correction_folders,
    return_corrected,
)
from connectors.microsoft.outlook_summary import deliver_summary
from connectors.recipients import require_practitioner_only

__all__ = ["KEY_PROPERTY", "STATE_PROPERTY", "OutlookConnector", "odata_quote"]


class OutlookConnector:
    """Mail source, draft sink and summary sender over one Microsoft 365 / Outlook mailbox."""

    # deltaLink per folder; None means full. createReply keeps Outlook's conversation; drafts
    # are found again by an extended property. No waiting for mail yet (Graph subscriptions):
    # the interval sync polls.
    supports_incremental: ClassVar[bool] = True

    def __init__(
        self,
        account: str,
        client_id: str = "",
        tenant: str = "common",
        token_cache_file: Path | None = None,
        token_store: StoreKind = "auto",
        watch: Sequence[str] = ("inbox",),
        batch_size: int = BATCH_LIMIT,
        page_size: int = 100,
        timeout: float = 30.0,
        retry_attempts: int = 8,
        retry_base_s: float = 1.0,
        max_retry_wait_s: float = 300.0,
        api_root: str | None = None,
        login_root: str | None = None,
        practitioner_address: str | None = None,
        limits: Limits | None = None,
        token_provider: TokenProvider | None = None,
    ) -> None:
        problems = []
        watch = (watch,) if isinstance(watch, str) else tuple(dict.fromkeys(watch))
        if not watch or not all(isinstance(w, str) and w for w in watch):
            problems.append('`watch` in [mail] must be a list of folders, e.g. ["inbox"]')
        if not 1 <= batch_size <= BATCH_LIMIT:
            problems.append(f"`batch_size` in [mail] must be 1 to {BATCH_LIMIT} (Graph $batch)")
        if not 1 <= page_size <= 1000:
            problems.append("`page_size` in [mail] must be 1 to 1000")
        if timeout <= 0 or retry_attempts < 1 or retry_base_s < 0 or max_retry_wait_s < 0:
            problems.append("`timeout` and the retry settings in [mail] must be positive")
        if problems:
            raise UserError("invalid [mail] settings for the Outlook connector", problems)
        check_root(api_root, "api_root", "mail")
        self.account = account.strip().lower()
        self.watch = watch
        self.batch_size = batch_size
        self.page_size = page_size
        self.practitioner_address = (practitioner_address or "").strip().lower() or None
        self.limits = limits or Limits()
        self.tokens = token_provider or provider_for(
            "mail",
            {
                "account": account,
                "client_id": client_id,
                "tenant": tenant,
                "token_cache_file": token_cache_file,
                "token_store": token_store,
                "login_root": login_root,
            },
            MAIL_SCOPES,
        )
        self.client = GraphClient(
            self.tokens,
            api_root,
            timeout,
            Retry(retry_attempts, retry_base_s, max_retry_wait_s),
            batch_size,
        )
        self.reader = OutlookReader(self.client, watch, batch_size, page_size, self.limits)
        self._sent = Folders("sent", ("sentitems",), lambda name: name)
        self.drafts = OutlookDrafts(self.client)

    def __repr__(self) -> str:  # never a token
        return f"OutlookConnector(account={self.account!r}, watch={list(self.watch)!r})"

    def close(self) -> None:
        self.client.close()

    # --- MailSource -------------------------------------------------------------------------

    def changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of messages that arrived after ``cursor`` (all when ``None``).

        Raises :class:`~bot.errors.CursorInvalid` before yielding anything for a cursor of
        another shape, other folders, or a delta token Graph no longer honours."""
        return self.reader.changes(cursor)

    # --- ReadsSentMail and WatchesCorrections ---------------------------------------------

    def sent_changes(self, cursor: Cursor | None) -> Iterator[Batch]:
        """Batches of the practitioner's sent mail (the well-known folder ``sentitems``) since
        ``cursor``, read as :meth:`changes` reads, with a delta link and a cursor of its own
        (the other is refused)."""
        return (batch for _, batch in self.reader.read(self._sent, cursor))

    def make_correction_folders(self, names: Sequence[str]) -> int:
        """Make the folder ``Chief`` and its child per name where missing; how many."""
        return make_correction_folders(self.client, names)

    def return_corrected(self, provider_id: str, folder: str, home: str | None) -> bool:
        """Move an undone correction's message from ``Chief/<folder>`` back to the first
        watched folder (the inbox; a copy to Deleted Items); False when it is no longer in
        that folder."""
        folder_id = correction_folders(self.client).get(folder)
        if folder_id is None:
            return False
        to = next(iter(self.reader.folder_ids().values()))
        return return_corrected(self.client, provider_id, folder_id, to, home)

    def draft_content(self, key: str) -> bytes | None:
        """The draft carrying ``key`` as Outlook holds it now (its MIME), or None."""
        return self.drafts.content(key)

    def delete_draft(self, key: str) -> bool:
        """Delete the draft carrying ``key``; False when there is none."""
        return self.drafts.delete(key)

    def corrections(self, cursor: Cursor | None) -> Iterator[Correction]:
        """A :class:`Correction` per batch of messages that arrived in a child of the
        top-level folder ``Chief`` (its display name is the category) since ``cursor``; each
        folder is read with its own delta, and every batch's cursor covers them all. Without
        a ``Chief`` folder nothing is yielded, and none is made."""
        found: dict[str, str] = {}
        scope = Folders("corrections", (), found.__getitem__, fixed=False)
        if cursor is not None:
            self.reader.check_cursor(scope, cursor)  # another shape: refused before any request
        found.update(correction_folders(self.client))
        if not found:
            return iter(())
        scope = Folders("corrections", tuple(found), found.__getitem__, fixed=False)
        return (Correction(name, batch) for name, batch in self.reader.read(scope, cursor))

    # --- DraftSink --------------------------------------------------------------------------

    def find_draft(self, key: str) -> str | None:
        """The id of the complete draft carrying ``key``, or None."""
        return self.drafts.find(key)

    def create_draft(self, draft: OutgoingDraft) -> str:
        """Create the draft once per key, threaded under its original; its Graph id."""
        return self.drafts.create(draft)

    def saved_notes(self) -> Iterator[Message]:
        """The notes saved as Outlook drafts (:meth:`OutlookDrafts.saved_notes`), read-only."""
        return iter(self.drafts.saved_notes(self.limits))

    def draft_links(self, remote_ids: Sequence[str]) -> dict[str, str]:
        """Outlook on the web's address (``webLink``) of each draft still there, looked up
        in $batch requests (for the summary: :mod:`bot.summary.links`)."""
        return self.drafts.links(remote_ids)

    def draft_link(self, remote_id: str) -> str | None:
        """The ``webLink`` of one draft, or None when it is gone."""
        return self.drafts.links([remote_id]).get(remote_id)

    # --- Sender -----------------------------------------------------------------------------

    def send_to_practitioner(self, raw: bytes, key: str) -> str:
        """Put the summary into the Inbox (unread) once per ``key``; practitioner only."""
        check_key(key)
        own = require_practitioner_only(raw, self.practitioner_address)
        return deliver_summary(self.client, raw, key, own)

    # --- chief doctor -----------------------------------------------------------------------

    def check(self) -> str:
        """Sign in and look at the mailbox: one line for `chief doctor`."""
        me = self.client.call(
            GraphRequest("GET", "/me?$select=mail,userPrincipalName"), "signing in"
        )
        self.reader.folder_ids()
        who = me.get("mail") or me.get("userPrincipalName") or self.account
        return (
            f"signed in to Microsoft 365 as {who}{kept_in(self.tokens)}; watching "
            f"{', '.join(self.watch)}; drafts go to Outlook drafts, threaded under the "
            "message they answer"
        )
