"""Where each HubSpot operation relaydesk calls lives, in each API version: the one table.

HubSpot versions its APIs by date (`/crm/objects/2026-09/...`); its migration guide ends the
semantic versions in September 2027 (v4, our associations, on 30 March 2027; OAuth v1 on
16 February 2027). `RELAYDESK_HUBSPOT__API_VERSION` picks the column; `v3` is what relaydesk
called before, for a portal that needs it. The 2026-09 paths are those of HubSpot's 2026-09
OpenAPI documents, the 2026-03 ones follow the 2026-03 reference (its custom-channel document
and the `/api-name/2026-03/resource` rule). Where a date-versioned document has no such
operation the row keeps the path HubSpot still serves, and `why` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from ...settings import LATEST, ApiVersion


@dataclass(frozen=True)
class Operation:
    """One endpoint's path template in each version; `{name}` stands for a path parameter."""

    v3: str
    v2026_03: str
    v2026_09: str
    why: str = ""  # why a date-versioned column repeats an older path

    def template(self, version: ApiVersion) -> str:
        return {"v3": self.v3, "2026-03": self.v2026_03, "2026-09": self.v2026_09}[version]


def dated(v3: str, template: str, why: str = "") -> Operation:
    """A row whose date-versioned paths differ only by the date (`{version}` in `template`)."""
    return Operation(
        v3, template.replace("{version}", "2026-03"), template.replace("{version}", "2026-09"), why
    )


def kept(path: str, why: str) -> Operation:
    """A row with no date-versioned path yet: every version calls `path`."""
    return Operation(path, path, path, why)


# Account and portal settings
ACCOUNT_DETAILS = dated("/account-info/v3/details", "/account-info/{version}/details")
INBOXES = dated(
    "/conversations/v3/conversations/inboxes", "/conversations/conversations/{version}/inboxes"
)
OWNERS = dated("/crm/v3/owners", "/crm/owners/{version}")
PIPELINES = dated("/crm/v3/pipelines/{objectType}", "/crm/pipelines/{version}/{objectType}")
PROPERTIES = dated("/crm/v3/properties/{objectType}", "/crm/properties/{version}/{objectType}")
PROPERTY = dated(
    "/crm/v3/properties/{objectType}/{propertyName}",
    "/crm/properties/{version}/{objectType}/{propertyName}",
)

# CRM records: contacts, tickets and notes share HubSpot's generic objects family
OBJECTS = dated("/crm/v3/objects/{objectType}", "/crm/objects/{version}/{objectType}")
OBJECT = dated(
    "/crm/v3/objects/{objectType}/{objectId}", "/crm/objects/{version}/{objectType}/{objectId}"
)
OBJECT_SEARCH = dated(
    "/crm/v3/objects/{objectType}/search", "/crm/objects/{version}/{objectType}/search"
)
CONTACTS_UPSERT = dated(
    "/crm/v3/objects/contacts/batch/upsert", "/crm/objects/{version}/contacts/batch/upsert"
)
DEFAULT_ASSOCIATION = dated(
    "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}"
    "/{toObjectId}",
    "/crm/objects/{version}/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}"
    "/{toObjectId}",
)

# Files
NO_DATED_FILE = (
    "HubSpot's 2026-09 files document has only search, import-from-url and folders: no upload, "
    "no file by id, signed URL or download, and its date-versioned files guide still sends "
    "downloads to /files/v3/files/{fileId}/download. v3 is served until September 2027."
)
FILE_UPLOAD = kept("/files/v3/files", NO_DATED_FILE)
FILE_SEARCH = dated("/files/v3/files/search", "/files/{version}/files/search")
FILE_SIGNED_URL = kept("/files/v3/files/{fileId}/signed-url", NO_DATED_FILE)
FILE_DOWNLOAD = kept("/files/v3/files/{fileId}/download", NO_DATED_FILE)

# The custom channel: the channel itself (developer API key), its accounts and messages
CHANNELS = dated("/conversations/custom-channels/v3", "/conversations/custom-channels/{version}")
CHANNEL = dated(
    "/conversations/v3/custom-channels/{channelId}",
    "/conversations/custom-channels/{version}/{channelId}",
)
CHANNEL_ACCOUNTS = dated(
    "/conversations/v3/custom-channels/{channelId}/channel-accounts",
    "/conversations/custom-channels/{version}/{channelId}/channel-accounts",
)
CHANNEL_MESSAGES = dated(
    "/conversations/v3/custom-channels/{channelId}/messages",
    "/conversations/custom-channels/{version}/{channelId}/messages",
)
CHANNEL_MESSAGE = dated(
    "/conversations/v3/custom-channels/{channelId}/messages/{messageId}",
    "/conversations/custom-channels/{version}/{channelId}/messages/{messageId}",
)

# The conversations inbox: threads, their messages and comments, actors
THREAD = dated(
    "/conversations/v3/conversations/threads/{threadId}",
    "/conversations/conversations/{version}/threads/{threadId}",
)
THREAD_MESSAGES = dated(
    "/conversations/v3/conversations/threads/{threadId}/messages",
    "/conversations/conversations/{version}/threads/{threadId}/messages",
)
THREAD_MESSAGE = dated(
    "/conversations/v3/conversations/threads/{threadId}/messages/{messageId}",
    "/conversations/conversations/{version}/threads/{threadId}/messages/{messageId}",
)
ACTOR = dated(
    "/conversations/v3/conversations/actors/{actorId}",
    "/conversations/conversations/{version}/actors/{actorId}",
)

# The app's webhook settings (legacy public apps): 2026-09 renamed the API `app-webhooks`
WEBHOOK_SETTINGS = Operation(
    "/webhooks/v3/{appId}/settings",
    "/webhooks/2026-03/{appId}/settings",
    "/app-webhooks/2026-09/{appId}/settings",
)
WEBHOOK_SUBSCRIPTIONS = Operation(
    "/webhooks/v3/{appId}/subscriptions",
    "/webhooks/2026-03/{appId}/subscriptions",
    "/app-webhooks/2026-09/{appId}/subscriptions",
)

# OAuth
OAUTH_TOKEN = dated("/oauth/v1/token", "/oauth/{version}/token")
ACCESS_TOKEN_INFO = kept(
    "/oauth/v1/access-tokens/{token}",
    "The date-versioned replacement is POST /oauth/2026-09/token/introspect, the token and the "
    "client credentials in a form body, whose 2026-09 document describes the answer as "
    "{active} alone: another call, not another path. v1 is served until 16 February 2027.",
)


@dataclass(frozen=True)
class Paths:
    """The paths of one API version; parameters are percent-encoded into their segment."""

    version: ApiVersion = LATEST

    def __call__(self, operation: Operation, **params: str | int) -> str:
        path = operation.template(self.version)
        for name, value in params.items():
            path = path.replace(f"{{{name}}}", quote(str(value), safe=""))
        if "{" in path:
            raise ValueError(f"{path}: a path parameter is missing")
        return path

    @property
    def channel_takes_app_id(self) -> bool:
        """v3's channel endpoints take `appId` beside the developer key; HubSpot's date-versioned
        reference shows the developer key (`hapikey`) alone."""
        return self.version == "v3"
