"""The AI hands off when the visitor or the organization's settings say so, in the visitor's
language, through the real widget API; the Handoff row and the outbox job are asserted."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.assistant.configuration import save_policy
from relaydesk.assistant.policy import HandoffPolicy
from relaydesk.assistant.rep_record import (
    reason_words,
    requester_words,
    summary_facts,
    ticket_subject,
)
from relaydesk.assistant.wording import BY_EMAIL, say
from relaydesk.db import commit
from relaydesk.models import Conversation, Handoff, OutboxJob
from relaydesk.models.hubspot import HubSpotConnection

from .orgs import Org
from .support import WidgetClient, wait_for

Sessions = async_sessionmaker[AsyncSession]


async def _handoff(db: Sessions, conversation_id: str | None) -> Handoff | None:
    async with db() as session:
        return await session.scalar(
            select(Handoff).where(Handoff.conversation_id == conversation_id)
        )


async def _state(db: Sessions, conversation_id: str | None) -> str:
    async with db() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation.state


async def _visitor(client: httpx.AsyncClient, org: Org) -> WidgetClient:
    visitor = WidgetClient(client, org.widget_key)
    await visitor.start()
    return visitor


async def _set_policy(db: Sessions, org: Org, policy: HandoffPolicy) -> None:
    async with db() as session:
        await save_policy(session, org.id, policy)
        await commit(session)


async def test_asking_for_a_human_hands_off_in_english(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    visitor = await _visitor(client, org)
    await visitor.send("I want to talk to a human")
    [notice] = await visitor.wait_for_reply()
    assert "person from our team" in notice["text"]

    handoff = await _handoff(db, visitor.conversation_id)
    assert handoff is not None
    assert handoff.reasons == ["user_requested_human_assistance"]
    assert handoff.language == "en" and handoff.requested_by == "visitor"
    assert "talk to a human" in handoff.summary
    assert await _state(db, visitor.conversation_id) == "pending_human"
    async with db() as session:
        job = await session.scalar(
            select(OutboxJob).where(
                OutboxJob.dedupe_key == f"hubspot.handoff:{handoff.conversation_id}"
            )
        )
    assert job is not None and job.payload == {"conversation_id": handoff.conversation_id}


async def _private_app(db: Sessions, org: Org) -> None:
    """HubSpot connected with a private-app token: tickets, but no replies in the chat."""
    async with db() as session:
        session.add(HubSpotConnection(organization_id=org.id, mode="private_app", portal_id="42"))
        await session.commit()


async def test_in_private_app_mode_the_visitor_hears_the_team_follows_up_by_email(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    await _private_app(db, org)
    visitor = await _visitor(client, org)
    await visitor.send("I want to talk to a human")
    [notice] = await visitor.wait_for_reply()
    assert "follow up by email" in notice["text"] and "leave your email" in notice["text"]
    assert "reply right here" not in notice["text"]
    assert await _state(db, visitor.conversation_id) == "pending_human"

    known = await _visitor(client, org)
    profile = await client.post(
        "/api/widget/v1/profile", json={"email": "ada@example.com"}, headers=known.auth
    )
    assert profile.status_code == 200, profile.text
    await known.send("Ich möchte mit einem Menschen sprechen")
    [notice] = await known.wait_for_reply()
    assert notice["text"] == say(BY_EMAIL, "de")  # an email to answer to: not asked for


async def test_asking_for_a_human_in_german_hands_off_in_german(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    visitor = await _visitor(client, org)
    await visitor.send("Ich möchte mit einem Menschen sprechen")
    [notice] = await visitor.wait_for_reply()
    assert "Menschen aus unserem Team" in notice["text"]
    handoff = await _handoff(db, visitor.conversation_id)
    assert handoff is not None and handoff.language == "de"


async def test_the_ai_stays_quiet_while_a_person_leads_and_starts_afresh_after_close(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    visitor = await _visitor(client, org)
    await visitor.send("human please")
    await visitor.wait_for_reply()
    first = visitor.conversation_id
    await visitor.send("How long does shipping take?")
    closed = await client.post(f"/api/widget/v1/conversations/{first}/close", headers=visitor.auth)
    assert closed.status_code == 200
    roles = [m["role"] for m in await visitor.history() if m["role"] != "system"]
    assert roles == ["visitor", "ai", "visitor"]

    await visitor.send("How long does shipping take?")
    assert visitor.conversation_id != first
    [answer] = await visitor.wait_for_reply()
    assert "3 to 5 business days" in answer["text"]


async def test_repeated_misses_hand_off_with_insufficient_knowledge(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    visitor = await _visitor(client, org)
    await visitor.send("Do you sell submarines to penguins?")
    [honest] = await visitor.wait_for_reply()
    assert honest["text"].startswith("I don't have an answer")
    await visitor.send("Can I pay with seashells?")
    await visitor.wait_for_reply(2)
    handoff = await _handoff(db, visitor.conversation_id)
    assert handoff is not None and handoff.reasons == ["insufficient_knowledge"]


async def test_ai_only_declines_politely(client: httpx.AsyncClient, db: Sessions) -> None:
    from .orgs import make_org

    org = await make_org(db)
    await _set_policy(db, org, HandoffPolicy(level=0))
    visitor = await _visitor(client, org)
    await visitor.send("Can I speak to a real person please?")
    [reply] = await visitor.wait_for_reply()
    assert "keep helping" in reply["text"]
    assert await _handoff(db, visitor.conversation_id) is None
    button = await client.post("/api/widget/v1/handoff", headers=visitor.auth)
    assert button.status_code == 422 and button.json()["error"]["code"] == "handoff_disabled"


async def test_balanced_asks_for_an_email_first(client: httpx.AsyncClient, db: Sessions) -> None:
    from .orgs import make_org

    org = await make_org(db)
    await _set_policy(db, org, HandoffPolicy(level=2))
    visitor = await _visitor(client, org)
    await visitor.send("I need to speak with a representative")
    [ask] = await visitor.wait_for_reply()
    assert "email" in ask["text"]
    await visitor.send("it's ada@example.com")
    await visitor.wait_for_reply(2)
    handoff = await _handoff(db, visitor.conversation_id)
    assert handoff is not None and handoff.reasons == ["user_requested_human_assistance"]


async def test_a_handoff_topic_hands_off_with_the_topic(
    client: httpx.AsyncClient, db: Sessions
) -> None:
    from .orgs import make_org

    org = await make_org(db)
    topics = ("legal questions", "data deletion request", "close my account")
    await _set_policy(db, org, HandoffPolicy(topics=topics))
    caught = {
        "I want to file a data deletion request under GDPR": "data deletion request",
        "I'm going to sue you": "legal questions",
        "My lawyer will contact you": "legal questions",
        "cancel my account": "close my account",
    }
    for message, topic in caught.items():
        visitor = await _visitor(client, org)
        await visitor.send(message)
        await visitor.wait_for_reply()
        handoff = await _handoff(db, visitor.conversation_id)
        assert handoff is not None, message
        assert handoff.reasons == ["prohibited_topic"] and handoff.topic == topic
        assert f"the handoff topic “{topic}”" in handoff.summary


async def test_the_record_says_the_question_the_answer_and_why_in_the_teams_language(
    client: httpx.AsyncClient, db: Sessions
) -> None:
    from .orgs import make_org

    org = await make_org(db)
    visitor = await _visitor(client, org)
    await visitor.send("Hi")
    await visitor.wait_for_reply()
    await visitor.send("How long does shipping take?")
    await visitor.wait_for_reply(2)
    await visitor.send("Can I speak to a real person please?")
    await visitor.wait_for_reply(3)
    handoff = await _handoff(db, visitor.conversation_id)
    assert handoff is not None
    assert handoff.requested_by == "visitor" and handoff.team_language == "en"
    assert handoff.question == "How long does shipping take?"
    question, answered, why = handoff.summary.splitlines()
    assert question == "Visitor's question: How long does shipping take?"
    assert answered.startswith("AI answered: ") and "3 to 5 business days" in answered
    assert why == "Handed off because: the visitor asked for a person"
    assert ticket_subject(handoff, "Chat with a visitor") == "How long does shipping take?"
    [asked, said] = summary_facts(handoff)
    assert asked == ("Visitor's question", "How long does shipping take?")
    assert said[0] == "AI answered" and "3 to 5 business days" in said[1]
    assert requester_words(handoff.requested_by, handoff.team_language) == "visitor"

    await _set_policy(db, org, HandoffPolicy(team_language="de"))
    german_team = await _visitor(client, org)
    await german_team.send("Do you sell submarines to penguins?")
    await german_team.wait_for_reply()
    await german_team.send("Can I pay with seashells?")
    await german_team.wait_for_reply(2)
    handoff = await _handoff(db, german_team.conversation_id)
    assert handoff is not None and handoff.team_language == "de"
    question, answered, why = handoff.summary.splitlines()
    assert question == (
        "Frage des Besuchers: Do you sell submarines to penguins? … Can I pay with seashells?"
    )
    assert answered.startswith("Antwort der KI: keine passende Antwort (sie schrieb: “")
    assert why == "Übergeben, weil: die KI hat in den Hilfeartikeln keine Antwort gefunden"
    assert reason_words(handoff.reasons, "de") == (
        "die KI hat in den Hilfeartikeln keine Antwort gefunden"
    )
    assert requester_words("visitor", "de") == "Besucher"


def test_reasons_read_as_words_in_the_teams_language() -> None:
    reasons = ["frustration", "prohibited_topic"]
    assert reason_words(reasons, "en", "legal questions") == (
        "the visitor is frustrated; the message is about the handoff topic “legal questions”"
    )
    assert reason_words(["user_requested_human_assistance"], "fr") == (
        "le visiteur a demandé à parler à une personne"
    )
    assert reason_words(["ai_error"], "xx") == "the AI ran into an error"  # English fallback
    assert reason_words([], "en") == "not given"


async def test_the_widget_button_hands_off_as_the_visitor(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    visitor = await _visitor(client, org)
    await visitor.send("Wo ist meine Bestellung 1234?")
    await visitor.wait_for_reply()
    answer = await client.post("/api/widget/v1/handoff", headers=visitor.auth)
    assert answer.status_code == 200, answer.text
    conversation: dict[str, Any] = answer.json()
    assert conversation["state"] == "pending_human"
    handoff = await _handoff(db, conversation["id"])
    assert handoff is not None and handoff.requested_by == "visitor" and handoff.language == "de"

    async def notice() -> bool:
        return any(m["role"] == "system" for m in await visitor.history())

    await wait_for(notice)


def test_an_older_handoff_reads_as_before() -> None:
    older = Handoff(summary="Visitor: Where is my parcel?\nHandoff: frustration", reasons=[])
    assert ticket_subject(older, "Chat with Ada") == "Visitor: Where is my parcel?"
    assert summary_facts(older) == [("Summary", older.summary)]
    assert ticket_subject(Handoff(summary="", question=None), "Chat with Ada") == "Chat with Ada"
    long = Handoff(summary="", question="Why? " * 40)
    assert len(ticket_subject(long, "x")) == 120 and ticket_subject(long, "x").endswith("…")
