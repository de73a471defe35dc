"""An admin takes a conversation from the AI; the page shows the handoff's HubSpot sync."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.models import Conversation, Handoff, OutboxJob
from relaydesk.models.hubspot import HubSpotConnection

from .admin_support import make_user, signed_in
from .orgs import Org
from .support import RunningServer, WidgetClient


async def test_admin_hands_off_and_sees_sync_steps_and_hubspot_links(
    server: RunningServer,
    db: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    org: Org,
) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("My invoice shows the wrong company name")
    await visitor.wait_for_reply()
    owner = await signed_in(server.base_url, await make_user(db, org.id, "owner"))
    page = f"/admin/conversations/{visitor.conversation_id}"
    assert 'id="handoff-now"' in (await owner.get(page)).text

    answer = await owner.post(f"{page}/handoff")
    assert answer.status_code == 303
    async with db() as session:
        conversation = await session.get(Conversation, visitor.conversation_id)
        handoff = await session.scalar(
            select(Handoff).where(Handoff.conversation_id == visitor.conversation_id)
        )
        jobs = list(
            await session.scalars(
                select(OutboxJob.kind).where(OutboxJob.ordering_key == visitor.conversation_id)
            )
        )
    assert conversation is not None and conversation.state == "pending_human"
    assert handoff is not None and handoff.requested_by == "admin"
    assert "hubspot.handoff" in jobs
    again = await owner.post(f"{page}/handoff")
    assert again.status_code == 422  # no longer the AI's to hand off

    html = (await owner.get(page)).text
    assert 'id="handoff-now"' not in html
    assert 'id="hubspot-sync"' in html and 'data-step="contact"' in html

    async with db() as session:  # once synced, the ids link into the connected portal
        conversation = await session.get(Conversation, visitor.conversation_id)
        assert conversation is not None
        conversation.hubspot_thread_id, conversation.hubspot_ticket_id = "301", "77"
        session.add(HubSpotConnection(organization_id=org.id, portal_id="4242"))
        await session.commit()
    html = (await owner.get(page)).text
    assert "https://app.hubspot.com/live-messages/4242/inbox/301" in html
    assert "https://app.hubspot.com/contacts/4242/record/0-5/77" in html
    assert '<tr class="step-done" data-step="thread">' in html

    async with db() as session:  # a private-app connection has no thread to wait for
        connection = await session.scalar(
            select(HubSpotConnection).where(HubSpotConnection.organization_id == org.id)
        )
        assert connection is not None
        connection.mode = "private_app"
        await session.commit()
    html = (await owner.get(page)).text
    assert '<tr class="step-skipped" data-step="thread">' in html
    assert "private-app mode: the transcript is in the ticket" in html
    await owner.close()


async def test_a_member_cannot_hand_off(
    server: RunningServer,
    db: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    org: Org,
) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("hello")
    member = await signed_in(server.base_url, await make_user(db, org.id, "member"))
    page = f"/admin/conversations/{visitor.conversation_id}"
    assert 'id="handoff-now"' not in (await member.get(page)).text
    assert (await member.post(f"{page}/handoff")).status_code == 403
    await member.close()


async def test_the_ai_name_and_ticket_tag_are_set_on_the_hubspot_page(
    server: RunningServer, db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    owner = await signed_in(server.base_url, await make_user(db, org.id, "owner"))
    async with db() as session:
        session.add(HubSpotConnection(organization_id=org.id, portal_id="4242", status="active"))
        await session.commit()
    page = "/admin/integrations/hubspot"
    html = (await owner.get(page)).text
    assert "<code>relaydesk_handoff_tag</code> = <code>opencx_handedoff</code>" in html
    # This test server has no HubSpot app: the page names what its operator has yet to set.
    missing = html.split('id="hubspot-app-missing">')[1].split("</small>")[0]
    for setting in ("CLIENT_ID", "CLIENT_SECRET", "DEVELOPER_API_KEY"):
        assert f"RELAYDESK_HUBSPOT__{setting}" in missing
    assert f"{server.base_url}/hubspot/webhooks" in html

    look = {"ai_sender_name": " Ava from Acme ", "ticket_tag_property": "acme_escalation",
            "ticket_tag_value": "from_chat"}  # fmt: skip
    saved = await owner.post(f"{page}/look", look)
    assert saved.status_code == 303
    html = (await owner.get(page)).text
    assert "<code>acme_escalation</code> = <code>from_chat</code>" in html
    assert "sent as <strong>Ava from Acme</strong>" in html

    for bad, why in (
        ({"ticket_tag_property": "Acme Tag"}, "lowercase letters"),
        ({"ticket_tag_property": "hs_pipeline"}, "already uses"),
        ({"ticket_tag_property": "relaydesk_conversation_id"}, "already uses"),
        ({"ai_sender_name": "A" * 101}, "longer than 100"),
    ):
        refused = await owner.post(f"{page}/look", look | bad)
        assert refused.status_code == 400 and why in refused.text
    async with db() as session:  # what was accepted before is kept
        row = await session.scalar(
            select(HubSpotConnection).where(HubSpotConnection.organization_id == org.id)
        )
    assert row is not None
    assert (row.ai_sender_name, row.ticket_tag_property, row.ticket_tag_value) == (
        "Ava from Acme", "acme_escalation", "from_chat"
    )  # fmt: skip

    cleared = {"ai_sender_name": "", "ticket_tag_property": "", "ticket_tag_value": ""}
    assert (await owner.post(f"{page}/look", cleared)).status_code == 303
    html = (await owner.get(page)).text
    assert "<code>relaydesk_handoff_tag</code> = <code>opencx_handedoff</code>" in html
    await owner.close()
