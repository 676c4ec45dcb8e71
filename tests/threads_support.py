"""Threads started together on shared state, the GIL handed over as often as possible: how the race tests provoke races."""
from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def fast_switching() -> Iterator[None]:
    """Hand the GIL over as often as possible, so that a race shows within a few rounds."""
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(switch)


def together(run: Callable[[], object], fresh: Callable[[], None], trials: int, threads: int = 6) -> None:
    """Start ``threads`` threads at once on ``run`` after ``fresh()``, ``trials`` times: all get a lone thread's answer."""
    fresh()
    expected = run()
    with fast_switching():
        for _trial in range(trials):
            fresh()
            start, answers = threading.Barrier(threads), []

            def one():
                start.wait()
                try:
                    answers.append(run())
                except Exception as exc:  # noqa: BLE001  (the failure is the finding)
                    answers.append(repr(exc))

            started = [threading.Thread(target=one) for _ in range(threads)]
            for thread in started:
                thread.start()
            for thread in started:
                thread.join(timeout=30)
            assert answers == [expected] * threads
