"""A JSON-schema subset validator for the schemas in HubSpot's OpenAPI documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

Schema = dict[str, Any]

TYPE_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
ANNOTATIONS = {"description", "example", "title", "default", "format", "x-hubspot-sub-type-impl"}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(body)'}: {self.message}"


def is_untyped(schema: Schema) -> bool:
    """HubSpot's generator writes `{type: object, properties: {}}` for "any JSON value"."""
    keys = set(schema) - ANNOTATIONS
    return (
        keys == {"type", "properties"} and schema["type"] == "object" and not schema["properties"]
    )


class SchemaValidator:
    """Validates values against the `components.schemas` of one OpenAPI document."""

    def __init__(self, schemas: dict[str, Schema]) -> None:
        self.schemas = schemas

    def validate(self, schema: Schema, value: Any) -> list[Problem]:
        return self._check(schema, value, "", frozenset(), strict=True)

    def _check(
        self, schema: Schema, value: Any, path: str, seen: frozenset[tuple[str, int]], strict: bool
    ) -> list[Problem]:
        if "$ref" in schema:
            return self._check_ref(schema["$ref"], value, path, seen, strict)
        if is_untyped(schema):
            return []
        if "allOf" in schema:
            return [p for s in schema["allOf"] for p in self._check(s, value, path, seen, False)]
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self._check_union(schema[key], value, path, seen, strict)
        return self._check_typed(schema, value, path, seen, strict)

    def _check_ref(
        self, ref: str, value: Any, path: str, seen: frozenset[tuple[str, int]], strict: bool
    ) -> list[Problem]:
        name = ref.rsplit("/", 1)[-1]
        # Message unions refer back to their parent; re-entering the same schema for the same
        # value can add nothing, so it stops here instead of recursing forever.
        key = (name, id(value))
        if key in seen or name not in self.schemas:
            return []
        return self._check(self.schemas[name], value, path, seen | {key}, strict)

    def _check_union(
        self,
        branches: list[Schema],
        value: Any,
        path: str,
        seen: frozenset[tuple[str, int]],
        strict: bool,
    ) -> list[Problem]:
        results = [self._check(b, value, path, seen, strict) for b in branches]
        if any(not problems for problems in results):
            return []
        return min(results, key=len)

    def _check_typed(
        self, schema: Schema, value: Any, path: str, seen: frozenset[tuple[str, int]], strict: bool
    ) -> list[Problem]:
        expected = schema.get("type")
        if expected and not TYPE_CHECKS[expected](value):
            return [Problem(path, f"expected {expected}, got {type_name(value)}")]
        if "enum" in schema and value not in schema["enum"]:
            return [Problem(path, f"{value!r} is not one of {schema['enum']}")]
        if schema.get("format") == "date-time" and not is_datetime(value):
            return [Problem(path, f"{value!r} is not an ISO-8601 date-time")]
        if isinstance(value, list) and "items" in schema:
            return [
                p
                for i, item in enumerate(value)
                for p in self._check(schema["items"], item, f"{path}[{i}]", seen, True)
            ]
        if isinstance(value, dict) and (expected == "object" or "properties" in schema):
            return self._check_object(schema, value, path, seen, strict)
        return []

    def _check_object(
        self,
        schema: Schema,
        value: dict[str, Any],
        path: str,
        seen: frozenset[tuple[str, int]],
        strict: bool,
    ) -> list[Problem]:
        declared: dict[str, Schema] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        problems = [
            Problem(join(path, name), "required field is missing")
            for name in schema.get("required", [])
            if value.get(name) is None
        ]
        for name, item in value.items():
            if name in declared:
                if item is not None:
                    problems += self._check(declared[name], item, join(path, name), seen, True)
            elif isinstance(extra, dict):
                problems += self._check(extra, item, join(path, name), seen, True)
            elif strict and declared and extra is not True:
                problems.append(Problem(join(path, name), "unrecognized field"))
        return problems


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def type_name(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}
    return "null" if value is None else names.get(type(value), "object")


def is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
