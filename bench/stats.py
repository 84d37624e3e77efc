"""Small helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def percentiles_ms(samples_s: list[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    cuts = statistics.quantiles(samples_s, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000


def timed(function: Callable[[T], object], inputs: Iterable[T]) -> list[float]:
    samples = []
    for item in inputs:
        start = time.perf_counter()
        function(item)
        samples.append(time.perf_counter() - start)
    return samples


def rss_mib() -> float:
    """Resident memory of this process, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
