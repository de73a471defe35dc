"""The scope table read from HubSpot's OpenAPI documents: what each endpoint asks of a token."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hubspot_sandbox.config import default_openapi_dir
from hubspot_sandbox.scopes import ScopeTable, load_scope_table

TICKET_TO_CONTACT = "/crm/v4/objects/tickets/1/associations/default/contacts/2"


@pytest.fixture(scope="module")
def table() -> ScopeTable:
    directory = default_openapi_dir()
    if not directory.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"HubSpot's OpenAPI documents are missing from {directory}")
        pytest.skip("HubSpot's OpenAPI documents are not next to the repository")
    return ScopeTable.load(directory)


def one(*scopes: str) -> tuple[frozenset[str], ...]:
    return (frozenset(scopes),)


def test_owners_take_the_owners_scope_or_automation(table: ScopeTable) -> None:
    required = table.required("GET", "/crm/v3/owners")
    assert required is not None
    assert set(required) == {frozenset({"crm.objects.owners.read"}), frozenset({"automation"})}
    assert table.missing("GET", "/crm/v3/owners/7", {"automation"}) == ()


def test_creating_a_property_takes_any_one_of_its_scopes(table: ScopeTable) -> None:
    path = "/crm/v3/properties/contacts"
    assert table.missing("POST", path, {"crm.schemas.contacts.write"}) == ()
    assert table.missing("POST", path, {"tickets"}) == ()
    named = table.missing("POST", path, {"crm.objects.contacts.read"})
    assert "crm.schemas.contacts.write" in named and "tickets" in named
    assert list(named) == sorted(named)


def test_a_literal_segment_beats_a_parameter(table: ScopeTable) -> None:
    assert table.required("POST", "/crm/v3/objects/contacts/search") == one(
        "crm.objects.contacts.read"
    )
    assert table.required("GET", "/crm/v3/objects/contacts/search") == one(
        "crm.objects.contacts.read"
    )
    assert table.required("PATCH", "/crm/v3/objects/contacts/51") == one(
        "crm.objects.contacts.write"
    )


def test_literal_first_then_the_parameter(tmp_path: Path) -> None:
    paths = {
        "/x/v3/items/search": {"get": {"security": [{"oauth2": ["x.search"]}]}},
        "/x/v3/items/{itemId}": {"get": {"security": [{"oauth2": ["x.read"]}]}},
        "/x/v3/items/{itemId}/notes": {"post": {"security": [{"oauth2": ["x.write"]}]}},
    }
    (tmp_path / "x.v3.json").write_text(json.dumps({"openapi": "3.0.1", "paths": paths}))
    table = ScopeTable.load(tmp_path)
    assert table.required("GET", "/x/v3/items/search") == one("x.search")
    assert table.required("GET", "/x/v3/items/12") == one("x.read")
    # `search` is a literal only for GET; the POST below goes through the parameter.
    assert table.required("POST", "/x/v3/items/search/notes") == one("x.write")


def test_custom_channel_messages_take_the_write_scope(table: ScopeTable) -> None:
    path = "/conversations/v3/custom-channels/123/messages"
    assert table.required("POST", path) == one("conversations.custom_channels.write")
    assert table.missing("POST", path, {"conversations.custom_channels.read"}) == (
        "conversations.custom_channels.write",
    )
    assert table.required("POST", "/conversations/custom-channels/2026-09/123/messages") == one(
        "conversations.custom_channels.write"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/conversations/custom-channels/v3"),
        ("GET", "/conversations/custom-channels/v3"),
        ("PATCH", "/conversations/v3/custom-channels/123"),
        ("DELETE", "/conversations/custom-channels/2026-03/123"),
        ("POST", "/conversations/custom-channels/2026-09"),
        ("GET", "/webhooks/v3/2438486/settings"),
        ("POST", "/webhooks/v3/2438486/subscriptions"),
        ("GET", "/app-webhooks/2026-09/2438486/subscriptions"),
        ("POST", "/oauth/v1/token"),
        ("GET", "/oauth/v1/access-tokens/abc"),
        ("POST", "/oauth/2026-09/token/introspect"),
    ],
)
def test_developer_key_and_oauth_endpoints_need_no_scope(
    table: ScopeTable, method: str, path: str
) -> None:
    assert table.required(method, path) is None
    assert table.missing(method, path, set()) == ()


def test_the_bare_oauth_scope_does_not_open_crm_associations(table: ScopeTable) -> None:
    assert table.missing("PUT", TICKET_TO_CONTACT, {"oauth"})
    assert table.missing("PUT", TICKET_TO_CONTACT, {"oauth", "tickets"}) == ()
    dated = "/crm/objects/2026-09/tickets/1/associations/default/contacts/2"
    assert table.missing("PUT", dated, {"oauth"})
    assert table.missing("PUT", dated, {"tickets"}) == ()


def test_the_bare_oauth_scope_stays_where_it_is_the_only_one(table: ScopeTable) -> None:
    assert table.required("GET", "/account-info/v3/details") == one("oauth")
    assert table.missing("GET", "/account-info/2026-09/details", {"oauth"}) == ()


def test_2026_09_objects_take_the_scopes_of_their_v3_paths(table: ScopeTable) -> None:
    for method, v3, dated in [
        ("POST", "/crm/v3/objects/contacts", "/crm/objects/2026-09/contacts"),
        ("POST", "/crm/v3/objects/contacts/search", "/crm/objects/2026-09/contacts/search"),
        ("POST", "/crm/v3/objects/tickets", "/crm/objects/2026-09/tickets"),
        ("GET", "/crm/v3/objects/notes/9", "/crm/objects/2026-09/notes/9"),
    ]:
        assert table.required(method, v3) == table.required(method, dated)
    assert table.required("POST", "/crm/objects/2026-09/contacts") == one(
        "crm.objects.contacts.write"
    )
    assert table.required("POST", "/crm/objects/2026-09/tickets") == one("tickets")
    assert table.required("GET", "/crm/objects/2026-09/notes/9") == one("crm.objects.contacts.read")


def test_2026_09_owners_take_the_owners_scope_only(table: ScopeTable) -> None:
    # The v3 document also accepts `automation`; the 2026-09 one lists the owners scope alone.
    assert table.required("GET", "/crm/owners/2026-09") == one("crm.objects.owners.read")
    assert table.missing("GET", "/crm/owners/2026-09", {"crm.objects.owners.read"}) == ()
    assert table.missing("GET", "/crm/v3/owners", {"crm.objects.owners.read"}) == ()


def test_object_type_ids_reach_the_object_paths(table: ScopeTable) -> None:
    assert table.required("GET", "/crm/v3/objects/0-5/1") == one("tickets")
    assert table.required("POST", "/crm/objects/2026-09/0-1") == one("crm.objects.contacts.write")


def test_unknown_paths_and_methods_need_nothing(table: ScopeTable) -> None:
    assert table.required("GET", "/crm/v3/nothing-here") is None
    assert table.required("PUT", "/crm/v3/objects/contacts") is None
    assert table.required("GET", "/crm/objects/2026-09/companies") is None


def test_missing_names_the_absent_scope(table: ScopeTable) -> None:
    path = "/crm/v3/objects/contacts"
    assert table.missing("POST", path, {"crm.objects.contacts.read"}) == (
        "crm.objects.contacts.write",
    )
    assert table.missing("POST", path + "/", ["crm.objects.contacts.write"]) == ()
    assert table.missing("GET", "/crm/v3/owners?limit=5", ()) == (
        "automation",
        "crm.objects.owners.read",
    )


def test_no_folder_means_no_requirement(tmp_path: Path) -> None:
    assert load_scope_table(None).required("GET", "/crm/v3/owners") is None
    assert ScopeTable.load(tmp_path / "absent").required("GET", "/crm/v3/owners") is None
