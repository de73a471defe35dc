"""Calls made as one portal (OAuth access token or private-app token): one method per endpoint."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from .auth import TokenSource
from .errors import Unauthorized
from .shapes import (
    AccountDetails,
    Actor,
    ChannelAccount,
    CrmObject,
    File,
    Inbox,
    Message,
    Owner,
    Page,
    Pipeline,
    Property,
    Thread,
)
from .transport import HubSpotTransport, json_of

CHANNELS = "/conversations/v3/custom-channels"
CONVERSATIONS = "/conversations/v3/conversations"
T = TypeVar("T", bound=BaseModel)


def page_of(response: httpx.Response, shape: type[T]) -> list[T]:
    return [shape.model_validate(item) for item in Page.model_validate(json_of(response)).results]


class HubSpotClient:
    def __init__(self, transport: HubSpotTransport, portal_id: str, tokens: TokenSource) -> None:
        self.transport = transport
        self.portal_id = portal_id
        self.tokens = tokens

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self._send(method, path, kwargs)
        except Unauthorized as refused:
            # 401 is not how HubSpot says "refresh", but refreshing once is harmless.
            if refused.status != 401 or not await self.tokens.renew():
                raise
        return await self._send(method, path, kwargs)

    async def _send(self, method: str, path: str, kwargs: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {await self.tokens.access_token()}"}
        return await self.transport.request(
            method, path, portal=self.portal_id, headers=headers, **kwargs
        )

    # Account and portal settings

    async def account_details(self) -> AccountDetails:
        return AccountDetails.model_validate(
            json_of(await self._call("GET", "/account-info/v3/details"))
        )

    async def list_inboxes(self) -> list[Inbox]:
        return page_of(await self._call("GET", f"{CONVERSATIONS}/inboxes"), Inbox)

    async def list_owners(self) -> list[Owner]:
        return page_of(await self._call("GET", "/crm/v3/owners"), Owner)

    async def list_pipelines(self, object_type: str = "tickets") -> list[Pipeline]:
        return page_of(await self._call("GET", f"/crm/v3/pipelines/{object_type}"), Pipeline)

    async def get_property(self, object_type: str, name: str) -> Property:
        response = await self._call("GET", f"/crm/v3/properties/{object_type}/{name}")
        return Property.model_validate(json_of(response))

    async def create_property(self, object_type: str, body: dict[str, Any]) -> Property:
        """409 (`Conflict`) means it exists already, which callers treat as success."""
        response = await self._call("POST", f"/crm/v3/properties/{object_type}", json=body)
        return Property.model_validate(json_of(response))

    # Custom channel: accounts and messages

    async def list_channel_accounts(
        self, channel_id: str, delivery_identifier_value: str | None = None
    ) -> list[ChannelAccount]:
        params = (
            {"deliveryIdentifierValue": delivery_identifier_value}
            if delivery_identifier_value
            else {}
        )
        response = await self._call(
            "GET", f"{CHANNELS}/{channel_id}/channel-accounts", params=params
        )
        return page_of(response, ChannelAccount)

    async def create_channel_account(self, channel_id: str, body: dict[str, Any]) -> ChannelAccount:
        response = await self._call("POST", f"{CHANNELS}/{channel_id}/channel-accounts", json=body)
        return ChannelAccount.model_validate(json_of(response))

    async def publish_message(self, channel_id: str, body: dict[str, Any]) -> Message:
        """`body` carries `integrationThreadId` and `integrationIdempotencyId` (our message id)."""
        response = await self._call("POST", f"{CHANNELS}/{channel_id}/messages", json=body)
        return Message.model_validate(json_of(response))

    async def update_message_status(
        self, channel_id: str, message_id: str, status: str, error_message: str | None = None
    ) -> Message:
        body = {"statusType": status} | ({"errorMessage": error_message} if error_message else {})
        path = f"{CHANNELS}/{channel_id}/messages/{message_id}"
        return Message.model_validate(json_of(await self._call("PATCH", path, json=body)))

    # Conversations inbox: threads, messages, comments, actors

    async def get_thread(self, thread_id: str) -> Thread:
        response = await self._call("GET", f"{CONVERSATIONS}/threads/{thread_id}")
        return Thread.model_validate(json_of(response))

    async def update_thread(self, thread_id: str, status: str) -> Thread:
        response = await self._call(
            "PATCH", f"{CONVERSATIONS}/threads/{thread_id}", json={"status": status}
        )
        return Thread.model_validate(json_of(response))

    async def list_thread_messages(self, thread_id: str) -> list[Message]:
        return page_of(
            await self._call("GET", f"{CONVERSATIONS}/threads/{thread_id}/messages"), Message
        )

    async def get_thread_message(self, thread_id: str, message_id: str) -> Message:
        path = f"{CONVERSATIONS}/threads/{thread_id}/messages/{message_id}"
        return Message.model_validate(json_of(await self._call("GET", path)))

    async def add_comment(
        self, thread_id: str, text: str, rich_text: str | None = None, file_ids: Sequence[str] = ()
    ) -> Message:
        """An internal COMMENT: visible to reps in the inbox, never sent to the visitor."""
        body: dict[str, Any] = {
            "type": "COMMENT",
            "text": text,
            "attachments": [{"type": "FILE", "fileId": f} for f in file_ids],
        }
        if rich_text:
            body["richText"] = rich_text
        path = f"{CONVERSATIONS}/threads/{thread_id}/messages"
        return Message.model_validate(json_of(await self._call("POST", path, json=body)))

    async def get_actor(self, actor_id: str) -> Actor:
        return Actor.model_validate(
            json_of(await self._call("GET", f"{CONVERSATIONS}/actors/{actor_id}"))
        )

    # CRM: contacts, tickets, notes, associations

    async def get_contact_by_email(self, email: str, properties: Sequence[str] = ()) -> CrmObject:
        params = {"idProperty": "email"} | (
            {"properties": ",".join(properties)} if properties else {}
        )
        response = await self._call("GET", f"/crm/v3/objects/contacts/{email}", params=params)
        return CrmObject.model_validate(json_of(response))

    async def search_contacts_by_email(self, email: str) -> list[CrmObject]:
        found = await self.search_objects(
            "contacts", "email", "EQ", email, ["email", "firstname", "lastname"], limit=1
        )
        return found

    async def search_objects(
        self,
        object_type: str,
        name: str,
        operator: str,
        value: str,
        properties: Sequence[str] = (),
        limit: int = 10,
    ) -> list[CrmObject]:
        """Records whose property `name` matches `value` by `operator` (EQ, CONTAINS_TOKEN…);
        HubSpot's search index lags writes by a few seconds."""
        body = {
            "filterGroups": [
                {"filters": [{"propertyName": name, "operator": operator, "value": value}]}
            ],
            "properties": list(properties) or [name],
            "limit": limit,
        }
        path = f"/crm/v3/objects/{object_type}/search"
        return page_of(await self._call("POST", path, json=body), CrmObject)

    async def create_object(
        self,
        object_type: str,
        properties: dict[str, str],
        associations: Sequence[dict[str, Any]] = (),
    ) -> CrmObject:
        """Contacts, tickets and notes; a duplicate contact raises `Conflict` with `existing_id`."""
        body: dict[str, Any] = {"properties": properties}
        if associations:
            body["associations"] = list(associations)
        response = await self._call("POST", f"/crm/v3/objects/{object_type}", json=body)
        return CrmObject.model_validate(json_of(response))

    async def update_object(
        self, object_type: str, object_id: str, properties: dict[str, str]
    ) -> CrmObject:
        path = f"/crm/v3/objects/{object_type}/{object_id}"
        return CrmObject.model_validate(
            json_of(await self._call("PATCH", path, json={"properties": properties}))
        )

    async def upsert_contacts_by_email(self, contacts: list[dict[str, str]]) -> list[CrmObject]:
        inputs = [{"id": c["email"], "idProperty": "email", "properties": c} for c in contacts]
        response = await self._call(
            "POST", "/crm/v3/objects/contacts/batch/upsert", json={"inputs": inputs}
        )
        return page_of(response, CrmObject)

    async def associate_default(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> None:
        path = f"/crm/v4/objects/{from_type}/{from_id}/associations/default/{to_type}/{to_id}"
        await self._call("PUT", path)

    # Files

    async def upload_file(
        self, name: str, content: bytes, content_type: str, folder_path: str = "/relaydesk"
    ) -> File:
        """A private File Manager file; its id is what attachments and notes refer to."""
        options = {"access": "PRIVATE", "overwrite": False, "duplicateValidationStrategy": "NONE"}
        data = {"folderPath": folder_path, "fileName": name, "options": json.dumps(options)}
        files = {"file": (name, content, content_type)}
        response = await self._call("POST", "/files/v3/files", data=data, files=files)
        return File.model_validate(json_of(response))

    async def search_files(self, name: str, limit: int = 10) -> list[File]:
        """Files whose name contains `name` (HubSpot's file index lags uploads)."""
        params = {"name": name, "limit": str(limit)}
        response = await self._call("GET", "/files/v3/files/search", params=params)
        return [File.model_validate(item) for item in json_of(response).get("results", [])]

    async def signed_url(self, file_id: str, expiration_s: int = 3600) -> str:
        params = {"expirationSeconds": str(expiration_s)}
        response = await self._call("GET", f"/files/v3/files/{file_id}/signed-url", params=params)
        return str(json_of(response)["url"])

    async def download_file(self, file_id: str) -> bytes:
        response = await self._call(
            "GET", f"/files/v3/files/{file_id}/download", follow_redirects=True
        )
        return response.content
