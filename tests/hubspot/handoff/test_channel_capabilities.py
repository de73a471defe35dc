"""The custom channel declares this installation's own message limits: an operator who raises
the upload limit gets a channel (and a widget) that carry the larger files alike."""

from __future__ import annotations

from hubspot_sandbox import RunningSandbox
from relaydesk.files import MessageLimits
from relaydesk.hubspot.connect import flows as setup
from relaydesk.hubspot.connect.channel import capabilities
from relaydesk.runtime import Runtime
from relaydesk.settings import LimitSettings

from .world import (
    INBOX,
    OWNER,
    PIPELINE,
    PUBLIC_URL,
    STAGE,
    connect,
    new_organization,
    sandbox_state,
)


async def test_the_channel_declares_the_installations_limits(
    runtime: Runtime, handoff_sandbox: RunningSandbox
) -> None:
    organization_id = await new_organization(runtime)
    await connect(runtime, handoff_sandbox, organization_id)  # registered with the defaults
    raised = MessageLimits.of(LimitSettings(max_upload_bytes=3_000_000))
    flow = setup.Setup(
        runtime.hubspot, runtime.sessions, runtime.vault, runtime.secret, PUBLIC_URL, raised
    )
    chosen = setup.Chosen(INBOX, OWNER, PIPELINE, STAGE)
    await setup.choose(flow, organization_id, chosen, "Website chat")
    [channel] = (await sandbox_state(handoff_sandbox))["channels"]
    assert channel["capabilities"] == capabilities(raised)
    assert channel["capabilities"]["maxFileAttachmentSizeBytes"] == 3_000_000
