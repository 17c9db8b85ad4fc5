"""The rules engine: validation with file:line, layering, precedence, extraction, RE2."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.mail.mime import parse_message
from bot.resources import shipped_rules
from bot.rules.engine import load_rules
from tests.conftest import make_message

PAYER_PARTIES = """\
kind: payer
parties:
  - name: Example Health Plan
    domains: [examplehealth.example]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def pack(rules: str, name: str = "test") -> str:
    return f"pack: {name}\nrules:\n" + textwrap.indent(textwrap.dedent(rules), "  ")


def msg(subject: str, body: str = "", sender: str = "x@elsewhere.example", mid: str = "m1@t"):
    return parse_message(make_message(mid, subject, body, sender), mid)


def test_shipped_packs_load_without_problems() -> None:
    rules = load_rules([shipped_rules()])
    assert rules.problems == []
    assert len(rules) >= 40
    categories = {r.model.category for r in rules.rules}
    for expected in (
        "payer",
        "solicitor",
        "local_authority",
        "referral",
        "team",
        "lab",
        "cme",
        "credentialing",
        "supplier",
        "research",
    ):
        assert expected in categories


def test_broken_pack_reports_file_and_line_and_others_still_load(tmp_path: Path) -> None:
    write(
        tmp_path,
        "good.yaml",
        pack(
            """\
        - id: good.one
          category: lab
          match: {subject_any: ['results ready']}
        """,
            "good",
        ),
    )
    bad = write(
        tmp_path,
        "bad.yaml",
        pack(
            """\
        - id: bad.one
          category: lab
          match:
            subject_any: ['fine']
            sbject_any: ['typo']
        """,
            "bad",
        ),
    )
    rules = load_rules([tmp_path])
    assert [r.id for r in rules.rules] == ["good.one"]
    assert rules.problems == [f"{bad}:7: rules.0.match.sbject_any: Extra inputs are not permitted"]


def test_backtracking_pattern_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "re.yaml",
        pack(
            """\
        - id: re.one
          category: lab
          match:
            subject_any: ['(a)\\1']
        """,
            "re",
        ),
    )
    rules = load_rules([tmp_path])
    assert len(rules) == 0
    assert len(rules.problems) == 1
    assert rules.problems[0].startswith(f"{path}:6: rules.0.match.subject_any: bad pattern")


def test_yaml_syntax_error_and_duplicate_id(tmp_path: Path) -> None:
    syntax = write(tmp_path, "a.yaml", "pack: a\nrules: [\n  - id: x\n")
    dup = write(
        tmp_path,
        "b.yaml",
        pack(
            """\
        - id: b.one
          category: lab
          match: {subject_any: [x]}
        - id: b.one
          category: lab
          match: {subject_any: [y]}
        """,
            "b",
        ),
    )
    problems = load_rules([tmp_path]).problems
    assert any(p.startswith(f"{syntax}:") and "YAML syntax" in p for p in problems)
    assert f"{dup}:6: rule id 'b.one' repeats line 3" in problems


def test_extract_needs_exactly_one_group(tmp_path: Path) -> None:
    write(
        tmp_path,
        "x.yaml",
        pack(
            """\
        - id: x.one
          category: lab
          match: {subject_any: [x]}
          extract: {claim_ref: 'claim (\\d+) (\\d+)'}
        """,
            "x",
        ),
    )
    problems = load_rules([tmp_path]).problems
    assert len(problems) == 1 and "exactly 1 capture group, has 2" in problems[0]


