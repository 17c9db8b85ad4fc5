"""Gmail labels: the system labels, a label per category on the messages the rules classify, and
the correction labels the practitioner files messages under.

``category_labels`` (off by default): ``true`` puts ``Chief/Payer``, ``Chief/Solicitor``... on
the messages the rules classify, a table (``{payer = "Insurers", lab = "Results"}``) names the
labels and limits them to the categories it lists. The labels are created when missing
(``users.labels.create``) and added with ``users.messages.batchModify`` (``gmail.modify``,
asked for only then); nothing else about a message changes: it stays where it is, read or
unread. The labels to put on are journalled with the batch in the case log and put on after
it (``bot/sync/effects.py``); a crash before they are recorded puts them on again on the rerun
(adding a label a message has is a no-op): none is missed, none doubled.

Correction labels are the user labels ``Chief/<category>`` (Gmail names a nested label by its
whole path): a message the practitioner labels ``Chief/payer`` was, in their view, a payer's.
chief makes them on its first run where the sign-in may make labels (``gmail.modify``, granted
with ``category_labels``); otherwise the practitioner makes the ones they use in Gmail. chief
never puts a correction label on a message; it takes one off when the practitioner undoes that
correction (:func:`return_corrected`), and takes its own category label off a message
corrected to another category (:meth:`CategoryLabeller.unlabel`). With ``category_labels`` on,
the label chief puts on and the correction label of a category are one label (Gmail label names
ignore case), so what chief labelled reads back as filed under its own category: telling that
from a correction is left to the reader of the corrections, which knows what was filed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.errors import ConnectorError, RemoteGone
from bot.rules.engine import CATEGORIES
from connectors.google.client import GoogleClient

__all__ = [
    "CORRECTIONS_PARENT",
    "SYSTEM_LABELS",
    "CategoryLabeller",
    "correction_labels",
    "parse_category_labels",
    "return_corrected",
]

log = logging.getLogger(__name__)

_MODIFY_LIMIT = 1000  # messages.batchModify: at most 1,000 ids a call
_LABEL_PREFIX = "Chief/"
CORRECTIONS_PARENT = "Chief"  # the correction labels are its children, Chief/<category>
SYSTEM_LABELS = frozenset(
    {"INBOX", "SENT", "DRAFT", "SPAM", "TRASH", "UNREAD", "STARRED", "IMPORTANT"}
    | {f"CATEGORY_{c}" for c in ("PERSONAL", "SOCIAL", "PROMOTIONS", "UPDATES", "FORUMS")}
)


class CategoryLabeller:
    """Puts the label of each category (category -> label name) on its messages."""

    def __init__(self, client: GoogleClient, names: dict[str, str]) -> None:
        self.client = client
        self.names = names
        self._ids: dict[str, str] = {}  # label name -> id, once made sure of
        self.created = 0  # labels made by this labeller

    def label(self, by_category: Mapping[str | None, Sequence[str]]) -> int:
        """Put the configured label of each category on its messages (provider ids); returns
        how many messages were labelled. A no-op unless labels are configured."""
        done = self._modify_labels(by_category, "addLabelIds", "labelling messages")
        log.debug("gmail: %d message(s) labelled", done)
        return done

    def unlabel(self, by_category: Mapping[str | None, Sequence[str]]) -> int:
        """Take the configured label of each category off its messages (a correction moved
        them to another category); how many messages. Taking off a label a message does not
        carry changes nothing."""
        return self._modify_labels(by_category, "removeLabelIds", "taking labels off messages")

    def _modify_labels(
        self, by_category: Mapping[str | None, Sequence[str]], field: str, doing: str
    ) -> int:
        """``field`` (addLabelIds or removeLabelIds) of each category's label on its messages,
        in batchModify's chunks; how many messages."""
        wanted = {
            self.names[category]: list(dict.fromkeys(ids))
            for category, ids in by_category.items()
            if category in self.names and ids
        }
        if not wanted:
            return 0
        label_ids = self._ensure_labels(sorted(wanted))
        done = 0
        for name, ids in sorted(wanted.items()):
            for at in range(0, len(ids), _MODIFY_LIMIT):
                chunk = ids[at : at + _MODIFY_LIMIT]
                self.client.call(_modify({"ids": chunk, field: [label_ids[name]]}), doing)
                done += len(chunk)
        return done

    def ensure(self, names: Sequence[str]) -> int:
        """Make the labels ``names`` the mailbox lacks; how many were made."""
        before = self.created
        self._ensure_labels(names)
        return self.created - before

    def _ensure_labels(self, names: Sequence[str]) -> dict[str, str]:
        """Label name -> id for ``names``, creating the ones the mailbox lacks."""
        missing = [n for n in names if n not in self._ids]
        if missing:
            listed = self.client.call(
                lambda s: s.users().labels().list(userId="me"), "listing labels"
            ).get("labels", [])
            by_name = {str(label.get("name", "")).lower(): label["id"] for label in listed}
            for name in missing:
                found = by_name.get(name.lower())
                if found is None:
                    body = {
                        "name": name,
                        "labelListVisibility": "labelShow",
                        "messageListVisibility": "show",
                    }
                    created = self.client.call(_create_label(body), "creating a label")
                    found = created["id"]
                    self.created += 1
                    log.info("gmail: label created for a category")
                self._ids[name] = str(found)
        return {n: self._ids[n] for n in names}


def correction_labels(client: GoogleClient) -> dict[str, str]:
    """Category -> label id of each user label directly under :data:`CORRECTIONS_PARENT`
    (``Chief/payer``: the category ``payer``), by category; {} when there is none."""
    listed = client.call(lambda s: s.users().labels().list(userId="me"), "listing labels")
    prefix = CORRECTIONS_PARENT + "/"
    found: dict[str, str] = {}
    for label in listed.get("labels", ()):
        name = str(label.get("name", ""))
        category = name[len(prefix) :]
        direct = bool(category) and "/" not in category  # Chief/payer, not Chief/payer/old
        if label.get("type") == "user" and name.startswith(prefix) and direct:
            found.setdefault(category, str(label["id"]))
    return dict(sorted(found.items()))


def return_corrected(
    client: GoogleClient, message_id: str, label_id: str, watched: Sequence[str], may_modify: bool
) -> bool:
    """Take the correction label ``label_id`` off message ``message_id``, and put the first of
    the ``watched`` label ids back on when it carries none of them (a "Move to" took it out of
    INBOX); False when the message no longer carries the label (or is gone). Without the
    sign-in that may change labels (``gmail.modify``), a ConnectorError names the move to make
    by hand."""
    try:
        found = client.call(_get_minimal(message_id), "reading a message's labels")
    except RemoteGone:
        return False
    carried = set(found.get("labelIds", ()))
    if label_id not in carried:
        return False
    if not may_modify:
        raise ConnectorError(
            "the Gmail sign-in may not change labels: take the correction label off the "
            "message in Gmail, or set `category_labels` in [mail] of chief.toml and sign in again"
        )
    body: dict[str, Any] = {"ids": [message_id], "removeLabelIds": [label_id]}
    if watched and carried.isdisjoint(watched):
        body["addLabelIds"] = [watched[0]]
    client.call(_modify(body), "moving a message back")
    return True


def parse_category_labels(setting: object, problems: list[str]) -> dict[str, str]:
    """``category_labels`` from chief.toml as category -> label name ({} when off)."""
    if setting is False or setting is None:
        return {}
    if setting is True:
        return {c: _LABEL_PREFIX + c.replace("_", " ").capitalize() for c in CATEGORIES}
    if isinstance(setting, Mapping):
        unknown = [str(k) for k in setting if k not in CATEGORIES]
        bad = [str(k) for k, v in setting.items() if not isinstance(v, str) or not v.strip()]
        if unknown:
            problems.append(
                f"`category_labels` in [mail]: unknown category {', '.join(unknown)}; "
                f"known: {', '.join(CATEGORIES)}"
            )
        if bad:
            problems.append(f"`category_labels` in [mail]: give a label name for {', '.join(bad)}")
        if unknown or bad:
            return {}
        names = {str(k): str(v).strip() for k, v in setting.items()}
        reserved = [n for n in names.values() if n.upper() in SYSTEM_LABELS]
        if reserved:
            problems.append(f"`category_labels` in [mail]: {reserved[0]} is a Gmail system label")
            return {}
        return names
    problems.append(
        '`category_labels` in [mail] must be true, false or a table such as {payer = "Insurers"}'
    )
    return {}


def _modify(body: dict[str, Any]) -> Callable[[Any], Any]:
    return lambda s: s.users().messages().batchModify(userId="me", body=body)


def _get_minimal(message_id: str) -> Callable[[Any], Any]:
    return lambda s: s.users().messages().get(userId="me", id=message_id, format="minimal")


def _create_label(body: dict[str, Any]) -> Callable[[Any], Any]:
    return lambda s: s.users().labels().create(userId="me", body=body)
