"""Classification speed against the floor: a raw ``email.message_from_bytes`` parse.

Runs over the three demo practices' sample mailboxes (or PATH ...), N rounds, and prints
``name: value`` lines:
``classify_per_s`` (our parse + rules + the learned model behind them, messages per second),
``parse_per_s`` (stdlib parse of the same bytes), ``ratio`` (classify / parse: 1.0 would
mean classification is free), ``classify_ms_per_msg``; ``rules_only_per_s`` (the same without
the model), ``model_ms_per_msg`` (what the model adds), ``model_load_ms`` (reading the shipped
model file, median of 5: paid once per ``chief`` command), ``model_import_ms`` (importing
``bot.rules.learned`` in a fresh interpreter) and ``model_file_kb``.

    python bench/classify.py [--rounds N] [PATH ...]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli.classify_files import iter_message_files, load_layers  # noqa: E402
from bot.mail.mime import parse_message  # noqa: E402
from bot.resources import shipped_dir, shipped_examples  # noqa: E402
from bot.rules.learned import TextModel  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    practices = shipped_examples() / "practices"
    parser.add_argument("path", nargs="*", type=Path, default=sorted(practices.glob("*/mailbox")))
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    blobs = [p.read_bytes() for p in iter_message_files(args.path)]
    rules, _clocks = load_layers([])
    plain, _ = load_layers([], learned=False)
    n = len(blobs) * args.rounds
    model_path = shipped_dir("model") / "classifier.bin"
    loads = []
    for _ in range(5):
        start = time.perf_counter()
        TextModel.load(model_path)
        loads.append(time.perf_counter() - start)
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; t = time.perf_counter(); import bot.rules.learned;"
            " print(time.perf_counter() - t)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )

    start = time.perf_counter()
    for _ in range(args.rounds):
        for raw in blobs:
            email.message_from_bytes(raw, policy=email.policy.compat32)
    parse_s = time.perf_counter() - start

    start = time.perf_counter()
    for _ in range(args.rounds):
        for index, raw in enumerate(blobs):
            rules.classify(parse_message(raw, str(index)))
    classify_s = time.perf_counter() - start

    start = time.perf_counter()
    for _ in range(args.rounds):
        for index, raw in enumerate(blobs):
            plain.classify(parse_message(raw, str(index)))
    plain_s = time.perf_counter() - start

    print(f"machine: {platform.machine()} Python {platform.python_version()}")
    print(f"messages: {len(blobs)}")
    print(f"rules: {len(rules)}")
    print(f"rounds: {args.rounds}")
    print(f"parse_per_s: {n / parse_s:.0f}")
    print(f"classify_per_s: {n / classify_s:.0f}")
    print(f"classify_ms_per_msg: {1000 * classify_s / n:.3f}")
    print(f"ratio: {(n / classify_s) / (n / parse_s):.3f}")
    print(f"rules_only_per_s: {n / plain_s:.0f}")
    print(f"model_ms_per_msg: {1000 * (classify_s - plain_s) / n:.3f}")
    print(f"model_load_ms: {1000 * statistics.median(loads):.1f}")
    print(f"model_import_ms: {1000 * float(imported.stdout):.1f}")
    print(f"model_file_kb: {model_path.stat().st_size / 1024:.0f}")


if __name__ == "__main__":
    main()