def test_precedence_priority_then_specificity_then_layer_then_id(tmp_path: Path) -> None:
    shipped, own = tmp_path / "shipped", tmp_path / "own"
    write(
        shipped,
        "p.yaml",
        pack(
            """\
        - id: p.broad
          category: payer
          match: {subject_any: ['claim']}
        - id: p.specific
          category: payer
          event: denied
          match: {subject_any: ['claim'], body_any: ['denied']}
        - id: p.urgent
          category: payer
          event: urgent
          priority: 10
          match: {body_any: ['urgent']}
        - id: p.zz
          category: payer
          event: zz
          match: {subject_any: ['tie']}
        - id: p.aa
          category: payer
          event: aa
          match: {subject_any: ['tie']}
        """,
            "p",
        ),
    )
    write(
        own,
        "mine.yaml",
        pack(
            """\
        - id: mine.tie
          category: payer
          event: mine
          match: {subject_any: ['tie']}
        """,
            "mine",
        ),
    )
    only_shipped = load_rules([shipped])
    both = load_rules([shipped, own])
    assert only_shipped.classify(msg("Claim update", "was denied")).rule_id == "p.specific"
    assert only_shipped.classify(msg("Claim update", "urgent: denied")).rule_id == "p.urgent"
    assert only_shipped.classify(msg("Claim update", "paid")).rule_id == "p.broad"
    assert only_shipped.classify(msg("tie")).rule_id == "p.aa"
    assert both.classify(msg("tie")).rule_id == "mine.tie"
    assert [r.id for r in both.explain(msg("tie"))] == ["mine.tie", "p.aa", "p.zz"]


def test_practice_rule_with_same_id_overrides_shipped(tmp_path: Path) -> None:
    shipped, own = tmp_path / "shipped", tmp_path / "own"
    rule = """\
        - id: lab.result.ready
          category: lab
          case_kind: lab_result
          event: {event}
          match: {{subject_any: ['results']}}
        """
    write(shipped, "lab.yaml", pack(rule.format(event="shipped"), "lab"))
    write(own, "lab.yaml", pack(rule.format(event="mine"), "lab"))
    rules = load_rules([shipped, own])
    assert len(rules) == 1
    assert rules.classify(msg("Your results")).event == "mine"


def test_party_directory_matches_subdomains_and_extracts_refs(tmp_path: Path) -> None:
    write(tmp_path, "parties/payer.yaml", PAYER_PARTIES)
    write(
        tmp_path,
        "payer.yaml",
        pack(
            """\
        - id: payer.claim.denied
          category: payer
          case_kind: claim
          event: denied
          match:
            from_party: payer
            body_any: ['denied']
          extract:
            claim_ref: 'claim (?:number|no\\.?)\\s*:?\\s*([A-Z0-9-]{6,20})'
        """,
            "payer",
        ),
    )
    rules = load_rules([tmp_path])
    body = "Claim number: CLM-123456 was denied.\nPlease respond by 30 November 2026."
    hit = rules.classify(msg("Claim", body, sender="eob@mail.examplehealth.example"))
    assert hit.rule_id == "payer.claim.denied"
    assert hit.refs == {"claim_ref": "CLM-123456"}
    assert hit.party is not None and hit.party.name == "Example Health Plan"
    assert hit.stated_deadline is not None and hit.stated_deadline.isoformat() == "2026-11-30"
    miss = rules.classify(msg("Claim", body, sender="eob@examplehealth.example.evil.example"))
    assert miss.category is None


def test_linear_time_on_hostile_input(tmp_path: Path) -> None:
    # (a+)+$ takes exponential time on a backtracking engine; RE2 stays linear.
    write(
        tmp_path,
        "slow.yaml",
        pack(
            """\
        - id: slow.one
          category: lab
          match: {body_any: ['(a+)+$']}
        """,
            "slow",
        ),
    )
    rules = load_rules([tmp_path])
    hostile = msg("x", "a" * 60_000 + "!")
    start = time.perf_counter()
    assert rules.classify(hostile).category is None
    assert time.perf_counter() - start < 2.0


SHIPPED = load_rules([shipped_rules()])


@settings(max_examples=200, deadline=None)
@given(subject=st.text(max_size=300), body=st.text(max_size=3000))
def test_classify_never_raises_on_any_text(subject: str, body: str) -> None:
    raw = (
        "From: a@b.example\nSubject: "
        + subject.replace("\r", " ").replace("\n", " ")
        + "\nMessage-ID: <p@t>\n\n"
        + body
    ).encode("utf-8", "replace")
    result = SHIPPED.classify(parse_message(raw, "p"))
    assert result.category is None or result.rule_id is not None
