"""The learned model behind the rules: how its guess and the rules' answer are weighed.

Rules stay first. Their answer is final unless the model is *sure* it is wrong (its best
category, not the rule's, at or above the model file's ``disagree`` probability): then the
message needs a look. Where no rule fires, the model's guess stands in for a rule when its
category's probability reaches the model file's ``threshold``: the message is classified as
its category's generic rule would classify it (that rule's event, case and actions, its
references extracted), so a referral the model recognises gets its case and acknowledgement
draft like any other. Below the threshold, a message whose likeliest practice category has at
least the model file's ``look`` probability needs a look (unless the model is confident it
is no practice's business); the rest stays unclassified, its guess kept.

A category's generic rule is the one its pack marks ``generic: true`` for that category and
case kind, else the last in precedence (the pack's catch-all correspondence rule): see
:meth:`bot.rules.engine.RuleSet.generic`.

The corrections the practitioner makes (moving a message to ``Chief/<Category>``,
``bot/sync/corrections.py``) plug in before this: what they taught leans the model's guess
(:mod:`bot.rules.practice_memory`), so similar mail no rule recognises is filed as the
practitioner said, and a rule's answer the corrections contradict strongly enough is held for a
look; the corrected message itself is refiled as the practitioner said, whatever both sides
thought.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.rules.classification import UNCLASSIFIED, Classification
from bot.rules.learned import Guess, TextModel

__all__ = ["MODEL_RULE_PREFIX", "weigh"]

MODEL_RULE_PREFIX = "model:"


def _practice_guess(guess: Guess) -> Guess:
    """The best practice category of ``guess`` (for a message that needs a look because the
    model leaned, without confidence, to "no practice's business")."""
    categories = {c: p for c, p in guess.probabilities.items() if c}
    if guess.category is not None or not categories:
        return guess
    best = max(sorted(categories), key=lambda c: categories[c])
    return Guess(best, None, categories[best], guess.probabilities)


def weigh(
    result: Classification,
    guess: Guess,
    model: TextModel,
    as_generic: Callable[[str, str | None], Classification | None],
) -> Classification:
    """The final classification of a message the rules answered ``result`` and the model
    ``guess``; ``as_generic(category, kind)`` classifies the message by that generic rule."""
    if result.category is not None:
        if guess.category != result.category and guess.confidence >= model.disagree:
            return replace(result, source="rule", needs_look="disagrees", guess=guess)
        return replace(result, source="rule", guess=guess)
    practice = _practice_guess(guess)
    if practice.category is None or practice.confidence < model.look:
        return replace(UNCLASSIFIED, guess=guess)  # no practice category is even likely
    if guess.category is None:
        if guess.confidence >= model.threshold:
            return replace(UNCLASSIFIED, guess=guess)
        return replace(UNCLASSIFIED, needs_look="low_confidence", guess=practice)
    if guess.confidence >= model.threshold:
        found = as_generic(guess.category, guess.case_kind)
        if found is not None:
            return replace(
                found,
                source="model",
                confidence=round(guess.confidence, 3),
                rule_id=f"{MODEL_RULE_PREFIX}{found.rule_id}",
                guess=guess,
            )
    return replace(UNCLASSIFIED, needs_look="low_confidence", guess=guess)
