"""The collector policy: what survives a full collection is frozen, thawed on schedule, and the
process's collector is left as it was when the last holder ends."""

from __future__ import annotations

import asyncio
import gc
import weakref

from relaydesk.collector import _freeze_survivors, hold_old_objects


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> tuple[Node, weakref.ref[Node]]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return a, weakref.ref(a)


async def test_survivors_of_a_full_collection_are_frozen_until_the_thaw() -> None:
    async with hold_old_objects(thaw_every_s=0.3):
        assert _freeze_survivors in gc.callbacks
        held, alive = cycle()
        gc.collect()  # `held` survives and is frozen with the rest
        assert gc.get_freeze_count() > 0
        del held  # now garbage, but frozen: a full collection leaves it
        gc.collect()
        assert alive() is not None

        await asyncio.sleep(0.5)  # the thaw
        gc.collect()
        assert alive() is None
    assert _freeze_survivors not in gc.callbacks and gc.get_freeze_count() == 0


async def test_two_holders_share_the_callback_and_the_last_removes_it() -> None:
    async with hold_old_objects(thaw_every_s=60):
        async with hold_old_objects(thaw_every_s=60):
            assert gc.callbacks.count(_freeze_survivors) == 1
        assert _freeze_survivors in gc.callbacks
    assert _freeze_survivors not in gc.callbacks


async def test_zero_keeps_only_the_start_up_freeze() -> None:
    async with hold_old_objects(thaw_every_s=0):
        assert gc.get_freeze_count() > 0 and _freeze_survivors not in gc.callbacks
    gc.unfreeze()
