"""Reading the practice's YAML: YAML 1.2 scalars, lines kept for every key and item, and a
repeated key refused with both lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.rules.yaml_source import YamlProblem, line_of, load_yaml


def test_plain_scalars_follow_yaml_1_2(tmp_path: Path) -> None:
    path = tmp_path / "scalars.yaml"
    path.write_text(
        "country: NO\nanswer: yes\nswitch: on\nflag: true\nnothing: ~\n"
        "expires: 2027-01-31\nleading_zero: 010\noctal: 0o10\nhex: 0x1F\nratio: 1.5\n"
        "quoted: '2027-01-31'\n"
    )
    data = load_yaml(path)
    assert data == {
        "country": "NO",  # not False, as a YAML 1.1 reader would have it
        "answer": "yes",
        "switch": "on",
        "flag": True,
        "nothing": None,
        "expires": date(2027, 1, 31),
        "leading_zero": 10,
        "octal": 8,
        "hex": 31,
        "ratio": 1.5,
        "quoted": "2027-01-31",
    }


def test_every_key_and_item_keeps_its_line(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(
        "rules:\n  - id: first\n    match:\n      subject: [a, b]\n"
        "  # a comment\n  - id: second\n    match: {from: x}\n"
    )
    data = load_yaml(path)
    assert line_of(data, ["rules", 1]) == 6
    assert line_of(data, ["rules", 1, "match", "from"]) == 7
    assert line_of(data, ["rules", 0, "match", "subject", 1]) == 4
    assert line_of(data, ["rules", 0, "nowhere"]) == 2  # as deep as the location reaches


def test_a_repeated_key_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "twice.yaml"
    path.write_text("id: one\nname: a\nid: two\n")
    with pytest.raises(YamlProblem) as caught:
        load_yaml(path)
    assert str(caught.value) == f"{path}:3: YAML syntax: duplicate key `id` (first at line 1)"


def test_anchors_and_merge_keys_are_read(tmp_path: Path) -> None:
    path = tmp_path / "merge.yaml"
    path.write_text("base: &b {a: 1, b: 2}\nmore:\n  <<: *b\n  b: 3\n")
    assert load_yaml(path) == {"base": {"a": 1, "b": 2}, "more": {"a": 1, "b": 3}}


def test_syntax_errors_and_unreadable_files_name_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: 1\n  b: [\n")
    with pytest.raises(YamlProblem) as caught:
        load_yaml(broken)
    assert caught.value.line == 2 and "YAML syntax" in caught.value.message
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(YamlProblem, match="not UTF-8"):
        load_yaml(latin)
