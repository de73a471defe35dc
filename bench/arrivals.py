"""When each awaited thing arrived, for benchmarks that wait on many at once."""

from __future__ import annotations

import asyncio
import time


class Arrivals:
    """When each awaited thing arrived; `done` is set once all `expected` have."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.at: dict[str, float] = {}
        self.done = asyncio.Event()

    def expect(self, expected: int) -> None:
        """Wait for more: `done` is set again once `expected` have arrived in all."""
        self.expected = expected
        if len(self.at) < expected:
            self.done.clear()

    def mark(self, key: str) -> None:
        self.at[key] = time.time()  # wall clock: the sandbox process stamps its sends with it
        if len(self.at) >= self.expected:
            self.done.set()
