"""Comparing the cost of a function at n and 4n: linear grows about 4 times, quadratic 16 times.

Costs are CPU time of this process (``time.process_time``), the best of a few runs with the
garbage collector paused, so other processes on the machine barely move them. Sizes are found
by doubling until one run costs a few milliseconds, so the ratio is not drowned in the constant
part. Never a wall-clock limit: only the growth is asserted.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable

#: Ratio of cost(4n) / cost(n) above which growth is not linear (linear ≈ 4, n log n ≈ 5, quadratic ≈ 16).
LIMIT = 9.0
#: A run at size n should cost at least this much CPU time (seconds) for the ratio to mean something.
MIN_COST = 0.0015


def cost(func: Callable[[str], object], arg, repeat: int = 3) -> float:
    """The best CPU time of ``func(arg)`` over ``repeat`` runs; exceptions count as a finished run."""
    best = float("inf")
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.process_time()
            try:
                func(arg)
            except Exception:  # noqa: BLE001  (the cost of refusing counts as much as the cost of accepting)
                pass
            best = min(best, time.process_time() - start)
    finally:
        if enabled:
            gc.enable()
    return max(best, 1e-6)


def size_for(func: Callable, make: Callable[[int], object], start: int = 16, most: int = 1 << 16,
             min_cost: float = MIN_COST) -> int:
    """The smallest ``k`` (doubling from ``start``) for which ``func(make(k))`` costs ``min_cost``."""
    k = start
    while k < most and cost(func, make(k), repeat=1) < min_cost:
        k *= 2
    return k


def growth(func: Callable, make: Callable[[int], object], k: int, repeat: int = 1) -> float:
    """cost(make(4k)) / cost(make(k))."""
    small, large = make(k), make(4 * k)
    return cost(func, large, repeat) / cost(func, small, repeat)


def assert_linear(func: Callable, make: Callable[[int], object], *, start: int = 16, most: int = 1 << 16,
                  label: str = "", min_cost: float = MIN_COST) -> float:
    """Fail when ``func`` grows faster than linearly on inputs ``make(k)``; return the ratio seen.

    A quadratic part with a small constant hides behind a large linear cost until ``k`` is large:
    ``min_cost`` sets how costly the run at ``k`` must be.
    """
    k = size_for(func, make, start, most, min_cost)
    ratio = growth(func, make, k)
    if ratio > LIMIT:  # confirm with more runs before failing: one slow run is the machine, not the code
        ratio = min(ratio, growth(func, make, k, repeat=5))
    if ratio > LIMIT and 16 * k <= most:
        # and at the next size: a quadratic part grows x16 there too (more so, as it outweighs the linear
        # part), where a step of the constant part (a buffer outgrowing a cache, a bounded window of
        # rescans filling up) is crossed once; render on "http://" * k: x7.7, then x4.6, then x4.2
        ratio = min(ratio, growth(func, make, 4 * k, repeat=3))
    assert ratio <= LIMIT, f"{label or func.__name__}: cost x{ratio:.1f} from k={k} to 4k and from 4k to 16k (linear is about x4)"
    return ratio
