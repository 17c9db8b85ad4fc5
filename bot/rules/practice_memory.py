"""What the practitioner's corrections taught: the practice's own model, over the shipped one.

A correction (a message moved to ``Chief/<Category>``) is a labelled message. Its hashed
features (:func:`bot.rules.learned.message_features`: CRC-32 ids, numbers reduced to their
shape, never words) are counted per LABEL in the case log (``learned_count``), and on the next
sync the counts are read back into a :class:`PracticeMemory` that leans the shipped model's
probabilities toward what the practitioner said of similar mail. Nothing but counts of hashes
is kept, so no word of a patient's mail leaves the case log (encrypted when it is).

How it leans: a message's similarity to a label is the cosine between its feature set and
the label's count vector. At or above :data:`MIN_SIMILARITY` the label's share of the
probabilities becomes at least the similarity, the others scaled down to make room: the same
kind of mail from the same sender, corrected once, is then filed (or held, when a rule says
otherwise: :mod:`bot.rules.second_opinion`) as the practitioner said; unrelated mail is left
as the shipped model sees it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

__all__ = ["MIN_SIMILARITY", "PracticeMemory", "label_of"]

MIN_SIMILARITY = 0.35


def label_of(category: str | None, case_kind: str | None) -> str:
    """The model's LABEL for a category and case kind (``""``: no practice's business)."""
    if category is None:
        return ""
    return f"{category}/{case_kind}" if case_kind else category


class PracticeMemory:
    """Feature counts per label, read from the case log; :meth:`lean` applies them."""

    def __init__(self, counts: Mapping[str, Mapping[int, int]]) -> None:
        self.counts = {
            label: dict(by_feature) for label, by_feature in counts.items() if by_feature
        }
        self._norms = {
            label: math.sqrt(sum(c * c for c in by_feature.values()))
            for label, by_feature in self.counts.items()
        }

    def __bool__(self) -> bool:
        return bool(self.counts)

    def similarity(self, features: Iterable[int]) -> dict[str, float]:
        """Label -> cosine similarity of the message's features with what it was taught."""
        ids = set(features)
        if not ids:
            return {}
        root = math.sqrt(len(ids))
        out = {}
        for label, by_feature in self.counts.items():
            dot = sum(by_feature.get(f, 0) for f in ids)
            if dot:
                out[label] = dot / (root * self._norms[label])
        return out

    def lean(self, probabilities: dict[str, float], features: Iterable[int]) -> dict[str, float]:
        """The shipped model's ``probabilities`` leaned toward the most similar corrected label
        (see the module docstring); unchanged when nothing taught is similar enough."""
        found = self.similarity(features)
        if not found:
            return probabilities
        label = max(sorted(found), key=lambda name: found[name])
        weight = min(found[label], 1.0)
        if weight < MIN_SIMILARITY:
            return probabilities
        leaned = {name: p * (1.0 - weight) for name, p in probabilities.items()}
        leaned[label] = leaned.get(label, 0.0) + weight
        return leaned
