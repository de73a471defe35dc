"""Settings of one sandbox portal: the app's OAuth credentials, keys, and timing knobs."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

# HubSpot's historical retry cadence spreads ten attempts over hours; the demo keeps the
# count and shortens the waits so a restarted relaydesk catches up within minutes.
DEMO_RETRY_DELAYS_S: tuple[float, ...] = (5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


class MissingDocuments(RuntimeError):
    """HubSpot's OpenAPI documents are not where the sandbox was told to find them."""


def documents_missing(openapi_dir: Path) -> None:
    """Under CI a sandbox without its documents is an error; elsewhere (a clone on its own, the
    demo) it warns loudly and checks bodies with its own rules only."""
    message = (
        f"HubSpot's OpenAPI documents are not at {openapi_dir}: put them at "
        "../shared/hubspot-openapi beside the repository or set HUBSPOT_OPENAPI_DIR"
    )
    if os.environ.get("CI") == "true":
        raise MissingDocuments(message)
    logging.getLogger("hubspot_sandbox").warning(
        "%s; request bodies are not schema-checked", message
    )


def default_openapi_dir() -> Path:
    """`$HUBSPOT_OPENAPI_DIR`, else `../shared/hubspot-openapi` next to this repository."""
    configured = os.environ.get("HUBSPOT_OPENAPI_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "hubspot-openapi"


@dataclass
class SandboxConfig:
    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"
    app_id: int = 2438486
    developer_api_key: str = "sandbox-developer-key"
    portal_id: int = 243842089
    private_app_token: str = "pat-na1-00000000-0000-4000-8000-000000000000"
    public_base_url: str = "http://127.0.0.1:8001"
    hub_domain: str = "sandbox.relaydesk.local"
    access_token_ttl_s: int = 1800
    auth_code_ttl_s: int = 600
    search_index_delay_s: float = 1.0
    rate_limit_per_10s: int | None = 110
    search_rate_limit_per_s: int | None = 5
    webhook_target_url: str | None = None
    # HubSpot pre-seeds no subscriptions: an app creates them (webhooks API or its project).
    webhook_subscriptions: tuple[str, ...] = ()
    webhook_retry_delays_s: tuple[float, ...] = DEMO_RETRY_DELAYS_S
    webhook_timeout_s: float = 5.0
    max_upload_bytes: int = 50 * 1024 * 1024
    openapi_dir: Path | None = field(default_factory=default_openapi_dir)
    redirect_uris: tuple[str, ...] = ()
    # The scopes the app is configured with; a token gets those of them its install asked
    # for. None: whatever the install asks for.
    app_scopes: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        self.public_base_url = self.public_base_url.rstrip("/")
