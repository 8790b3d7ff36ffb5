"""Interleaved repetitions, medians and minimums, ratios."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Op = Callable[[], Awaitable[Any]]


@dataclass
class Series:
    """Seconds per operation, wall clock and this process's CPU, one value a repetition."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def min(self) -> float:
        return min(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def as_json(self) -> dict[str, float]:
        return {
            "median_ms": round(self.median * 1000, 4),
            "min_ms": round(self.min * 1000, 4),
            "cpu_median_ms": round(self.cpu_median * 1000, 4),
        }


async def _time(op: Op, count: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        await op()
    return (time.perf_counter() - wall) / count, (time.process_time() - cpu) / count


async def interleave(subjects: dict[str, Op], *, reps: int, target_s: float) -> dict[str, Series]:
    """`reps` rounds; each round runs every subject in turn (order rotated) for ~`target_s`."""
    names = list(subjects)
    counts: dict[str, int] = {}
    for name in names:  # warm up, and size each sample to about target_s
        once, _ = await _time(subjects[name], 1)
        counts[name] = max(1, round(target_s / max(once, 1e-6)))
        await _time(subjects[name], min(counts[name], 3))
    series = {name: Series() for name in names}
    for round_ in range(reps):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            wall, cpu = await _time(subjects[name], counts[name])
            series[name].wall.append(wall)
            series[name].cpu.append(cpu)
    return series


def ratio(numerator: float, denominator: float, digits: int = 2) -> float:
    return round(numerator / denominator, digits) if denominator else float("nan")


def spread(first: float, second: float) -> float:
    """Relative difference of two repeats of the same measurement."""
    return abs(first - second) / min(first, second) if min(first, second) > 0 else 0.0
