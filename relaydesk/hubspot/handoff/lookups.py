"""Finding what an interrupted call may already have created in HubSpot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..api.client import HubSpotClient
from ..api.shapes import Message

Finder = Callable[[], Awaitable[str | None]]


async def search_ids(
    client: HubSpotClient, object_type: str, name: str, value: str, operator: str = "EQ"
) -> list[str]:
    """Ids of `object_type` records whose property `name` equals `value` (or matches it by
    `operator`, e.g. CONTAINS_TOKEN); search lags writes."""
    return [found.id for found in await client.search_objects(object_type, name, operator, value)]


async def find_comment(client: HubSpotClient, thread_id: str, marker: str) -> Message | None:
    """The thread's internal note that contains `marker` (the thread's history is consistent)."""
    for message in await client.list_thread_messages(thread_id):
        if message.type == "COMMENT" and marker in message.text:
            return message
    return None
