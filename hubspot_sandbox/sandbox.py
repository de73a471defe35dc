"""The sandbox's moving parts, and the portals the one app is installed in.

Each portal is seen through a `Sandbox` of its own (its config names its portal id, its store
holds its records); the clock, validator, webhook dispatcher, faults and the app's state are
shared by all of them. A request reaches its portal through its token, else its `portalId`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from starlette.requests import Request

from hubspot_sandbox.app_state import AppState
from hubspot_sandbox.clock import Clock
from hubspot_sandbox.config import SandboxConfig
from hubspot_sandbox.errors import not_found, validation_error
from hubspot_sandbox.faults import Faults
from hubspot_sandbox.scopes import ScopeTable
from hubspot_sandbox.store import PRO, Store
from hubspot_sandbox.validation import BodyValidator
from hubspot_sandbox.webhooks import WebhookDispatcher

API_PREFIXES = (
    "/crm/",
    "/conversations/",
    "/files/",
    "/oauth/v1/",
    "/oauth/v3/",
    "/oauth/2026-",
    "/account-info/",
    "/webhooks/",
    "/app-webhooks/",
)
FIRST_PORTAL_NAME = "Sandbox portal"


def is_api_path(path: str) -> bool:
    """HubSpot's own API (what is recorded, rate limited and faulted), not pages or control."""
    return path.startswith(API_PREFIXES)


@dataclass
class Sandbox:
    config: SandboxConfig
    clock: Clock
    store: Store
    validator: BodyValidator
    scopes: ScopeTable
    dispatcher: WebhookDispatcher
    faults: Faults
    portals: dict[int, Sandbox] = field(default_factory=dict)

    @classmethod
    def build(cls, config: SandboxConfig, validator: BodyValidator, scopes: ScopeTable) -> Sandbox:
        clock = Clock()
        app = AppState(config, clock)
        store = Store(config, clock, app, FIRST_PORTAL_NAME)
        dispatcher = WebhookDispatcher(app, config, clock)
        faults = Faults(config, clock)
        sandbox = cls(config, clock, store, validator, scopes, dispatcher, faults)
        sandbox.portals[config.portal_id] = sandbox
        return sandbox

    @property
    def app(self) -> AppState:
        return self.store.app

    @property
    def first(self) -> Sandbox:
        return next(iter(self.portals.values()))

    def add_portal(self, name: str, tier: str = PRO) -> Sandbox:
        """A new portal with the standard seed (owners, inboxes, pipeline) and its own ids."""
        portal_id = int(self.app.next_id("portals"))
        config = replace(
            self.first.config,
            portal_id=portal_id,
            private_app_token=f"pat-na1-{uuid.uuid4()}",
            hub_domain=f"portal-{portal_id}.{self.first.config.hub_domain}",
        )
        store = Store(config, self.clock, self.app, name, tier)
        portal = Sandbox(
            config,
            self.clock,
            store,
            self.validator,
            self.scopes,
            self.dispatcher,
            self.faults,
            self.portals,
        )
        self.portals[portal_id] = portal
        return portal

    def portal(self, portal_id: object) -> Sandbox:
        try:
            found = self.portals.get(int(str(portal_id)))
        except ValueError:
            raise validation_error(f"portalId {portal_id!r} is not a number") from None
        if found is None:
            raise not_found(f"Portal {portal_id} does not exist")
        return found

    def portal_of_token(self, token: str) -> Sandbox | None:
        access = self.app.access_tokens.get(token)
        if access is not None:
            return self.portals.get(access.portal_id)
        return next(
            (
                p
                for p in self.portals.values()
                if token == p.config.private_app_token or token in p.store.service_keys
            ),
            None,
        )

    def reset(self) -> None:
        """Back to one freshly seeded portal; ids keep counting, so none is handed out twice."""
        first = self.first
        self.dispatcher.cancel_pending()
        self.clock.offset_s = 0.0
        for portal_id in list(self.portals)[1:]:
            del self.portals[portal_id]
        self.app.reset()
        first.store.reset()
        self.faults.reset()


def sandbox_of(request: Request) -> Sandbox:
    """The portal a request acts in: its Bearer token's, else `portalId`, else the first."""
    root: Sandbox = request.app.state.sandbox
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        by_token = root.portal_of_token(token.strip())
        if by_token is not None:
            return by_token
    wanted = request.query_params.get("portalId") or request.path_params.get("portalId")
    return root.portal(wanted) if wanted else root.first
