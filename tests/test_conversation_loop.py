"""The first complete loop over the real HTTP API and database: send, answer, history, once."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.models import Conversation, Message, OutboxJob

from .orgs import Org
from .support import WidgetClient


async def test_visitor_gets_an_answer_from_the_knowledge_base(
    client: httpx.AsyncClient, org: Org
) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    sent = await visitor.send("How long does shipping take?")
    assert sent.status_code == 201
    assert sent.json()["seq"] == 1 and sent.json()["role"] == "visitor"

    [reply] = await visitor.wait_for_reply()
    assert reply["seq"] == 2
    assert "3 to 5 business days" in reply["text"]


async def test_unknown_question_gets_an_honest_answer(client: httpx.AsyncClient, org: Org) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("Do you sell submarines to penguins?")
    [reply] = await visitor.wait_for_reply()
    assert reply["text"].startswith("I don't have an answer for that")


async def test_same_client_id_twice_makes_one_message(
    client: httpx.AsyncClient, org: Org, db: async_sessionmaker[AsyncSession]
) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    first, second = await asyncio.gather(
        visitor.send("What payment methods do you accept?", client_id="dup-1"),
        visitor.send("What payment methods do you accept?", client_id="dup-1"),
    )
    assert {first.status_code, second.status_code} <= {200, 201}
    assert first.json()["id"] == second.json()["id"]
    again = await visitor.send("What payment methods do you accept?", client_id="dup-1")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]

    await visitor.wait_for_reply()
    async with db() as session:
        count = await session.scalar(
            select(func.count()).where(
                Message.client_id == "dup-1", Message.conversation_id == visitor.conversation_id
            )
        )
        answers = await session.scalar(
            select(func.count()).where(Message.reply_to_id == first.json()["id"])
        )
        jobs = await session.scalar(
            select(func.count()).where(OutboxJob.ordering_key == visitor.conversation_id)
        )
    assert count == 1
    assert answers == 1
    assert jobs == 0  # the embedded brain answered in the message's transaction, once


async def test_a_client_id_sent_before_the_conversation_closed_is_not_sent_again(
    client: httpx.AsyncClient, org: Org
) -> None:
    """A retry after the close finds its message; a new message opens a new conversation."""
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    first = await visitor.send("How long does shipping take?", client_id="before-close")
    closing = f"/api/widget/v1/conversations/{visitor.conversation_id}/close"
    assert (await client.post(closing, headers=visitor.auth)).status_code == 200
    again = await visitor.send("How long does shipping take?", client_id="before-close")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    fresh = await visitor.send("Which plans do you have?")
    assert fresh.status_code == 201 and fresh.json()["seq"] == 1
    assert fresh.json()["conversation_id"] != first.json()["conversation_id"]


async def test_history_after_seq_returns_only_what_was_missed(
    client: httpx.AsyncClient, org: Org
) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("How do I reset my password?")
    await visitor.wait_for_reply()
    await visitor.send("Which plans do you have?")
    await visitor.wait_for_reply(count=2)

    everything = await visitor.history()
    assert [m["seq"] for m in everything] == [1, 2, 3, 4]
    assert [m["role"] for m in everything] == ["visitor", "ai", "visitor", "ai"]
    assert [m["seq"] for m in await visitor.history(after_seq=2)] == [3, 4]


async def test_a_follow_up_is_stored_in_the_open_conversation_after_its_answer(
    client: httpx.AsyncClient, org: Org, db: async_sessionmaker[AsyncSession]
) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("How do I reset my password?")
    await visitor.wait_for_reply()
    sent = await visitor.send("Which plans do you have?", client_id="follow-up-1")
    assert sent.status_code == 201 and sent.json()["seq"] == 3

    async with db() as session:
        stored = await session.get_one(Message, sent.json()["id"])
        conversation = await session.get_one(Conversation, visitor.conversation_id)
    assert (stored.conversation_id, stored.seq, stored.role) == (conversation.id, 3, "visitor")
    assert (stored.text, stored.client_id, stored.reply_to_id) == (
        "Which plans do you have?",
        "follow-up-1",
        None,
    )
    assert stored.sources == [] and stored.component is None
    assert conversation.last_seq == 4  # its answer took the next seq in the same transaction
    assert conversation.updated_at >= stored.created_at


async def test_reload_resumes_the_same_conversation(client: httpx.AsyncClient, org: Org) -> None:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    await visitor.send("How do refunds work?")
    conversation_id = visitor.conversation_id

    reloaded = WidgetClient(client, org.widget_key)
    reloaded.token = visitor.token  # the token the widget kept in localStorage
    session = await reloaded.start()
    assert session["conversation"]["id"] == conversation_id
    assert [m["text"] for m in await reloaded.history()][0] == "How do refunds work?"


async def test_another_visitor_cannot_read_the_conversation(
    client: httpx.AsyncClient, org: Org
) -> None:
    owner = WidgetClient(client, org.widget_key)
    await owner.start()
    await owner.send("My order number is 1234")
    stranger = WidgetClient(client, org.widget_key)
    await stranger.start()
    answer = await client.get(
        f"/api/widget/v1/conversations/{owner.conversation_id}/messages", headers=stranger.auth
    )
    assert answer.status_code == 404
