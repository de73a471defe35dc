"""HubSpot's listings come a page at a time (`paging.next.after`); a list relaydesk shows or
searches is every page of it, or a portal with many inboxes or owners shows half a picker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from pydantic import BaseModel

from .errors import HubSpotError
from .shapes import Page
from .transport import json_of

T = TypeVar("T", bound=BaseModel)

# A listing is followed page by page to its end; past this many pages something is wrong.
MAX_PAGES = 100


async def every_page(
    fetch: Callable[[dict[str, str]], Awaitable[httpx.Response]], shape: type[T]
) -> list[T]:
    """Every item of a paged listing: `fetch(params)` is called with each page's `after`."""
    found: list[T] = []
    after: str | None = None
    for _ in range(MAX_PAGES):
        page = Page.model_validate(json_of(await fetch({"after": after} if after else {})))
        found += [shape.model_validate(item) for item in page.results]
        after = page.next_after
        if after is None:
            return found
    raise HubSpotError(f"a HubSpot listing went on past {MAX_PAGES} pages")
