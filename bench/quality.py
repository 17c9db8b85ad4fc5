"""Classification quality on the labelled corpus (``bench/quality_corpus/``).

Loads the shipped rule packs as ``chief classify`` does, classifies every message of the
corpus with the same code (``bot.cli.classify_files.classify_file``), and prints per-category
precision, recall and F1, the confusion matrix, and ``name: value`` lines:

* ``macro_f1``: the mean F1 over the ten named categories (unclassified mail counts against a
  category when it is put in it, and a message of the category left unclassified is missed);
* ``ref_accuracy``: of the messages labelled with case-identifying refs, the share whose
  extracted case-identifying refs (names ending in ``_ref``) are exactly the labelled ones;
* ``macro_f1_dev``, ``macro_f1_holdout``, ``ref_accuracy_dev``, ``ref_accuracy_holdout``: the
  same per half (rules are tuned on ``dev`` only; ``holdout`` is wording they have not seen);
* ``case_kind_accuracy``, ``null_classified`` (unclassified mail given a category),
  ``messages`` and ``classify_ms_per_msg`` (parse, classify and act-by date, per message);
* ``category_accuracy`` (the share of all messages put in their labelled category, none for
  none), ``by_model`` (classified by the learned model, no rule having fired),
  ``needs_look`` (held for the practitioner with the model's guess) and ``practice_missed``
  (practice mail neither classified nor held: the figure that must be 0), and
  ``needs_look_null`` (mail that is no practice's business, held all the same: the noise).

``--no-learned`` measures the rules alone, without the learned model behind them.

``--split dev`` or ``--split holdout`` restricts everything to one half. ``--errors`` lists
the misclassified messages and reference mismatches by file name and labels only (never a
subject or a body). The corpus is built by ``bench/build_quality_corpus.py``.

    python bench/quality.py [--split dev|holdout|all] [--errors] [--corpus DIR] [--no-learned]
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli.classify_files import classify_file, load_layers  # noqa: E402
from bot.rules.engine import CATEGORIES  # noqa: E402
from bot.sync.matching import identifying_refs  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "quality_corpus"
SHORT = {
    "payer": "payer",
    "solicitor": "solic",
    "local_authority": "LA",
    "referral": "refer",
    "team": "team",
    "lab": "lab",
    "cme": "cme",
    "credentialing": "cred",
    "supplier": "suppl",
    "research": "resch",
    "": "null",
}


@dataclass(frozen=True)
class Labelled:
    file: str
    split: str
    category: str  # "" for unclassified mail
    case_kind: str
    refs: dict[str, str]
    variant: str


@dataclass(frozen=True)
class Outcome:
    label: Labelled
    category: str  # "" when the rules left it unclassified
    case_kind: str
    refs: dict[str, str]
    rule: str
    source: str = ""  # rule | model | ""
    needs_look: str = ""  # low_confidence | disagrees | ""

    @property
    def refs_ok(self) -> bool:
        return identifying_refs(self.refs) == self.label.refs


@dataclass
class Scores:
    """Figures for a set of outcomes."""

    outcomes: list[Outcome]
    per_category: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    macro_f1: float = 0.0
    ref_accuracy: float = 1.0
    ref_messages: int = 0
    case_kind_accuracy: float = 1.0
    null_classified: int = 0
    category_accuracy: float = 0.0
    by_model: int = 0
    needs_look: int = 0
    needs_look_null: int = 0
    practice_missed: int = 0


def load_labels(corpus: Path = CORPUS) -> list[Labelled]:
    with (corpus / "labels.csv").open(newline="", encoding="utf-8") as fh:
        return [
            Labelled(
                row["file"],
                row["split"],
                row["category"],
                row["case_kind"],
                json.loads(row["refs"]) if row["refs"] else {},
                row["variant"],
            )
            for row in csv.DictReader(fh)
        ]


def classify(
    labels: list[Labelled], corpus: Path = CORPUS, learned: bool = True
) -> tuple[list[Outcome], float]:
    """Outcomes for ``labels`` with the shipped rules (and the learned model behind them
    unless ``learned`` is false), and the seconds classification took."""
    rules, clocks = load_layers([], learned)
    if rules.problems:
        raise SystemExit("rule problems:\n" + "\n".join(rules.problems))
    outcomes = []
    elapsed = 0.0
    for label in labels:
        path = corpus / label.file
        start = time.perf_counter()
        record: dict[str, Any] = classify_file(path, rules, clocks)
        elapsed += time.perf_counter() - start
        outcomes.append(
            Outcome(
                label,
                record["category"] or "",
                record["case_kind"] or "",
                dict(record["refs"]),
                record["rule"] or "-",
                record["source"] or "",
                record.get("needs_look") or "",
            )
        )
    return outcomes, elapsed


def score(outcomes: list[Outcome]) -> Scores:
    scores = Scores(outcomes)
    for o in outcomes:
        scores.confusion[(o.label.category, o.category)] += 1
    f1s = []
    for cat in CATEGORIES:
        tp = scores.confusion[(cat, cat)]
        predicted = sum(n for (_, got), n in scores.confusion.items() if got == cat)
        actual = sum(n for (want, _), n in scores.confusion.items() if want == cat)
        precision = tp / predicted if predicted else (1.0 if not actual else 0.0)
        recall = tp / actual if actual else (1.0 if not predicted else 0.0)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.per_category[cat] = (precision, recall, f1, actual)
        f1s.append(f1)
    scores.macro_f1 = sum(f1s) / len(f1s)
    with_refs = [o for o in outcomes if o.label.refs]
    scores.ref_messages = len(with_refs)
    if with_refs:
        scores.ref_accuracy = sum(o.refs_ok for o in with_refs) / len(with_refs)
    kinds = [o for o in outcomes if o.label.category and o.category == o.label.category]
    if kinds:
        scores.case_kind_accuracy = sum(o.case_kind == o.label.case_kind for o in kinds) / len(
            kinds
        )
    scores.null_classified = sum(1 for o in outcomes if not o.label.category and o.category)
    if outcomes:
        right = sum(o.category == o.label.category for o in outcomes)
        scores.category_accuracy = right / len(outcomes)
    scores.by_model = sum(o.source == "model" for o in outcomes)
    scores.needs_look = sum(bool(o.needs_look) for o in outcomes)
    scores.needs_look_null = sum(bool(o.needs_look) and not o.label.category for o in outcomes)
    scores.practice_missed = sum(
        1 for o in outcomes if o.label.category and not o.category and not o.needs_look
    )
    return scores


def evaluate(
    split: str = "all", corpus: Path = CORPUS, learned: bool = True
) -> tuple[Scores, dict[str, Scores], float]:
    """(scores for ``split``, scores per half within it, seconds spent classifying)."""
    labels = [x for x in load_labels(corpus) if split in ("all", x.split)]
    outcomes, elapsed = classify(labels, corpus, learned)
    halves = {
        half: score([o for o in outcomes if o.label.split == half])
        for half in ("dev", "holdout")
        if any(o.label.split == half for o in outcomes)
    }
    return score(outcomes), halves, elapsed


def print_table(scores: Scores) -> None:
    print(f"{'category':<16} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for cat, (p, r, f1, n) in scores.per_category.items():
        print(f"{cat:<16} {p:>9.3f} {r:>7.3f} {f1:>6.3f} {n:>8}")
    print()
    cols = [*CATEGORIES, ""]
    print("confusion matrix (rows: labelled, columns: classified)")
    print(" " * 7 + "".join(f"{SHORT[c]:>6}" for c in cols))
    for want in cols:
        row = "".join(f"{scores.confusion[(want, got)] or '.':>6}" for got in cols)
        print(f"{SHORT[want]:<7}{row}")
    print()


def print_errors(scores: Scores) -> None:
    for o in scores.outcomes:
        want = o.label.category or "null"
        got = o.category or "null"
        if want != got:
            look = f" (needs a look: {o.needs_look})" if o.needs_look else ""
            print(
                f"  {o.label.file} [{o.label.variant}] expected {want}, got {got} by {o.rule}"
                + look
            )
    for o in scores.outcomes:
        if o.label.refs and not o.refs_ok:
            found = identifying_refs(o.refs)
            print(f"  {o.label.file} [{o.label.variant}] refs {o.label.refs} != {found}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "holdout", "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="list what was got wrong")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-learned", action="store_true", help="the rules alone")
    args = parser.parse_args()
    if not (args.corpus / "labels.csv").is_file():
        raise SystemExit(f"{args.corpus}: no labels.csv (python bench/build_quality_corpus.py)")
    scores, halves, elapsed = evaluate(args.split, args.corpus, not args.no_learned)
    n = len(scores.outcomes)
    print(f"machine: {platform.machine()} Python {platform.python_version()}")
    print(f"split: {args.split}")
    print()
    print_table(scores)
    if args.errors:
        print_errors(scores)
    print(f"macro_f1: {scores.macro_f1:.3f}")
    print(f"ref_accuracy: {scores.ref_accuracy:.3f}")
    for half, figures in halves.items():
        print(f"macro_f1_{half}: {figures.macro_f1:.3f}")
        print(f"ref_accuracy_{half}: {figures.ref_accuracy:.3f}")
    print(f"case_kind_accuracy: {scores.case_kind_accuracy:.3f}")
    print(f"ref_messages: {scores.ref_messages}")
    print(f"null_classified: {scores.null_classified}")
    print(f"category_accuracy: {scores.category_accuracy:.3f}")
    print(f"by_model: {scores.by_model}")
    print(f"needs_look: {scores.needs_look}")
    print(f"needs_look_null: {scores.needs_look_null}")
    print(f"practice_missed: {scores.practice_missed}")
    print(f"messages: {n}")
    print(f"classify_ms_per_msg: {1000 * elapsed / max(n, 1):.3f}")


if __name__ == "__main__":
    main()
