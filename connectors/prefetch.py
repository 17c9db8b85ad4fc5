"""Overlapping a connector's network reads with the pipeline's work on what was read.

:func:`prefetched` runs an iterator (a connector's fetch loop) on a worker thread, one item
ahead: while the caller parses, classifies and commits batch *n*, batch *n + 1* is already on
its way from the server. Memory stays bounded (the item in hand, one waiting, one being
read), order is kept, and an exception from the worker reaches the caller at the point in the
sequence where it happened, after every item before it.

Closing the returned iterator (or dropping it) stops the worker once its current read ends
and waits for it, so a connection is never used by two threads at once after the caller
moves on; the connector still guards each command with its own lock, because the pipeline may
write a draft between two batches while the next read is in flight.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any, TypeVar

__all__ = ["prefetched"]

T = TypeVar("T")

_DONE = object()
_POLL_S = 0.1


def prefetched(source: Iterator[T], name: str = "chief-prefetch") -> Iterator[T]:
    """Yield ``source``'s items in order, reading each next one on a worker thread."""
    ready: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in source:
                if not hand_over((True, item)):
                    return
        except BaseException as exc:  # handed to the caller, raised there
            hand_over((False, exc))
            return
        hand_over((False, _DONE))

    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    try:
        while True:
            ok, item = ready.get()
            if ok:
                yield item
            elif item is _DONE:
                return
            else:
                raise item
    finally:
        stop.set()
        worker.join()
        close = getattr(source, "close", None)
        if close is not None:
            close()
