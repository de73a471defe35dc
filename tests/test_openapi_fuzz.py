"""Schemathesis over the running server's /openapi.json: every described operation, with a real
widget key, visitor token, conversation, attachment and API key, answers no 5xx and nothing the
document does not describe (status, content type, headers, body)."""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
import pytest
import pytest_asyncio
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hubspot_sandbox.signatures import v3_headers
from relaydesk.db import create_engine, session_factory
from relaydesk.settings import HubSpotSettings

from .databases import migrated_databases
from .orgs import make_org
from .services import unavailable
from .support import RunningServer, WidgetClient, free_port, server_settings, start_server

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Per operation and mode: enough for `make test`; RELAYDESK_FUZZ_EXAMPLES=2000 for a long hunt.
# Webhooks are never signed here (401 is the point); an avatar needs an admin to upload one.
NO_2XX = {"GET /api/widget/v1/avatars/{organization_id}/{name}"}
EXAMPLES = int(os.environ.get("RELAYDESK_FUZZ_EXAMPLES", "20"))
HUBSPOT_SECRET = "fuzz-test-hubspot-client-secret"


@dataclass(frozen=True)
class Credentials:
    """What a real widget and the company's backend hold, so cases get past authentication."""

    widget_key: str
    visitor_token: str
    api_key: str
    conversation_id: str
    attachment_url: str

    def headers_for(self, case: Case) -> dict[str, str]:
        if case.path.startswith("/api/widget/"):
            return {"authorization": f"Bearer {self.visitor_token}"}
        if case.path.startswith("/api/v1/"):
            return {"authorization": f"Bearer {self.api_key}"}
        return {}

    def aim(self, case: Case) -> Case:
        """The case with its ids replaced by real ones, to reach past the 404s."""
        url = urlsplit(self.attachment_url)
        attachment_id, name = url.path.rsplit("/", 2)[-2:]
        real = {
            "conversation_id": self.conversation_id,
            "attachment_id": attachment_id,
            "name": unquote(name),
            "widget_key": self.widget_key,
            **dict(parse_qsl(url.query)),
        }
        if case.path_parameters:
            case.path_parameters = {k: real.get(k, v) for k, v in case.path_parameters.items()}
        if case.query:
            case.query = {k: real.get(k, v) for k, v in case.query.items()}
        if isinstance(case.body, dict) and "widget_key" in case.body:
            case.body = {**case.body, "widget_key": self.widget_key}
        return case


@pytest.fixture(scope="module")
def fuzzed(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of its own (the fuzzer's messages make work for the worker) that knows a
    HubSpot client secret, so the webhooks' signature check runs in full."""
    directory = tmp_path_factory.mktemp(f"fuzz-{backend}")
    with migrated_databases(directory, "relaydesk_fuzz") as urls:
        if backend not in urls:
            unavailable("PostgreSQL is not reachable on this machine")
        port = free_port()
        settings = server_settings(urls[backend], directory, port)
        settings.hubspot = HubSpotSettings(client_secret=HUBSPOT_SECRET)
        server = start_server(settings, port)
        try:
            yield server
        finally:
            server.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def credentials(fuzzed: RunningServer) -> Credentials:
    engine = create_engine(fuzzed.settings.database_url)
    try:
        org = await make_org(session_factory(engine))
    finally:
        await engine.dispose()
    async with httpx.AsyncClient(base_url=fuzzed.base_url, timeout=10) as client:
        visitor = WidgetClient(client, org.widget_key)
        await visitor.start()
        sent = await visitor.send("hello, how do refunds work?")
        assert sent.status_code == 201, sent.text
        files = {"file": ("dot.png", io.BytesIO(PNG), "image/png")}
        uploaded = await client.post("/api/widget/v1/uploads", files=files, headers=visitor.auth)
        assert uploaded.status_code == 201, uploaded.text
    assert visitor.token and visitor.conversation_id
    return Credentials(
        org.widget_key, visitor.token, org.api_key, visitor.conversation_id, uploaded.json()["url"]
    )


def cases(operation: APIOperation, credentials: Credentials) -> st.SearchStrategy[Case]:
    """Valid cases, half of them aimed at real ids, and invalid ones."""
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    aimed = st.tuples(positive, st.booleans()).map(
        lambda pair: credentials.aim(pair[0]) if pair[1] else pair[0]
    )
    return st.one_of(aimed, operation.as_strategy(GenerationMode.NEGATIVE))


def checks_for(operation: APIOperation) -> list[Any]:
    """All of them, but for a multipart body, whose every part is bytes: a part the case meant
    as `null` or a number arrives as a valid file, so accepting it contradicts nothing."""
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        return [check for check in CHECKS if check is not negative_data_rejection]
    return CHECKS


def fuzz(operation: APIOperation, server: RunningServer, credentials: Credentials) -> None:
    http = requests.Session()
    checks = checks_for(operation)

    @given(case=cases(operation, credentials))
    @settings(
        max_examples=2 * EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Case) -> None:
        answer = case.call_and_validate(
            base_url=server.base_url,
            session=http,
            headers=credentials.headers_for(case),
            checks=checks,
            timeout=15,
        )
        if case.path.startswith("/hubspot/"):  # nothing the fuzzer sends is signed
            assert answer.status_code == 401, answer.text

    run()


def answered_2xx(server: RunningServer) -> set[str]:
    """The operations the server answered with a 2xx at least once (its request counter)."""
    text = requests.get(f"{server.base_url}/metrics", timeout=10).text
    found = re.findall(
        r'relaydesk_http_requests_total\{method="(\w+)",route="([^"]+)",status="2', text
    )
    return {f"{method} {route}" for method, route in found}


def test_every_operation_keeps_to_the_document(
    fuzzed: RunningServer, credentials: Credentials
) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed.base_url}/openapi.json")
    failures: dict[str, str] = {}
    labels = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.add(operation.label)
        try:
            fuzz(operation, fuzzed, credentials)
        except (Exception, BaseExceptionGroup) as exc:  # one failure must not hide the others
            failures[operation.label] = str(exc)
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
    unreached = (
        {label for label in labels if not label.startswith("POST /hubspot/")}
        - answered_2xx(fuzzed)
        - NO_2XX
    )
    assert not unreached, f"the credentials never got these past their refusals: {unreached}"


def test_every_answer_is_described(fuzzed: RunningServer) -> None:
    """Each JSON answer has a schema (no bare `{}`), and each error is the one error body."""
    document = requests.get(f"{fuzzed.base_url}/openapi.json", timeout=10).json()
    vague = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                error = "400" <= status < "500"
                expected = {"$ref": "#/components/schemas/ErrorBody"} if error else None
                if schema == {} or (expected and schema != expected):
                    vague.append(f"{method.upper()} {path} {status}: {schema}")
    assert not vague


def ids() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.text(max_size=300), st.integers(min_value=-(2**70), max_value=2**70), st.none()
    )


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=50)
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
        ),
        max_leaves=20,
    )


