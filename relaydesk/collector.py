"""Short garbage-collector pauses for a process holding many open sockets.

A full collection walks every tracked object; with a thousand widgets connected that is a
tenth of a second or more during which no frame leaves. What survives a full collection is
mostly long-lived (connections, caches, start-up state), so it is frozen right after: the next
full collection walks only what is newer. Frozen objects are not collected, so every
`thaw_every_s` they are unfrozen and the next full collection (one long pause) frees the
cycles among them that died since.

The young generations are collected less often than Python's default (700 new objects, every
10th, every 10th): a message's request allocates thousands of objects that die with it, and at
the default each collection finds the in-flight requests' objects still alive and promotes them,
to be walked again by the older generations' collections (`YOUNG_THRESHOLDS`).

Process-wide (the collector is): `hold_old_objects` may be entered by several apps in one
process (tests); the callback and thresholds are installed once and removed with the last.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Any

_holders = 0
# The server's collector CPU during `python -m bench roundtrip`, from the first send to the last
# answer (timed by a gc callback, 2 runs each): 0.14-0.16 ms per message at Python's defaults,
# 0.07-0.08 ms with these.
YOUNG_THRESHOLDS = (2000, 20, 50)
_defaults = gc.get_threshold()


def _freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()  # the young generations are empty after a full collection


@contextlib.asynccontextmanager
async def hold_old_objects(thaw_every_s: float) -> AsyncIterator[None]:
    """Freeze what start-up built and, from now on, what survives each full collection;
    thaw every `thaw_every_s` (0: only the start-up freeze, no refreezing)."""
    global _holders, _defaults
    gc.collect()
    gc.freeze()
    if thaw_every_s <= 0:
        yield
        return
    _holders += 1
    if _holders == 1:
        gc.callbacks.append(_freeze_survivors)
        _defaults = gc.get_threshold()
        gc.set_threshold(*YOUNG_THRESHOLDS)

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
            gc.set_threshold(*_defaults)
            gc.unfreeze()
