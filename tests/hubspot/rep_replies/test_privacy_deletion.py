"""A contact deleted in HubSpot with its GDPR delete reaches relaydesk as
`contact.privacyDeletion` (the subscription relaydesk made), and the visitors linked to that
contact are erased: nothing of them stays in the database dump or the data folder. Before, the
visitor and their conversations stayed, linked to a contact HubSpot no longer had."""

from __future__ import annotations

import io

import httpx
from sqlalchemy import select, update

from relaydesk.models import AuditEntry, Conversation, HubSpotConnection, Visitor
from relaydesk.vault import Vault

from ...database_dump import dump_text, files_containing
from ...support import SECRET, wait_for
from ...test_erasure import Traces, leave_traces
from .world import World, settled


async def _link_contact(world: World, traces: Traces) -> str:
    """The contact the handoff sync made for the visitor, as it leaves it on our rows."""
    contact = await world.portal.create_object("contacts", {"email": traces.email})
    async with world.rows() as session:
        conversation = await session.get(Conversation, world.visitor.conversation_id)
        assert conversation is not None
        conversation.hubspot_contact_id = contact.id
        await session.execute(
            update(Visitor)
            .where(Visitor.id == conversation.visitor_id)
            .values(hubspot_contact_id=contact.id)
        )
        await session.commit()
    return contact.id


async def _access_token(world: World) -> str:
    async with world.rows() as session:
        connection = await session.get(HubSpotConnection, world.connection_id)
        assert connection is not None and connection.access_token_enc is not None
        return Vault(SECRET).open(connection.access_token_enc)


async def test_a_gdpr_delete_in_hubspot_erases_the_linked_visitor(world: World) -> None:
    traces, kept = Traces.new(), Traces.new()
    http, visitor = world.http, world.visitor
    profile = {"name": traces.name, "email": traces.email}
    assert (
        await http.post("/api/widget/v1/profile", json=profile, headers=visitor.auth)
    ).is_success
    file = {"file": ("notes.txt", io.BytesIO(traces.words.encode()), "text/plain")}
    uploaded = await http.post("/api/widget/v1/uploads", files=file, headers=visitor.auth)
    assert uploaded.status_code == 201, uploaded.text
    sent = await visitor.send(traces.words, attachment_ids=[uploaded.json()["id"]])
    assert sent.status_code == 201, sent.text
    await world.reply(f"Hello {traces.name}, {traces.comment}")
    await settled(world, 1, source="channel")
    contact = await _link_contact(world, traces)
    await leave_traces(http, world.org.widget_key, kept)  # another visitor of the organization

    token = await _access_token(world)
    async with httpx.AsyncClient(base_url=world.pair.sandbox.base_url, timeout=10) as hubspot:
        deleted = await hubspot.post(
            "/crm/objects/2026-09/contacts/gdpr-delete",
            json={"objectId": contact},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert deleted.status_code == 204, deleted.text

    async def erased() -> bool:
        async with world.rows() as session:
            return await session.get(Conversation, world.visitor.conversation_id) is None

    await wait_for(erased, 15)
    async with world.rows() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.organization_id == world.org.id)
            )
        )
    assert [e.actor for e in entries] == [
        f"HubSpot contact.privacyDeletion (portal {world.pair.sandbox.config.portal_id}, "
        f"contact {contact})"
    ]
    assert entries[0].details["messages"] >= 3 and entries[0].details["files"] == 1

    async def files_gone() -> bool:
        return not files_containing(world.pair.server.settings.upload_dir, traces.needles)

    await wait_for(files_gone)
    dump = await dump_text(world.pair.server.settings.database_url)
    assert [n for n in traces.needles if n in dump] == []
    assert all(n in dump for n in kept.needles)
    assert files_containing(world.pair.server.settings.upload_dir, [kept.words])
