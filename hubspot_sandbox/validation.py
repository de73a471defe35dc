"""Request-body validation against HubSpot's OpenAPI documents, when they are present."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from hubspot_sandbox.config import documents_missing
from hubspot_sandbox.errors import validation_error
from hubspot_sandbox.schemas import Problem, Schema, SchemaValidator

# Where the documents are stricter than HubSpot (see the documents' README): these fields are
# listed as required but HubSpot accepts bodies without them.
RELAXED_REQUIRED: dict[str, set[str]] = {
    "SimplePublicObjectInputForCreate": {"associations"},
    "SimplePublicObjectBatchInputForCreate": {"associations"},
    "PublicObjectSearchRequest": {"after", "sorts", "limit", "properties", "filterGroups"},
    "PublicChannelIntegrationChannelPatch": {
        "capabilities",
        "channelAccountConnectionRedirectUrl",
        "channelDescription",
        "channelLogoUrl",
        "name",
        "webhookUrl",
    },
}

# Paths HubSpot answers that the documents spell differently.
PATH_ALIASES = {"/conversations/v3/custom-channels": "/conversations/custom-channels/v3"}


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    schema: Schema
    validator: SchemaValidator


class BodyValidator:
    """Finds the operation a request is for and checks its JSON body against the schema."""

    def __init__(self, operations: list[Operation]) -> None:
        self.operations = operations

    @property
    def active(self) -> bool:
        return bool(self.operations)

    def operation(self, method: str, path: str) -> Operation | None:
        path = PATH_ALIASES.get(path.rstrip("/"), path)
        return next(
            (op for op in self.operations if op.method == method and op.pattern.fullmatch(path)),
            None,
        )

    def check(self, method: str, path: str, body: Any) -> None:
        """Raises HubSpot's 400 VALIDATION_ERROR when the body does not fit the operation."""
        op = self.operation(method, path)
        if op is None:
            return
        problems = op.validator.validate(op.schema, body)
        if problems:
            raise invalid_body(problems)


def invalid_body(problems: list[Problem]) -> Exception:
    details = [{"message": p.message, "in": p.path or "body"} for p in problems]
    return validation_error(f"Invalid input JSON: {problems[0]}", details)


def load_body_validator(openapi_dir: Path | None) -> BodyValidator:
    """Every operation's body schema; `None` is a deliberate choice of the sandbox's own rules
    only, a folder that is not there is reported (`documents_missing`)."""
    if openapi_dir is None:
        return BodyValidator([])
    if not openapi_dir.is_dir():
        documents_missing(openapi_dir)
        return BodyValidator([])
    return BodyValidator(list(load_operations(str(openapi_dir.resolve()))))


@lru_cache(maxsize=4)
def load_operations(directory: str) -> tuple[Operation, ...]:
    """Every JSON-bodied operation in the folder, the most specific path templates first."""
    operations: dict[tuple[str, str], Operation] = {}
    # The newest variant of a document wins where two describe the same operation.
    for file in sorted(Path(directory).glob("*.json"), key=lambda f: ("variant" in f.name, f.name)):
        document = json.loads(file.read_text())
        validator = SchemaValidator(relaxed(document.get("components", {}).get("schemas", {})))
        for template, method, schema in json_operations(document):
            operations.setdefault(
                (method, template),
                Operation(method, template, template_pattern(template), schema, validator),
            )
    return tuple(sorted(operations.values(), key=lambda op: op.template.count("{")))


def json_operations(document: dict[str, Any]) -> list[tuple[str, str, Schema]]:
    found = []
    for template, item in document.get("paths", {}).items():
        for method, operation in item.items():
            content = (
                operation.get("requestBody", {}).get("content", {})
                if isinstance(operation, dict)
                else {}
            )
            if "application/json" in content:
                found.append((template, method.upper(), content["application/json"]["schema"]))
    return found


def relaxed(schemas: dict[str, Schema]) -> dict[str, Schema]:
    result = dict(schemas)
    for name, optional in RELAXED_REQUIRED.items():
        if name in result:
            schema = copy.deepcopy(result[name])
            schema["required"] = [f for f in schema.get("required", []) if f not in optional]
            result[name] = schema
    return result


def template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))
