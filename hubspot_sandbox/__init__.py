"""A local HubSpot: the APIs, webhooks and inbox relaydesk uses, over real HTTP, in memory."""

from hubspot_sandbox.app import create_sandbox_app
from hubspot_sandbox.config import SandboxConfig
from hubspot_sandbox.server import RunningSandbox, serve, start_sandbox, start_sandbox_sync

__all__ = [
    "RunningSandbox",
    "SandboxConfig",
    "create_sandbox_app",
    "serve",
    "start_sandbox",
    "start_sandbox_sync",
]
