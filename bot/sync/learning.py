"""What corrections teach, kept in the case log and read back on every sync.

A correction adds its message's hashed features (:func:`bot.rules.learned.message_features`)
to the counts of its LABEL (``learned_count``); undoing it takes them away again. At the
start of each sync the counts are read into a :class:`bot.rules.practice_memory.PracticeMemory`
and put behind the rules with the shipped model, so a correction changes how the next sync
classifies similar mail. Counts of hashes only: no text is ever stored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules.practice_memory import PracticeMemory
from bot.store.models import LearnedCount
from bot.sync.runtime import Runtime

__all__ = ["install_memory", "load_memory", "teach"]

log = logging.getLogger(__name__)


def teach(session: Session, practice_id: int, label: str, features: Sequence[int], by: int) -> None:
    """Add ``by`` (1 to learn, -1 to forget) to ``label``'s count of each feature."""
    wanted = sorted(set(features))
    if not wanted:
        return
    rows = {
        row.feature: row
        for row in session.scalars(
            select(LearnedCount).where(
                LearnedCount.practice_id == practice_id,
                LearnedCount.label == label,
                LearnedCount.feature.in_(wanted),
            )
        )
    }
    for feature in wanted:
        row = rows.get(feature)
        if row is None:
            if by > 0:
                session.add(
                    LearnedCount(practice_id=practice_id, label=label, feature=feature, count=by)
                )
            continue
        row.count += by
        if row.count <= 0:
            session.delete(row)


def load_memory(session: Session, practice_id: int) -> PracticeMemory:
    counts: dict[str, dict[int, int]] = {}
    for label, feature, count in session.execute(
        select(LearnedCount.label, LearnedCount.feature, LearnedCount.count).where(
            LearnedCount.practice_id == practice_id
        )
    ):
        counts.setdefault(label, {})[feature] = count
    return PracticeMemory(counts)


def install_memory(rt: Runtime) -> None:
    """Put what the practice's corrections taught behind its rules, for this sync."""
    model = rt.rules.model
    if model is None or not rt.config.corrections.learn:
        return
    with rt.sessions() as session:
        memory = load_memory(session, rt.practice_id)
    rt.rules.model = model.with_memory(memory)
    log.debug("practice memory: %d label(s) taught", len(memory.counts))
