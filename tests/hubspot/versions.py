"""What relaydesk may send at one HubSpot API version: dated paths, or the rows `paths.py` keeps
on an older path with its reason; the channel named by `appId` only at v3."""

from __future__ import annotations

import re
from typing import Any

from hubspot_sandbox.validation import template_pattern
from relaydesk.hubspot.api import paths as ops
from relaydesk.settings import ApiVersion

SEMANTIC = re.compile(r"/v\d+(/|$)")


def kept(path: str) -> bool:
    """Whether `path` is a row of `paths.py` that has no date-versioned path, with its reason."""
    rows = [o for o in vars(ops).values() if isinstance(o, ops.Operation) and o.why]
    return any(template_pattern(o.v3).fullmatch(path) for o in rows)


def assert_version(version: ApiVersion, sent: list[dict[str, Any]]) -> None:
    """A dated run calls no semantic-version path but the kept rows, and names no app on the
    channel endpoints (the date-versioned ones take the developer key alone); v3 calls v1–v4."""
    paths = [str(r["path"]) for r in sent]
    older = [p for p in paths if SEMANTIC.search(p)]
    if version == "v3":
        assert older == paths
    else:
        assert [p for p in older if not kept(p)] == [], older
        assert [p for p in paths if f"/{version}" in p], f"nothing was sent to {version}"
    developer = [r for r in sent if "hapikey" in r["query"] and "custom-channels" in r["path"]]
    assert all(("appId" in r["query"]) == (version == "v3") for r in developer)
