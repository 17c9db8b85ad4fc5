"""The learned layer behind the rules: a linear text classifier, shipped as weights.

Rules come first. Where none fires, :meth:`TextModel.suggest` guesses the message's category
and case kind with a confidence; where one fires, the guess is a second opinion that can send
the message to *Needs a look* (:mod:`bot.rules.engine` decides, this module only scores).

Why a linear model read by plain Python: the weights are trained with scikit-learn
(``bench/train_model.py``, a development dependency), but importing scikit-learn costs more
than a second, far over the 200 ms a ``chief`` command may spend loading its model. A linear
model needs nothing at inference but the hashed features of the message, one row of weights
per feature and a softmax, so the shipped file is read here with the standard library alone.

Terminology
-----------
FEATURE
    A token of the message turned into a number by CRC-32 (:func:`zlib.crc32`, the same in
    every process and on every machine, unlike :func:`hash`), seeded by where it was found,
    modulo ``2**20``: word unigrams and bigrams of the subject (``s:``) and of the first 3,000
    characters of the text (``b:``), the sender's domain labels (``d:``) and mailbox words
    (``u:``), and the message's shape (``f:``: attachment, invitation, reply, forward, bulk).
    Numbers become their shape (``#4``), so no reference, date or amount is ever a feature;
    and the file holds hashes, never words, so a model trained on a practice's own mail could
    not give a patient's name back.
LABEL
    ``category/case_kind`` (``payer/prior_auth``) or ``""`` for mail that is no practice's
    business. A category's confidence is the sum of its labels' probabilities.
MODEL FILE
    One JSON header line (format, version, the SHA-256 of the training data, labels, scale,
    thresholds), then zlib-compressed weights: the kept feature ids (uint32, sorted) and, per
    feature, one signed byte per label; then the biases. Integers are little-endian.
"""

from __future__ import annotations

import copy
import json
import math
import re
import sys
import zlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.mail.message import Message
from bot.resources import shipped_dir
from bot.rules.practice_memory import PracticeMemory

__all__ = [
    "FORMAT",
    "Guess",
    "TextModel",
    "message_features",
    "shipped_model",
    "text_features",
]

FORMAT = "chief-linear-1"
BUCKETS = 1 << 20
BODY_CHARS = 3000
_MIX = 0x9E3779B1  # a bigram's id: first word's hash times this, xor the second's
_MASK32 = 0xFFFFFFFF
LANE = 32  # bits per label in a packed row: room for 2**24 features' bytes without carry

_WORD = re.compile(r"[a-z][a-z'’]*[a-z]|[a-z]|\d+")
_REPLY = re.compile(r"^\s*(re|aw|sv|antw)\s*:", re.IGNORECASE)
_FORWARD = re.compile(r"^\s*(fwd?|tr|wg)\s*:", re.IGNORECASE)


def _tokens(text: str) -> list[str]:
    """Words, lower-cased; a run of digits becomes its length (``#6``), never its value."""
    return [t if not t[0].isdigit() else f"#{min(len(t), 9)}" for t in _WORD.findall(text)]


def _word_ids(prefix: str, words: list[str], into: set[int]) -> None:
    """Unigram and bigram ids of ``words``: each distinct word hashed once, a bigram's id
    mixed from its two words' (integer arithmetic is far cheaper than hashing the pair)."""
    crc = zlib.crc32
    salt = crc(prefix.encode())
    known = {w: crc(w.encode("utf-8"), salt) for w in set(words)}
    hashed = [known[w] for w in words]
    into.update(hashed)
    into.update([(a * _MIX ^ b) & _MASK32 for a, b in zip(hashed, hashed[1:], strict=False)])


def text_features(subject: str, body: str, from_addr: str, flags: Iterable[str] = ()) -> list[int]:
    """The distinct feature ids of a message given as its parts (see FEATURE)."""
    local, _, domain = from_addr.lower().rpartition("@")
    ids: set[int] = set()
    _word_ids("s:", _tokens(subject.lower()), ids)
    _word_ids("b:", _tokens(body[:BODY_CHARS].lower()), ids)
    _word_ids("d:", [label for label in re.split(r"[.-]", domain) if label], ids)
    _word_ids("u:", _tokens(local.replace(".", " ").replace("_", " ")), ids)
    ids.update(zlib.crc32(f"f:{flag}".encode()) for flag in flags)
    return list({i % BUCKETS for i in ids})


def message_features(message: Message) -> list[int]:
    """The feature ids of a parsed message (the one function training and inference share)."""
    flags = []
    if message.attachments:
        flags.append("attachment")
    if message.calendar_parts:
        flags.append("invitation")
    if _REPLY.match(message.subject):
        flags.append("reply")
    if _FORWARD.match(message.subject):
        flags.append("forward")
    if message.auto_submitted or message.list_id:
        flags.append("bulk")
    return text_features(message.subject, message.text, message.from_addr, flags)


@dataclass(frozen=True, slots=True)
class Guess:
    """The model's best guess: ``category`` None means "no practice's business"."""

    category: str | None
    case_kind: str | None
    confidence: float  # the category's probability, 0-1
    probabilities: dict[str, float]  # category ("" for none) -> probability


