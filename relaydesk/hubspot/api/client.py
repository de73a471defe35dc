"""Calls made as one portal (OAuth access token or private-app token): one method per endpoint."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx

from . import paths as ops
from .portal_calls import PortalCalls, page_of
from .shapes import (
    AccountDetails,
    Actor,
    ChannelAccount,
    CrmObject,
    File,
    Inbox,
    Message,
    Owner,
    Pipeline,
    Property,
    Thread,
)
from .transport import json_of


class HubSpotClient(PortalCalls):
    """HubSpot's endpoints relaydesk calls as one portal."""

    # Account and portal settings

    async def account_details(self) -> AccountDetails:
        return AccountDetails.model_validate(
            json_of(await self._call("GET", self.paths(ops.ACCOUNT_DETAILS)))
        )

    async def list_inboxes(self) -> list[Inbox]:
        return await self._listing(self.paths(ops.INBOXES), Inbox)

    async def list_owners(self) -> list[Owner]:
        return await self._listing(self.paths(ops.OWNERS), Owner)

    async def list_pipelines(self, object_type: str = "tickets") -> list[Pipeline]:
        path = self.paths(ops.PIPELINES, objectType=object_type)
        return page_of(await self._call("GET", path), Pipeline)

    async def get_property(self, object_type: str, name: str) -> Property:
        path = self.paths(ops.PROPERTY, objectType=object_type, propertyName=name)
        response = await self._call("GET", path)
        return Property.model_validate(json_of(response))

    async def create_property(self, object_type: str, body: dict[str, Any]) -> Property:
        """409 (`Conflict`) means it exists already, which callers treat as success."""
        path = self.paths(ops.PROPERTIES, objectType=object_type)
        response = await self._call("POST", path, json=body)
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
        path = self.paths(ops.CHANNEL_ACCOUNTS, channelId=channel_id)
        return await self._listing(path, ChannelAccount, params)

    async def create_channel_account(self, channel_id: str, body: dict[str, Any]) -> ChannelAccount:
        path = self.paths(ops.CHANNEL_ACCOUNTS, channelId=channel_id)
        response = await self._call("POST", path, json=body)
        return ChannelAccount.model_validate(json_of(response))

    async def publish_message(self, channel_id: str, body: dict[str, Any]) -> Message:
        """`body` carries `integrationThreadId` and `integrationIdempotencyId` (our message id)."""
        path = self.paths(ops.CHANNEL_MESSAGES, channelId=channel_id)
        response = await self._call("POST", path, json=body)
        return Message.model_validate(json_of(response))

    async def update_message_status(
        self, channel_id: str, message_id: str, status: str, error_message: str | None = None
    ) -> Message:
        return Message.model_validate(
            json_of(await self._patch_status(channel_id, message_id, status, error_message))
        )

    async def report_message_status(
        self, channel_id: str, message_id: str, status: str, error_message: str | None = None
    ) -> None:
        """`update_message_status` for a caller that needs no answer: HubSpot's copy of the
        message it sends back is neither parsed nor validated (a status report's CPU)."""
        await self._patch_status(channel_id, message_id, status, error_message)

    async def _patch_status(
        self, channel_id: str, message_id: str, status: str, error_message: str | None
    ) -> httpx.Response:
        body = {"statusType": status} | ({"errorMessage": error_message} if error_message else {})
        path = self.paths(ops.CHANNEL_MESSAGE, channelId=channel_id, messageId=message_id)
        return await self._call("PATCH", path, json=body)

    # Conversations inbox: threads, messages, comments, actors

    async def get_thread(self, thread_id: str) -> Thread:
        response = await self._call("GET", self.paths(ops.THREAD, threadId=thread_id))
        return Thread.model_validate(json_of(response))

    async def update_thread(self, thread_id: str, status: str) -> Thread:
        path = self.paths(ops.THREAD, threadId=thread_id)
        response = await self._call("PATCH", path, json={"status": status})
        return Thread.model_validate(json_of(response))

    async def list_thread_messages(self, thread_id: str) -> list[Message]:
        return await self._listing(self.paths(ops.THREAD_MESSAGES, threadId=thread_id), Message)

    async def get_thread_message(self, thread_id: str, message_id: str) -> Message:
        path = self.paths(ops.THREAD_MESSAGE, threadId=thread_id, messageId=message_id)
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
        path = self.paths(ops.THREAD_MESSAGES, threadId=thread_id)
        return Message.model_validate(json_of(await self._call("POST", path, json=body)))

    async def get_actor(self, actor_id: str) -> Actor:
        path = self.paths(ops.ACTOR, actorId=actor_id)
        return Actor.model_validate(json_of(await self._call("GET", path)))

    # CRM: contacts, tickets, notes, associations

    async def get_contact_by_email(self, email: str, properties: Sequence[str] = ()) -> CrmObject:
        params = {"idProperty": "email"} | (
            {"properties": ",".join(properties)} if properties else {}
        )
        path = self.paths(ops.OBJECT, objectType="contacts", objectId=email)
        response = await self._call("GET", path, params=params)
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
        path = self.paths(ops.OBJECT_SEARCH, objectType=object_type)
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
        path = self.paths(ops.OBJECTS, objectType=object_type)
        response = await self._call("POST", path, json=body)
        return CrmObject.model_validate(json_of(response))

    async def update_object(
        self, object_type: str, object_id: str, properties: dict[str, str]
    ) -> CrmObject:
        path = self.paths(ops.OBJECT, objectType=object_type, objectId=object_id)
        return CrmObject.model_validate(
            json_of(await self._call("PATCH", path, json={"properties": properties}))
        )

    async def upsert_contacts_by_email(self, contacts: list[dict[str, str]]) -> list[CrmObject]:
        inputs = [{"id": c["email"], "idProperty": "email", "properties": c} for c in contacts]
        path = self.paths(ops.CONTACTS_UPSERT)
        response = await self._call("POST", path, json={"inputs": inputs})
        return page_of(response, CrmObject)

    async def associate_default(
        self, from_type: str, from_id: str, to_type: str, to_id: str
    ) -> None:
        path = self.paths(
            ops.DEFAULT_ASSOCIATION,
            fromObjectType=from_type,
            fromObjectId=from_id,
            toObjectType=to_type,
            toObjectId=to_id,
        )
        await self._call("PUT", path)

    # Files

    async def upload_file(
        self, name: str, content: bytes, content_type: str, folder_path: str = "/relaydesk"
    ) -> File:
        """A private File Manager file; its id is what attachments and notes refer to."""
        options = {"access": "PRIVATE", "overwrite": False, "duplicateValidationStrategy": "NONE"}
        data = {"folderPath": folder_path, "fileName": name, "options": json.dumps(options)}
        files = {"file": (name, content, content_type)}
        path = self.paths(ops.FILE_UPLOAD)
        response = await self._call("POST", path, data=data, files=files)
        return File.model_validate(json_of(response))

    async def search_files(self, name: str, limit: int = 10) -> list[File]:
        """Files whose name contains `name` (HubSpot's file index lags uploads)."""
        params = {"name": name, "limit": str(limit)}
        response = await self._call("GET", self.paths(ops.FILE_SEARCH), params=params)
        return [File.model_validate(item) for item in json_of(response).get("results", [])]

    async def signed_url(self, file_id: str, expiration_s: int = 3600) -> str:
        params = {"expirationSeconds": str(expiration_s)}
        path = self.paths(ops.FILE_SIGNED_URL, fileId=file_id)
        response = await self._call("GET", path, params=params)
        return str(json_of(response)["url"])

    async def download_file(self, file_id: str) -> bytes:
        path = self.paths(ops.FILE_DOWNLOAD, fileId=file_id)
        response = await self._call("GET", path, follow_redirects=True)
        return response.content