def some(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


def rep_messages() -> st.SearchStrategy[dict[str, Any]]:
    return some(
        {
            "id": ids(),
            "type": st.sampled_from(["MESSAGE", "COMMENT"]) | st.text(max_size=200),
            "text": st.text(max_size=100) | json_values(),
            "conversationsThreadId": ids(),
            "channelAccountId": ids(),
            "direction": st.sampled_from(["OUTGOING", "INCOMING"]) | ids(),
            "createdAt": st.datetimes().map(lambda d: d.isoformat()) | ids(),
            "senders": st.lists(some({"actorId": ids(), "name": ids()}), max_size=2),
            "attachments": st.lists(json_values(), max_size=2),
            "client": some({"clientType": st.sampled_from(["INTEGRATION", "HUBSPOT"]) | ids()}),
        }
    )


def channel_events() -> st.SearchStrategy[dict[str, Any]]:
    return some(
        {
            "type": st.just("OUTGOING_CHANNEL_MESSAGE_CREATED") | st.text(max_size=200),
            "portalId": ids(),
            "channelId": ids(),
            "channelIntegrationThreadIds": st.lists(ids(), max_size=2),
            "message": rep_messages() | json_values(),
        }
    )


def app_events() -> st.SearchStrategy[dict[str, Any]]:
    types = ["conversation.propertyChange", "conversation.newMessage", "ticket.propertyChange"]
    return some(
        {
            "eventId": ids(),
            "subscriptionType": st.sampled_from(types) | st.text(max_size=200),
            "portalId": ids(),
            "objectId": ids(),
            "occurredAt": ids(),
            "propertyName": st.sampled_from(["status", "assignedTo", "hs_pipeline_stage"]) | ids(),
            "propertyValue": ids(),
            "messageId": ids(),
            "messageType": ids(),
        }
    )


def deliveries(events: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[Any]:
    return st.one_of(events, st.lists(events, max_size=3), json_values())


@pytest.mark.parametrize(
    ("path", "events"),
    [("/hubspot/channel", channel_events()), ("/hubspot/webhooks", app_events())],
)
def test_signed_webhooks_of_any_shape_are_stored_or_refused_with_a_400(
    fuzzed: RunningServer, path: str, events: st.SearchStrategy[dict[str, Any]]
) -> None:
    """The parser's side of the webhooks, which the unsigned fuzzer above never reaches."""
    schema = schemathesis.openapi.from_url(f"{fuzzed.base_url}/openapi.json")
    operation = schema[path]["POST"]
    http = requests.Session()
    url = fuzzed.base_url + path

    @given(body=deliveries(events))
    @settings(
        max_examples=4 * EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(body: Any) -> None:
        raw = json.dumps(body).encode()
        headers = v3_headers(HUBSPOT_SECRET, url, raw, int(time.time() * 1000))
        answer = http.post(url, data=raw, headers=headers, timeout=15)
        assert answer.status_code in (200, 400), answer.text
        operation.Case().validate_response(answer, checks=CHECKS[:-1])

    run()