class ModelFileError(ValueError):
    """The model file is not one this version reads (wrong format, damaged)."""


class TextModel:
    """Weights and thresholds read from a model file; :meth:`suggest` scores a message."""

    def __init__(
        self,
        header: dict[str, object],
        ids: array[int],
        weights: array[int],
        biases: array[float],
    ) -> None:
        labels = header["labels"]
        assert isinstance(labels, list)
        self.header = header
        self.labels: tuple[str, ...] = tuple(str(x) for x in labels)
        self.version = str(header["version"])
        self.data_sha256 = str(header["data_sha256"])
        self.scale = float(str(header["scale"]))
        self.threshold = float(str(header["threshold"]))
        self.disagree = float(str(header["disagree"]))
        self.look = float(str(header.get("look", 0.0)))
        k = len(self.labels)
        # Each feature's row of k signed bytes packed into one integer, LANE bits a label,
        # each byte stored as byte + 128: a message's scores are then one big-integer sum per
        # feature, unpacked once (ten times faster than adding lists in plain Python).
        self._rows: dict[int, int] = {
            fid: sum((w + 128) << (LANE * c) for c, w in enumerate(weights[i * k : (i + 1) * k]))
            for i, fid in enumerate(ids)
        }
        self._biases = list(biases)
        self.memory: PracticeMemory | None = None  # what the practice's corrections taught

    @classmethod
    def from_bytes(cls, blob: bytes) -> TextModel:
        head, _, body = blob.partition(b"\n")
        try:
            header = json.loads(head)
            payload = zlib.decompress(body)
        except (ValueError, zlib.error) as exc:
            raise ModelFileError(f"not a model file: {exc}") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ModelFileError(f"model format {header.get('format')!r}, expected {FORMAT!r}")
        n, k = int(header["features"]), len(header["labels"])
        ids, weights, biases = array("I"), array("b"), array("d")
        cut1, cut2 = n * ids.itemsize, n * ids.itemsize + n * k
        ids.frombytes(payload[:cut1])
        weights.frombytes(payload[cut1:cut2])
        biases.frombytes(payload[cut2 : cut2 + k * biases.itemsize])
        if sys.byteorder != "little":
            ids.byteswap()
            biases.byteswap()
        if len(ids) != n or len(biases) != k:
            raise ModelFileError("model file is truncated")
        return cls(header, ids, weights, biases)

    def with_threshold(self, threshold: float | None) -> TextModel:
        """This model with the practice's own ``threshold`` (``[rules] learned_threshold``);
        the weights are shared, not copied."""
        if threshold is None:
            return self
        other = copy.copy(self)
        other.threshold = threshold
        return other

    def with_memory(self, memory: PracticeMemory | None) -> TextModel:
        """This model leaning on what the practice's corrections taught
        (:mod:`bot.rules.practice_memory`); the weights are shared, not copied."""
        other = copy.copy(self)
        other.memory = memory if memory else None
        return other

    @classmethod
    def load(cls, path: Path) -> TextModel:
        return cls.from_bytes(path.read_bytes())

    def probabilities(self, features: Iterable[int]) -> dict[str, float]:
        """Label -> probability: the softmax of the linear scores of ``features``, each
        weighted 1/sqrt(n) as in training (the rows are L2-normalised there)."""
        k = len(self.labels)
        ids = set(features)
        n = len(ids)
        rows = self._rows
        found = rows.keys() & ids
        hits = len(found)
        packed = sum([rows[fid] for fid in found])
        mask = (1 << LANE) - 1
        sums = [((packed >> (LANE * c)) & mask) - 128 * hits for c in range(k)]
        norm = self.scale / math.sqrt(n) if n else 0.0
        scores = [b + s * norm for b, s in zip(self._biases, sums, strict=True)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.labels, exps, strict=True)}

    def suggest(self, message: Message) -> Guess:
        """The best category (and, within it, the best case kind) for ``message``, leaning on
        what the practice's corrections taught when they taught anything."""
        features = message_features(message)
        probabilities = self.probabilities(features)
        if self.memory is not None:
            probabilities = self.memory.lean(probabilities, features)
        return self.guess_from(probabilities)

    def guess_from(self, by_label: dict[str, float]) -> Guess:
        by_category: dict[str, float] = {}
        for label, p in by_label.items():
            category = label.partition("/")[0]
            by_category[category] = by_category.get(category, 0.0) + p
        best = max(sorted(by_category), key=lambda c: by_category[c])
        kinds = [(p, label) for label, p in by_label.items() if label.partition("/")[0] == best]
        kind = max(kinds)[1].partition("/")[2] if best else ""
        return Guess(best or None, kind or None, by_category[best], by_category)


@cache
def shipped_model() -> TextModel | None:
    """The model shipped with chief (``model/classifier.bin``), read once per process; None
    when the file is missing (a source tree without it), so the rules work alone."""
    try:
        path = shipped_dir("model") / "classifier.bin"
    except FileNotFoundError:
        return None
    return TextModel.load(path) if path.is_file() else None
