"""One sandbox portal's moving parts, built per app and shared by its routes."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from hubspot_sandbox.clock import Clock
from hubspot_sandbox.config import SandboxConfig
from hubspot_sandbox.faults import Faults
from hubspot_sandbox.store import Store
from hubspot_sandbox.validation import BodyValidator
from hubspot_sandbox.webhooks import WebhookDispatcher

API_PREFIXES = (
    "/crm/",
    "/conversations/",
    "/files/",
    "/oauth/v1/",
    "/oauth/v3/",
    "/account-info/",
    "/webhooks/",
)


def is_api_path(path: str) -> bool:
    """HubSpot's own API (what is recorded, rate limited and faulted), not pages or control."""
    return path.startswith(API_PREFIXES)


@dataclass
class Sandbox:
    config: SandboxConfig
    clock: Clock
    store: Store
    validator: BodyValidator
    dispatcher: WebhookDispatcher
    faults: Faults

    @classmethod
    def build(cls, config: SandboxConfig, validator: BodyValidator) -> Sandbox:
        clock = Clock()
        store = Store(config, clock)
        dispatcher = WebhookDispatcher(store, config, clock)
        return cls(config, clock, store, validator, dispatcher, Faults(config, clock))

    def reset(self) -> None:
        self.dispatcher.cancel_pending()
        self.clock.offset_s = 0.0
        self.store.reset()
        self.faults.reset()


def sandbox_of(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox
