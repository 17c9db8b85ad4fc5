"""What a correction, and its undo, change in the mailbox: chief's own category labels, and the
corrected message put back where it came from.

LABELS
    Where chief labels what it files (Gmail ``category_labels``), a correction from A to B
    takes chief's label of A off the message (only while chief's own addition of it is in
    effect: a label the practitioner put on is theirs) and puts B's on; an undo does the
    reverse. Each is a row of the labels' journal (:class:`bot.store.models.LabelWrite`,
    ``op`` add or remove), committed with the correction (or the undo), then written by
    :func:`bot.sync.effects.apply_labels` and recorded: adding a label a message carries, or
    taking off one it does not, is a no-op, so a crash between the write and the record
    writes it again and changes nothing.
RETURN
    ``chief corrections undo`` takes the correction back fully: besides the case log, the
    message leaves its correction folder for the folder it was filed from
    (:class:`connectors.base.ReturnsCorrected`), so the mailbox and the case log agree and a
    later read of the folders finds nothing to refile. The undo journals it on the
    correction (``return_state`` planned), :func:`apply_returns` moves it and records it
    (returned; gone when it was no longer in the folder: moved on by the practitioner, or
    by a run that stopped before its record). Moved once, recorded once.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import crash
from bot.errors import ConnectorError
from bot.keys import key_hash, stable_key
from bot.store.models import Correction, LabelWrite, MessageRow
from bot.sync.audit import connector_name, record_audit
from bot.sync.retries import Failures
from bot.sync.runtime import Runtime
from connectors.base import Labels, RemovesLabels, ReturnsCorrected

__all__ = ["apply_returns", "labelled_by_chief", "relabel"]

log = logging.getLogger(__name__)


def _last_op(
    session: Session, practice_id: int, provider_id: str, category: str, written: bool
) -> str | None:
    """The last label write of ``category`` on the message journalled (``written``: made in
    the mailbox), add or remove; None when there is none. Dismissed ones never happened."""
    query = select(LabelWrite.op).where(
        LabelWrite.practice_id == practice_id,
        LabelWrite.provider_id == provider_id[:255],
        LabelWrite.category == category,
        LabelWrite.state == "written" if written else LabelWrite.state != "dismissed",
    )
    return session.scalar(query.order_by(LabelWrite.id.desc()).limit(1))


def labelled_by_chief(
    session: Session, practice_id: int, provider_id: str, category: str | None
) -> bool:
    """Whether the label of ``category`` on the message is chief's own: the last write of it
    made in the mailbox put it on (a removal journalled but not yet made leaves it chief's)."""
    if category is None:
        return False
    return _last_op(session, practice_id, provider_id, category, written=True) == "add"


def relabel(
    session: Session,
    rt: Runtime,
    provider_id: str,
    key: str,
    drop: str | None,
    put: str | None,
) -> None:
    """Journal chief's label of ``drop`` taken off and that of ``put`` put on (LABELS); keys
    derive from ``key`` (the correction's, or its undo's). Nothing where chief labels nothing."""
    source = rt.mail()
    labelled = source.labelled_categories() if isinstance(source, Labels) else frozenset()
    if not labelled or drop == put:
        return
    writes: list[tuple[str, str]] = []
    if (
        drop is not None
        and isinstance(source, RemovesLabels)
        and _last_op(session, rt.practice_id, provider_id, drop, written=False) == "add"
    ):  # on, or about to go on: taken off (the last write journalled is the one that holds)
        writes.append(("remove", drop))
    if put is not None and put in labelled:
        writes.append(("add", put))
    for op, category in writes:
        session.add(
            LabelWrite(
                key=stable_key(key, "label", op, category),
                practice_id=rt.practice_id,
                provider_id=provider_id[:255],
                category=category,
                op=op,
                state="planned",
            )
        )
    session.flush()


def apply_returns(rt: Runtime, mailbox: ReturnsCorrected, failures: Failures) -> int:
    """Move the messages of undone corrections back where they came from (RETURN); how many
    were moved. One that fails stays planned, counted, and is tried on the next pass."""
    moved = 0
    with rt.sessions() as session:
        pending = session.scalars(
            select(Correction)
            .where(Correction.practice_id == rt.practice_id, Correction.return_state == "planned")
            .order_by(Correction.id)
        ).all()
        connector = connector_name(rt, "mail")
        for correction in pending:
            row = (
                session.get(MessageRow, correction.message_id)
                if correction.message_id is not None
                else None
            )
            home = row.provider_id if row is not None else None
            if home == correction.provider_id:
                home = None  # read first in the correction folder: it goes to INBOX
            try:
                back = mailbox.return_corrected(correction.provider_id, correction.folder, home)
                crash.step("return.remote")
            except ConnectorError as exc:
                failures.add("correction return", exc)
                log.debug(
                    "correction %s: message not returned: %s",
                    key_hash(correction.key),
                    type(exc).__name__,
                )
                continue
            correction.return_state = "returned" if back else "gone"
            moved += back
            record_audit(
                session,
                rt,
                "correction.return" if back else "correction.return_gone",
                correction.key,
                connector=connector,
                case_id=correction.case_id,
                detail=f"correction {correction.id}",
            )
            session.commit()
            crash.step("return.commit")
    return moved
