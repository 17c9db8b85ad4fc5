"""Links from the summary to where each draft lives, whatever the mail connector.

DRAFT LINK
    An address that opens one draft for review: a ``file://`` URI of the draft's file in the
    embedded Maildir, the Gmail web address of the draft, the ``webLink`` Microsoft Graph gives
    an Outlook message. A draft sink that can give one has the optional capability
    :class:`DraftLinks` (``draft_link(remote_id)``; a sink that can look many up at once may
    add ``draft_links(remote_ids)``). A sink without it, or a draft whose link cannot be found,
    is simply shown without a link: the summary never fails for want of one.

WHERE IT IS READ
    The delivered summary is read on a phone or in a webmail client, where a ``file://``
    address opens nothing: it carries web links only (``https://``). A draft without one is
    named by what it is and the folder it waits in (a sink that knows its Drafts folder's
    name has :class:`DraftsFolder`). File links go only in the copy ``chief summary --open``
    writes on the practitioner's own computer (``local=True``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from bot.errors import ChiefError
from bot.keys import stable_key

__all__ = ["DraftLinks", "DraftsFolder", "drafts_folder", "draft_links", "links_from_sink"]

log = logging.getLogger(__name__)


@runtime_checkable
class DraftLinks(Protocol):
    """Optional draft-sink capability: where a draft can be opened (see the module docstring)."""

    def draft_link(self, remote_id: str) -> str | None:
        """An address that opens the draft ``remote_id``, or ``None`` when it is gone."""
        ...


@runtime_checkable
class ManyDraftLinks(Protocol):
    """Optional: the links of many drafts in one request (Outlook's $batch, say)."""

    def draft_links(self, remote_ids: Sequence[str]) -> Mapping[str, str]:
        """remote id → link for each draft that can be opened."""
        ...


@runtime_checkable
class DraftsFolder(Protocol):
    """Optional draft-sink capability: the name of the folder drafts are written to, as the
    practitioner's mail client shows it (``Drafts``), known without asking a server."""

    def drafts_folder_name(self) -> str: ...


def _opens_where_read(link: str, local: bool) -> bool:
    return local or link.startswith("https://")


def links_from_sink(sink: object, remote_ids: Iterable[str], local: bool = False) -> dict[str, str]:
    """remote id → link for every draft ``sink`` can link to (none when it cannot); file
    links only when ``local`` (WHERE IT IS READ)."""
    return {
        rid: link
        for rid, link in _all_links(sink, remote_ids).items()
        if _opens_where_read(link, local)
    }


def _all_links(sink: object, remote_ids: Iterable[str]) -> dict[str, str]:
    wanted = list(dict.fromkeys(r for r in remote_ids if r))
    if not wanted or not isinstance(sink, DraftLinks):
        return {}
    if isinstance(sink, ManyDraftLinks):
        try:
            found = sink.draft_links(wanted)
            return {k: v for k, v in found.items() if v}
        except ChiefError as exc:
            log.warning("draft links unavailable: %s", type(exc).__name__)
            return {}
    out: dict[str, str] = {}
    for remote_id in wanted:
        try:
            link = sink.draft_link(remote_id)
        except ChiefError as exc:  # one draft's problem; the others still get their links
            log.warning("no link for draft %s: %s", stable_key(remote_id)[:12], type(exc).__name__)
            continue
        if link:
            out[remote_id] = link
    return out


def draft_links(rt: Any, remote_ids: Iterable[str], local: bool = False) -> dict[str, str]:
    """Links for ``remote_ids`` from the practice's mail connector (its draft sink)."""
    try:
        sink = rt.mail()
    except ChiefError as exc:
        log.warning("mail connector unavailable for draft links: %s", type(exc).__name__)
        return {}
    return links_from_sink(sink, remote_ids, local)


def drafts_folder(rt: Any) -> str:
    """The name of the practice's Drafts folder, ``Drafts`` when its connector does not say."""
    try:
        sink = rt.mail()
    except ChiefError:
        return "Drafts"
    return sink.drafts_folder_name() if isinstance(sink, DraftsFolder) else "Drafts"
