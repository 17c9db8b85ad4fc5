"""Links from the summary to where each draft lives, whatever the mail connector.

DRAFT LINK
    An address that opens one draft for review: a ``file://`` URI of the draft's file in the
    embedded Maildir, the Gmail web address of the draft, the ``webLink`` Microsoft Graph gives
    an Outlook message. A draft sink that can give one has the optional capability
    :class:`DraftLinks` (``draft_link(remote_id)``; a sink that can look many up at once may
    add ``draft_links(remote_ids)``). A sink without it, or a draft whose link cannot be found,
    is simply shown without a link: the summary never fails for want of one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from bot.errors import ChiefError
from bot.keys import stable_key

__all__ = ["DraftLinks", "draft_links", "links_from_sink"]

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


def links_from_sink(sink: object, remote_ids: Iterable[str]) -> dict[str, str]:
    """remote id → link for every draft ``sink`` can link to (none when it cannot)."""
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


def draft_links(rt: Any, remote_ids: Iterable[str]) -> dict[str, str]:
    """Links for ``remote_ids`` from the practice's mail connector (its draft sink)."""
    try:
        sink = rt.mail()
    except ChiefError as exc:
        log.warning("mail connector unavailable for draft links: %s", type(exc).__name__)
        return {}
    return links_from_sink(sink, remote_ids)
