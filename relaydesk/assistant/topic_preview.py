"""What a handoff topic would catch, shown to the admin who writes it: messages from a built-in
list and from the organization's recent visitors that the topic hands off."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Conversation, Message, Role
from .topics import catches, parse_topic, read_message

SHOWN = 5
RECENT_MESSAGES = 300
EXAMPLES = (
    "Hi, how are you?",
    "How long does shipping take?",
    "Do you ship to Canada?",
    "Where is my order 4711?",
    "My parcel arrived damaged, the screen is cracked.",
    "The blender doesn't work anymore.",
    "I want to return these shoes.",
    "Can I get a refund for my order?",
    "I'd like a refund of 250 € for the broken TV.",
    "Can I get my money back? I paid $80.",
    "Please cancel my account.",
    "How do I close my account?",
    "Delete my account and everything you have on me.",
    "How do I cancel my subscription?",
    "I want to file a data deletion request under GDPR.",
    "What personal data do you store about me?",
    "I'm going to sue you.",
    "My lawyer will contact you.",
    "This is unacceptable, I will take you to court.",
    "I was charged twice for the same order.",
    "Can you send me an invoice for my last payment?",
    "Someone hacked my account and ordered things.",
    "I forgot my password and can't log in.",
    "I want to make a complaint about your driver.",
    "Do you offer discounts for bulk orders?",
    "Could you send us a quote for 500 units?",
    "Are you hiring? I'd like to send my CV.",
    "My son had an allergic reaction to your snack.",
    "I'm a journalist writing about your company.",
    "Is the warranty still valid after two years?",
    "Ich möchte mein Konto kündigen.",
    "Mein Anwalt wird sich bei Ihnen melden.",
    "Ich möchte eine Rückerstattung, das Paket kam beschädigt an.",
    "Je veux résilier mon abonnement.",
    "Mon avocat va vous contacter.",
    "Je voudrais un remboursement de 120 euros.",
    "Quiero dar de baja mi cuenta.",
    "Voy a demandar a su empresa.",
    "Quiero un reembolso, el producto llegó roto.",
    "Vorrei chiudere il mio account.",
    "Quero cancelar minha assinatura.",
    "Ik wil mijn account opzeggen.",
)


@dataclass(frozen=True)
class TopicPreview:
    topic: str
    examples: list[str]  # from the built-in list
    recent: list[str]  # from the organization's recent visitor messages
    readable: bool  # False when the topic has no word to match by ("questions")


def preview(
    topics: Sequence[str], recent: Sequence[str], examples: Sequence[str] = EXAMPLES
) -> list[TopicPreview]:
    """For each topic, a few messages of each list it catches."""
    read_examples = [(m, read_message(m)) for m in examples]
    read_recent = [(m, read_message(m)) for m in recent]
    out = []
    for phrase in topics:
        topic = parse_topic(phrase)
        caught = [m for m, reading in read_examples if catches(topic, reading)]
        seen = [m for m, reading in read_recent if catches(topic, reading)]
        out.append(TopicPreview(phrase, caught[:SHOWN], seen[:SHOWN], bool(topic.units)))
    return out


async def preview_topics(
    session: AsyncSession, organization_id: str, topics: Sequence[str]
) -> list[TopicPreview]:
    if not topics:
        return []
    return preview(topics, await recent_visitor_messages(session, organization_id))


async def recent_visitor_messages(session: AsyncSession, organization_id: str) -> list[str]:
    """The organization's latest distinct visitor messages, newest first."""
    texts = await session.scalars(
        select(Message.text)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.organization_id == organization_id, Message.role == Role.VISITOR)
        .order_by(Message.created_at.desc())
        .limit(RECENT_MESSAGES)
    )
    return _distinct(texts)


def _distinct(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in texts if t.strip()))
