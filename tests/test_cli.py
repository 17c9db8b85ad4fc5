"""The CLI contract: `chief classify --json`, `chief rules check`, error handling."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

from bot.resources import shipped_rules
from bot.rules.engine import load_rules
from tests.samples import PRACTICES, mailbox, sample_files

RULE_IDS = {rule.id for rule in load_rules([shipped_rules()]).rules}


def run(exe: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd)


def test_classify_json_one_object_per_message(chief_exe: str) -> None:
    result = run(chief_exe, "classify", "--json", *(str(mailbox(p)) for p in PRACTICES))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    files = sample_files()
    assert len(lines) == len(files) >= 150
    records = [json.loads(line) for line in lines]
    assert [r["path"] for r in records] == [str(p) for p in files]
    for record in records:
        assert {"path", "category", "case_kind", "event", "rule", "refs", "deadline"} <= set(record)
        assert isinstance(record["refs"], dict)
        if record["category"] is None:
            assert record["rule"] is None and record["deadline"] is None
        else:
            assert record["rule"] in RULE_IDS
        if record["deadline"] is not None:
            date.fromisoformat(record["deadline"])
        assert not {"patient", "dob"} & set(record["refs"]), "patient identity must not be printed"
    kinds = {r["case_kind"] for r in records}
    expected = {"prior_auth", "claim", "ehcp", "medico_legal", "referral", "team", "credential"}
    assert expected <= kinds
    assert sum(r["deadline"] is not None for r in records) >= 20


def test_classify_reports_unparseable_file_with_error(chief_exe: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.eml"
    bad.write_bytes(b"")
    good = tmp_path / "good.eml"
    good.write_bytes(b"From: a@b.example\nSubject: hi\n\nhello\n")
    result = run(chief_exe, "classify", "--json", str(bad), str(good))
    assert result.returncode == 0
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["path"] == str(bad) and first["error"] and first["category"] is None
    assert second["path"] == str(good) and "error" not in second


def test_classify_wrong_arguments_exit_nonzero(chief_exe: str, tmp_path: Path) -> None:
    assert run(chief_exe, "classify", "--json", str(tmp_path / "missing")).returncode == 2


def test_rules_check_ok_and_broken(chief_exe: str, tmp_path: Path) -> None:
    ok = run(chief_exe, "rules", "check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (tmp_path / "mine.yaml").write_text(
        "pack: mine\nrules:\n  - id: mine.one\n    category: lab\n    match:\n"
        "      subject_any: ['(?=x)']\n    actions:\n      - draft: {template: nope/missing.j2}\n"
    )
    (tmp_path / "typo.yaml").write_text("pack: typo\nrules:\n  - id: typo.one\n    categry: lab\n")
    broken = run(chief_exe, "rules", "check", str(tmp_path))
    assert broken.returncode == 1
    lines = broken.stdout.splitlines()
    assert any(
        line.startswith(f"{tmp_path / 'mine.yaml'}:6: ") and "bad pattern" in line for line in lines
    )
    assert any(line.startswith(f"{tmp_path / 'typo.yaml'}:4: ") for line in lines)


def test_missing_config_is_a_clear_error_not_a_traceback(chief_exe: str, tmp_path: Path) -> None:
    result = run(chief_exe, "--config", str(tmp_path / "none.toml"), "sync")
    assert result.returncode == 1
    assert "no configuration at" in result.stderr and "Traceback" not in result.stderr
