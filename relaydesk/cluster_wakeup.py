"""Waking the outbox workers of every process, not only this one's, when a job is committed.

A node that runs no worker (`relaydesk serve --no-worker`) writes jobs that a `relaydesk worker`
process runs: through the hub, that worker starts them at once instead of at its next poll.
"""

from __future__ import annotations

import asyncio

from .outbox import Wakeup
from .realtime import MemoryHub

JOBS = "!jobs"  # a hub channel no socket uses


class Signal:
    """A listener inside the process: any frame, or a gap in which one may have been lost,
    sets the event."""

    def __init__(self, event: asyncio.Event) -> None:
        self.event = event

    def deliver(self, frame: str) -> None:
        self.event.set()

    def resync(self) -> None:
        self.event.set()

    def close(self) -> None:
        return None


class ClusterWakeup(Wakeup):
    def __init__(self, hub: MemoryHub) -> None:
        super().__init__()
        self.hub = hub

    async def notify(self) -> None:
        self.event.set()
        await self.hub.publish(JOBS, {})

    def listen(self) -> None:
        """This process runs a worker: jobs committed by other processes wake it too."""
        self.hub.attach(JOBS, Signal(self.event))
