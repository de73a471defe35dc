"""A local HubSpot: the APIs, webhooks and inbox relaydesk uses, over real HTTP, in memory.

    running = await start_sandbox(SandboxConfig(webhook_target_url=...), port=0)
    running.base_url                  # http://127.0.0.1:<port>; HubSpot's paths live here
    await running.stop()

`python -m hubspot_sandbox --port 8001` serves one in the foreground; `serve(config, host, port)`
does the same inside a running event loop. The inbox page is at `/inbox`, the control API under
`/_sandbox/`.
"""

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
