"""Progress bars on a terminal, silence when piped (rich, on stderr)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["Bar", "counter"]


class Bar:
    """What a long operation reports to: ``bar(n)`` advances, ``bar.set_total(n)`` sizes it."""

    def __init__(self, progress: Progress | None = None, task: TaskID | None = None) -> None:
        self._progress = progress
        self._task = task

    def __call__(self, n: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def set_total(self, total: int | None) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)


@contextmanager
def counter(label: str, total: int | None = None, enabled: bool = True) -> Iterator[Bar]:
    """Yield a :class:`Bar`, drawn only when stderr is a terminal and ``enabled``."""
    if not (enabled and sys.stderr.isatty()):
        yield Bar()
        return
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(
        *columns, TimeElapsedColumn(), console=Console(stderr=True), transient=True
    ) as progress:
        yield Bar(progress, progress.add_task(label, total=total))
