"""Short garbage-collector pauses for a process holding many open sockets.

A full collection walks every tracked object; with a thousand widgets connected that is a
tenth of a second or more during which no frame leaves. What survives a full collection is
mostly long-lived (connections, caches, start-up state), so it is frozen right after: the next
full collection walks only what is newer. Frozen objects are not collected, so every
`thaw_every_s` they are unfrozen and the next full collection (one long pause) frees the
cycles among them that died since.

Process-wide (the collector is): `hold_old_objects` may be entered by several apps in one
process (tests); the callback is installed once and removed with the last.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Any

_holders = 0


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()  # the young generations are empty after a full collection


@contextlib.asynccontextmanager
async def hold_old_objects(thaw_every_s: float) -> AsyncIterator[None]:
    """Freeze what start-up built and, from now on, what survives each full collection;
    thaw every `thaw_every_s` (0: only the start-up freeze, no refreezing)."""
    global _holders
    gc.collect()
    gc.freeze()
    if thaw_every_s <= 0:
        yield
        return
    _holders += 1
    if _holders == 1:
        gc.callbacks.append(_freeze_survivors)

    async def thaw() -> None:
        while True:
            await asyncio.sleep(thaw_every_s)
            gc.unfreeze()

    thawing = asyncio.create_task(thaw())
    try:
        yield
    finally:
        thawing.cancel()
        _holders -= 1
        if _holders == 0:
            gc.callbacks.remove(_freeze_survivors)
            gc.unfreeze()
