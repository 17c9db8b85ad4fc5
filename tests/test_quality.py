"""Classification quality on the labelled corpus (``bench/quality_corpus/``), as a check.

``bench/quality.py`` prints the figures; these tests hold the shipped rule packs to them, so a
rule change that breaks quality fails here: macro-F1 over the ten categories at least 0.95 and
reference extraction at least 0.98 over the whole corpus, and no unclassified message ever
filed into a case by the real pipeline. The corpus itself must be what its generator writes.

Disagreements are reported by file name and labels only: never a subject or a body.
"""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.jobs.catalogue import sync
from bot.rules.engine import CATEGORIES
from bot.store.models import MessageRow
from bot.sync.runtime import Runtime
from tests.conftest import deliver

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CORPUS = BENCH / "quality_corpus"


@pytest.fixture(scope="module")
def quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_quality", BENCH / "quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def labels() -> list[dict[str, str]]:
    with (CORPUS / "labels.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["file", "split", "category", "case_kind", "refs", "variant"]
        return list(reader)


def test_corpus_is_large_varied_and_split(labels: list[dict[str, str]]) -> None:
    assert len(labels) >= 400
    files = {p.name for p in CORPUS.glob("*.eml")}
    assert files == {row["file"] for row in labels}
    for split in ("dev", "holdout"):
        counts = Counter(row["category"] for row in labels if row["split"] == split)
        for category in (*CATEGORIES, ""):
            assert counts[category] >= 12, (split, category)
    counts = Counter(row["category"] for row in labels)
    assert set(counts) == {*CATEGORIES, ""}
    assert all(n >= 25 for n in counts.values()), counts
    variants = Counter(row["variant"] for row in labels)
    for variant in ("reply", "fwd-inline", "fwd-attached", "html", "alt", "rfc2047", "invite"):
        assert variants[variant] >= 10, variant


def test_generator_reproduces_the_committed_corpus(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    done = subprocess.run(
        [sys.executable, str(BENCH / "build_quality_corpus.py"), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    built = sorted(p.name for p in out.iterdir())
    assert built == sorted(p.name for p in CORPUS.iterdir() if p.is_file())
    changed = [name for name in built if (out / name).read_bytes() != (CORPUS / name).read_bytes()]
    assert not changed, f"rebuild differs: {changed[:10]}"


def test_shipped_rules_meet_the_quality_targets(quality: ModuleType) -> None:
    scores, halves, _elapsed = quality.evaluate("all")
    wrong = [
        f"{o.label.file} [{o.label.variant}]: expected {o.label.category or 'null'}, "
        f"got {o.category or 'null'} by {o.rule}"
        for o in scores.outcomes
        if o.category != o.label.category
    ]
    refs = [
        f"{o.label.file} [{o.label.variant}]: refs differ"
        for o in scores.outcomes
        if o.label.refs and not o.refs_ok
    ]
    report = "\n".join(wrong + refs)
    print(
        f"\nmacro_f1 {scores.macro_f1:.3f} (dev {halves['dev'].macro_f1:.3f}, "
        f"holdout {halves['holdout'].macro_f1:.3f}); ref_accuracy {scores.ref_accuracy:.3f}"
    )
    if report:
        print(report)
    assert scores.macro_f1 >= 0.95, report
    assert scores.ref_accuracy >= 0.98, report
    assert (
        scores.null_classified <= len([o for o in scores.outcomes if not o.label.category]) // 20
    ), report


def test_unclassified_mail_is_never_filed_into_a_case(
    practice_dir: Callable[..., Path], labels: list[dict[str, str]]
) -> None:
    """The real pipeline (Maildir, rules, matching, case log) over every unclassified message."""
    home = practice_dir()
    unclassified = [row["file"] for row in labels if not row["category"]]
    assert len(unclassified) >= 25
    for name in unclassified:
        deliver(home, name, (CORPUS / name).read_bytes())
    rt = Runtime.from_config(load_config(home / "chief.toml"))
    sync(rt)
    with Session(rt.engine) as session:
        rows = session.execute(
            select(
                MessageRow.provider_id,
                MessageRow.category,
                MessageRow.case_id,
                MessageRow.match_how,
            )
        ).all()
    logged = {pid: (category, case, how) for pid, category, case, how in rows}
    assert set(logged) == set(unclassified)
    filed = sorted(
        pid for pid, (_, case, how) in logged.items() if case is not None or how != "unfiled"
    )
    classified = sorted(pid for pid, (category, _, _) in logged.items() if category is not None)
    assert not filed, f"filed into a case: {filed}"
    assert len(classified) <= len(unclassified) // 20, f"given a category: {classified}"
