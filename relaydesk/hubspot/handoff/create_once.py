"""Creating a record in HubSpot exactly once, when HubSpot cannot deduplicate the create.

Before such a create, a run commits that it began (a step marker, or a timestamp on our row).
A later run that finds that mark knows an earlier create may have gone through before the
crash or timeout that stopped it: it looks for the record first (by something of ours the record
carries) and creates it only once HubSpot's search index has had time to show it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from ...models import utcnow
from ...worker import RetryLater
from .lookups import Finder

# How soon a run waiting on HubSpot's search index looks again.
SEARCH_RECHECK_S = 2.0


async def create_once(
    began: datetime | None,
    find: Finder,
    create: Callable[[], Awaitable[str]],
    *,
    grace_s: float,
    begin: Callable[[], Awaitable[None]] | None = None,
    index: str = "HubSpot's search index",
) -> str:
    """The record an earlier, interrupted create made (it `began` then), or a new one.

    `begin` commits the mark before the create, for a caller whose mark is not already written;
    it runs only when no earlier run began."""
    found = await find_earlier(began, find, grace_s=grace_s, index=index)
    if found is not None:
        return found
    if begin is not None and began is None:
        await begin()
    return await create()


async def find_earlier(
    began: datetime | None, find: Finder, *, grace_s: float, index: str
) -> str | None:
    """After an interrupted create: the record it made, or None once search had time to see it
    (and None at once when no create began)."""
    if began is None:
        return None
    found = await find()
    if found is not None:
        return found
    waited = (utcnow() - began).total_seconds()
    if waited < grace_s:
        # Look again soon: the index usually catches up in a second or two.
        raise RetryLater(f"waiting for {index}", min(SEARCH_RECHECK_S, grace_s - waited))
    return None
