"""An organization with something on every admin page: conversation, handoff, CSAT, job, keys.

Texts are what a hostile visitor would write, so every page also shows they stay inert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.assistant.actions import ActionSpec
from relaydesk.assistant.configuration import save_action
from relaydesk.db import commit
from relaydesk.files import FileStore
from relaydesk.knowledge.documents import add_document
from relaydesk.models import (
    AiAction,
    ApiKey,
    Attachment,
    Conversation,
    Handoff,
    KnowledgeDocument,
    Message,
    Organization,
    OutboxJob,
    User,
    Visitor,
    utcnow,
)
from relaydesk.vault import Vault

from .admin_support import make_user
from .orgs import Org, make_org
from .support import SECRET

SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_NAME = f"{SCRIPT}Eve"
HOSTILE_TEXT = (
    f'{SCRIPT} see [here](javascript:alert(1)) or <a href="javascript:alert(2)">this</a> '
    "javascript:alert(3) <img src=x onerror=alert(4)>"
)


@dataclass
class World:
    org: Org
    owner: str
    member: str
    conversation_id: str
    document_id: str
    key_id: str
    job_id: int
    user_id: str  # the member's user id
    action_id: str  # an AI action with a header that no page may show
    attachment_id: str  # the visitor's file, named with markup


async def build_world(
    sessions: async_sessionmaker[AsyncSession], marker: str, files: FileStore | None = None
) -> World:
    """`files`: the server's store, for a world whose visitor's file is downloaded."""
    org = await make_org(sessions, sample_kb=False)
    owner = await make_user(sessions, org.id, "owner")
    member = await make_user(sessions, org.id, "member")
    async with sessions() as session:
        conversation_id, attachment = await _conversation(session, org.id, marker)
        ids = await _seed_rows(session, org, conversation_id, marker)
        member_id = await session.scalar(select(User.id).where(User.email == member))
        action = await _action(session, org.id, marker)
        await commit(session)
    assert member_id is not None
    if files is not None:
        await files.put(attachment.storage_key, b"abc")
    return World(org, owner, member, conversation_id, *ids, member_id, action.id, attachment.id)


async def _conversation(session: AsyncSession, org_id: str, marker: str) -> tuple[str, Attachment]:
    """What a hostile visitor leaves behind: a name, a message and a file name with markup."""
    visitor = Visitor(organization_id=org_id, name=HOSTILE_NAME, email=f"eve-{marker}@x.test")
    session.add(visitor)
    await session.flush()
    conversation = Conversation(organization_id=org_id, visitor_id=visitor.id, last_seq=1)
    session.add(conversation)
    await session.flush()
    message = Message(
        conversation_id=conversation.id, seq=1, role="visitor", text=f"{HOSTILE_TEXT} {marker}"
    )
    session.add(message)
    await session.flush()
    attachment = Attachment(
        organization_id=org_id,
        visitor_id=visitor.id,
        message_id=message.id,
        name=f"{SCRIPT}.txt",
        content_type="text/plain",
        size=3,
        sha256="0" * 64,
        storage_key=f"test/{message.id}",
    )
    session.add(attachment)
    await session.flush()
    return conversation.id, attachment


async def _seed_rows(
    session: AsyncSession, org: Org, conversation_id: str, marker: str
) -> tuple[str, str, int]:
    conversation = await session.get(Conversation, conversation_id)
    assert conversation is not None
    conversation.csat_score = 2
    conversation.csat_comment = f"{HOSTILE_TEXT} comment {marker}"
    conversation.csat_at = utcnow() - timedelta(days=1)
    session.add(
        Handoff(
            conversation_id=conversation_id,
            reasons=["frustration"],
            summary=f"{HOSTILE_TEXT} summary {marker}",
            sentiment="negative",
            sentiment_score=-0.6,
            language="en",
            topic=SCRIPT,
        )
    )
    doc = await _document(session, org.id, marker)
    key = await session.scalar(select(ApiKey).where(ApiKey.organization_id == org.id))
    assert key is not None
    message_id = await session.scalar(
        select(Message.id).where(Message.conversation_id == conversation_id).limit(1)
    )
    job = OutboxJob(
        kind="hubspot.publish",
        payload={"message_id": message_id},
        ordering_key=conversation_id,
        dedupe_key=f"test-failed-{marker}",
        state="failed",
        attempts=10,
        last_error=f"{SCRIPT} HubSpot said 500 {marker}",
    )
    session.add(job)
    await session.flush()
    return doc.id, key.id, job.id


async def _document(session: AsyncSession, org_id: str, marker: str) -> KnowledgeDocument:
    organization = await session.get(Organization, org_id)
    assert organization is not None
    doc = await add_document(
        session, organization, f"Returns {marker}", f"# Returns\n\nWithin 30 days. {marker}"
    )
    await session.flush()
    return doc


async def _action(session: AsyncSession, org_id: str, marker: str) -> AiAction:
    spec = ActionSpec(
        name="order_status",
        url_template="https://shop.example.test/orders/{order_id}",
        headers={"Authorization": f"Bearer header-secret-{marker}"},
        component="card",
        triggers=("where is my order {order_id}",),
    )
    return await save_action(session, Vault(SECRET), org_id, spec)
