"""A rep's file: fetched through HubSpot's Files API and kept in our own storage, as an
`Attachment` of the reply that carries it."""

from __future__ import annotations

import hashlib
from typing import Any

from ...files import safe_name, sniff
from ...models import Attachment, HubSpotConnection, new_id
from ..api.errors import BadRequest, NotFound
from .store import Inbound


async def fetch_file(
    inbound: Inbound, connection: HubSpotConnection, item: dict[str, Any]
) -> Attachment | str | None:
    """A rep's file, fetched through HubSpot's file API and kept in our own storage; or, when
    HubSpot cannot give it (gone, refused), why, naming the file."""
    file_id = str(item.get("fileId") or "")
    if item.get("type", "FILE") != "FILE" or not file_id:
        return None
    name = safe_name(str(item.get("name") or f"file-{file_id}"))
    try:
        data = await inbound.client(connection).download_file(file_id)
    except (NotFound, BadRequest) as refused:
        return f"file {name} could not be fetched from HubSpot ({refused.status}: {refused})"
    attachment_id = new_id()
    key = f"{connection.organization_id}/{attachment_id}"
    await inbound.files.put(key, data)
    return Attachment(
        id=attachment_id,
        organization_id=connection.organization_id,
        name=name,
        content_type=sniff(data, name),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        hubspot_file_id=file_id,
    )
