"""Timing helper shared by the benchmark scripts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def best_of(f: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Run ``f`` ``repeat`` times; the shortest wall time (s) and the last result."""
    times = []
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out
