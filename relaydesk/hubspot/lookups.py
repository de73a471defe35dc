"""Finding what an interrupted call may already have created in HubSpot.

The portal client has no generic CRM search yet; this adds the one query the handoff needs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from .client import HubSpotClient
from .shapes import Message, Page
from .transport import json_of

Finder = Callable[[], Awaitable[str | None]]


async def search_ids(client: HubSpotClient, object_type: str, name: str, value: str) -> list[str]:
    """Ids of `object_type` records whose property `name` equals `value` (search lags writes)."""
    body = {
        "filterGroups": [{"filters": [{"propertyName": name, "operator": "EQ", "value": value}]}],
        "properties": [name],
        "limit": 10,
    }
    response = await client._call("POST", f"/crm/v3/objects/{object_type}/search", json=body)
    return [str(item["id"]) for item in Page.model_validate(json_of(response)).results]


async def find_comment(client: HubSpotClient, thread_id: str, marker: str) -> Message | None:
    """The thread's internal note that contains `marker` (the thread's history is consistent)."""
    for message in await client.list_thread_messages(thread_id):
        if message.type == "COMMENT" and marker in message.text:
            return message
    return None
