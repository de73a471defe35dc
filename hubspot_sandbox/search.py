"""CRM search: filter groups evaluated over records that the (delayed) index already holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubspot_sandbox.errors import validation_error
from hubspot_sandbox.records import CrmObject

JsonDict = dict[str, Any]
MAX_LIMIT = 200


def number(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def compare(actual: str | None, wanted: str | None, test: Callable[[Any, Any], bool]) -> bool:
    a, w = number(actual), number(wanted)
    if a is not None and w is not None:
        return test(a, w)
    return actual is not None and wanted is not None and test(actual, wanted)


def matches_filter(obj: CrmObject, f: JsonDict) -> bool:
    actual = obj.properties.get(f["propertyName"])
    low = (actual or "").lower()
    value = str(f.get("value", "")).lower() if f.get("value") is not None else None
    values = [str(v).lower() for v in f.get("values") or []]
    operator = f["operator"]
    if operator == "EQ":
        return actual is not None and low == value
    if operator == "NEQ":
        return low != value
    if operator == "IN":
        return low in values
    if operator == "NOT_IN":
        return low not in values
    if operator == "HAS_PROPERTY":
        return bool(actual)
    if operator == "NOT_HAS_PROPERTY":
        return not actual
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        found = (value or "").strip("*") in low
        return found if operator == "CONTAINS_TOKEN" else not found
    if operator == "BETWEEN":
        return compare(actual, f.get("value"), lambda a, w: a >= w) and compare(
            actual, f.get("highValue"), lambda a, w: a <= w
        )
    tests = {
        "GT": lambda a, w: a > w,
        "GTE": lambda a, w: a >= w,
        "LT": lambda a, w: a < w,
        "LTE": lambda a, w: a <= w,
    }
    return compare(actual, f.get("value"), tests[operator])


def matches(obj: CrmObject, request: JsonDict) -> bool:
    groups = request.get("filterGroups") or []
    query = (request.get("query") or "").lower()
    if query and not any(query in v.lower() for v in obj.properties.values()):
        return False
    return not groups or any(
        all(matches_filter(obj, f) for f in g.get("filters", [])) for g in groups
    )


def check(request: JsonDict) -> int:
    """Refuses what HubSpot refuses; returns the page size."""
    groups = request.get("filterGroups") or []
    if len(groups) > 5 or sum(len(g.get("filters", [])) for g in groups) > 18:
        raise validation_error("Too many filter groups or filters (max 5 groups, 18 filters)")
    limit = int(request.get("limit") or 10)
    if limit > MAX_LIMIT:
        raise validation_error(f"limit must be at most {MAX_LIMIT}")
    return limit


def search(
    records: list[CrmObject], request: JsonDict, now: float
) -> tuple[list[CrmObject], int, int]:
    """The matching page of `records` visible to the index at `now`; also total and offset."""
    limit = check(request)
    offset = int(request.get("after") or 0)
    found = [o for o in records if o.indexed_at <= now and not o.archived and matches(o, request)]
    for sort in reversed(request.get("sorts") or []):
        name = sort if isinstance(sort, str) else sort.get("propertyName", "")
        descending = isinstance(sort, dict) and sort.get("direction") == "DESCENDING"
        found.sort(
            key=lambda o: o.properties.get(name.lstrip("-"), ""),
            reverse=descending or name.startswith("-"),
        )
    return found[offset : offset + limit], len(found), offset
