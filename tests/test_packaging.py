"""The installed wheel carries rules, templates and the demo, and `chief demo` runs from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_install_runs_demo_from_package_data(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("practice_chief-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "chief = bot.cli:main" in archive.read(entry_points).decode()
    assert "bot/_data/rules/payer.yaml" in names
    assert "bot/_data/templates/summary.txt.j2" in names
    assert any(
        n.startswith("bot/_data/examples/practices/sports-medicine-us/mailbox/new/") for n in names
    )
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "from bot.resources import shipped_rules as r; print(r())"],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where == str(site / "bot" / "_data" / "rules")
    # The learned classifier ships too: a new practice classifies well out of the box.
    assert "bot/_data/model/classifier.bin" in names
    model_at = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bot.rules.learned import shipped_model; from bot.resources import shipped_dir;"
            " m = shipped_model(); print(shipped_dir('model'), m.version if m else None)",
        ],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert model_at[0] == str(site / "bot" / "_data" / "model") and model_at[1] != "None"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bot.cli.app import main; main()",
            "demo",
            "--home",
            str(tmp_path / "home"),
            "--json",
        ],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["messages"] >= 80 and report["drafts"] >= 10
