"""CRM records (contacts, tickets, notes): creation and updates with HubSpot's property rules."""

from __future__ import annotations

import json
import re
from typing import Any

from hubspot_sandbox.clock import iso, parse_timestamp
from hubspot_sandbox.errors import HubSpotError, conflict, validation_error
from hubspot_sandbox.records import CrmObject
from hubspot_sandbox.seed import READ_ONLY_PROPERTIES
from hubspot_sandbox.store import Store

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REQUIRED: dict[str, tuple[str, ...]] = {
    "contacts": (),
    "tickets": ("subject", "hs_pipeline_stage"),
    "notes": ("hs_timestamp",),
}


def create(store: Store, kind: str, properties: dict[str, str]) -> CrmObject:
    """A new record; raises 400 for invalid properties and 409 for a duplicate contact email."""
    if kind == "tickets":
        properties = {"hs_pipeline": "0"} | properties
    check_properties(store, kind, properties)
    for name in REQUIRED[kind]:
        if not properties.get(name):
            raise invalid([problem(name, "REQUIRED_PROPERTY", f'Property "{name}" is required')])
    if kind == "tickets":
        check_stage(store, properties)
    if kind == "contacts" and properties.get("email"):
        existing = store.contact_by_email(properties["email"])
        if existing is not None:
            raise conflict(f"Contact already exists. Existing ID: {existing.id}")
    now = store.clock.now()
    obj = CrmObject(
        store.next_id(kind), kind, {}, now, now, now + store.config.search_index_delay_s
    )
    obj.properties = properties | system_properties(obj)
    store.objects[kind][obj.id] = obj
    return obj


def update(store: Store, obj: CrmObject, properties: dict[str, str]) -> dict[str, str]:
    """Applies the changes; returns the properties whose value changed."""
    check_properties(store, obj.object_type, properties)
    if obj.object_type == "tickets":
        check_stage(store, obj.properties | properties)
    if obj.object_type == "contacts" and properties.get("email"):
        existing = store.contact_by_email(properties["email"])
        if existing is not None and existing.id != obj.id:
            raise conflict(f"Contact already exists. Existing ID: {existing.id}")
    changed = {k: v for k, v in properties.items() if obj.properties.get(k) != v}
    obj.updated_at = store.clock.now()
    obj.properties |= properties | system_properties(obj)
    return changed


def system_properties(obj: CrmObject) -> dict[str, str]:
    modified = iso(obj.updated_at)
    return {
        "hs_object_id": obj.id,
        "createdate": iso(obj.created_at),
        "lastmodifieddate" if obj.object_type == "contacts" else "hs_lastmodifieddate": modified,
    } | ({"hs_createdate": iso(obj.created_at)} if obj.object_type == "notes" else {})


def find(store: Store, kind: str, key: str, id_property: str | None) -> CrmObject | None:
    if id_property in (None, "hs_object_id"):
        obj = store.objects[kind].get(key)
        return obj if obj is not None and not obj.archived else None
    for obj in store.objects[kind].values():
        if not obj.archived and obj.properties.get(id_property, "").lower() == key.lower():
            return obj
    return None


def check_properties(store: Store, kind: str, properties: dict[str, str]) -> None:
    problems = [
        p for name, value in properties.items() if (p := property_problem(store, kind, name, value))
    ]
    if problems:
        raise invalid(problems)


def property_problem(store: Store, kind: str, name: str, value: str) -> dict[str, Any] | None:
    if name in READ_ONLY_PROPERTIES:
        return None
    definition = store.properties.get((kind, name))
    if definition is None:
        return problem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
    if value == "":
        return None
    special = special_problem(store, kind, name, value)
    if special is not None or definition.type != "enumeration" or not definition.options:
        return special
    allowed = {o["value"] for o in definition.options}
    values = value.split(";") if definition.field_type == "checkbox" else [value]
    bad = [v for v in values if v not in allowed]
    if bad:
        return problem(
            name,
            "INVALID_OPTION",
            f"{bad[0]} was not one of the allowed options: {sorted(allowed)}",
        )
    return None


def special_problem(store: Store, kind: str, name: str, value: str) -> dict[str, Any] | None:
    if name == "email" and not EMAIL.match(value):
        return problem(name, "INVALID_EMAIL", f"Email address {value} is invalid")
    if name == "hubspot_owner_id" and not any(o.id == value for o in store.owners):
        return problem(name, "INVALID_OWNER_ID", f"{value} is not a valid owner id")
    if name == "hs_pipeline" and not any(p["id"] == value for p in store.pipelines["tickets"]):
        return problem(name, "INVALID_OPTION", f"{value} was not one of the allowed options")
    if name == "hs_timestamp" and parse_timestamp(value) is None:
        return problem(name, "INVALID_DATE", f"{value} is not a valid timestamp")
    return None


def check_stage(store: Store, properties: dict[str, str]) -> None:
    pipeline, stage = properties.get("hs_pipeline", "0"), properties.get("hs_pipeline_stage")
    if stage and store.stage(pipeline, stage) is None:
        raise invalid(
            [
                problem(
                    "hs_pipeline_stage",
                    "INVALID_OPTION",
                    f"{stage} is not a valid pipeline stage ID for pipeline {pipeline}",
                )
            ]
        )


def problem(name: str, error: str, message: str) -> dict[str, Any]:
    return {
        "isValid": False,
        "message": message,
        "error": error,
        "name": name,
        "localizedErrorMessage": message,
    }


def invalid(problems: list[dict[str, Any]]) -> HubSpotError:
    return validation_error(f"Property values were not valid: {json.dumps(problems)}")
