"""Percentiles, printed the same way by every benchmark."""

from __future__ import annotations

import statistics


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"n={len(ms)} p50={statistics.median(ms):.1f} ms p90={percentile(ms, 90):.1f} ms "
        f"p99={percentile(ms, 99):.1f} ms max={max(ms):.1f} ms"
    )


class Steal:
    """The share of this machine's CPU time its hypervisor gave to others (`steal` in
    /proc/stat) from creation until `share()`: a figure measured while it was high measured
    the host as much as the code. None where the kernel does not report it."""

    def __init__(self) -> None:
        self._start = _cpu_ticks()

    def share(self) -> float | None:
        end = _cpu_ticks()
        if self._start is None or end is None:
            return None
        total = sum(end) - sum(self._start)
        return (end[7] - self._start[7]) / total if total > 0 else None

    def line(self) -> str:
        share = self.share()
        return "" if share is None else f"; host steal {share * 100:.1f}% of CPU time meanwhile"


def _cpu_ticks() -> list[int] | None:
    """user, nice, system, idle, iowait, irq, softirq, steal: all CPUs, in clock ticks."""
    try:
        with open("/proc/stat") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    return [int(value) for value in fields[1:9]]
