"""Small talk, the visitor's language and answers across languages, through the real widget
API: what the AI says is asserted, and that greetings never reach HubSpot."""

from __future__ import annotations

import json

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.assistant.analysis import analyze_lines
from relaydesk.assistant.brain import BrainContext, Turn
from relaydesk.assistant.embedded import EmbeddedBrain
from relaydesk.assistant.language import SUPPORTED
from relaydesk.assistant.wording import (
    ATTACHMENT,
    GOODBYE,
    HANDING_OFF,
    LANGUAGES,
    NO_ANSWER,
    OFFER_PERSON,
    ONLY_IN,
    SENTENCES,
    SMALL_TALK,
    language_names,
    say,
)
from relaydesk.db import commit
from relaydesk.knowledge.chunking import chunk_document
from relaydesk.knowledge.documents import add_document
from relaydesk.knowledge.index import KnowledgeIndex
from relaydesk.knowledge.library import delete_document
from relaydesk.models import Conversation, Handoff, Organization, OutboxJob, Visitor

from .orgs import Org
from .support import WidgetClient

Sessions = async_sessionmaker[AsyncSession]


async def _visitor(client: httpx.AsyncClient, org: Org, locale: str | None = None) -> WidgetClient:
    """A visitor whose browser says `locale` (the widget sends navigator.language)."""
    visitor = WidgetClient(client, org.widget_key)
    body = {"widget_key": org.widget_key, "locale": locale}
    answer = await client.post("/api/widget/v1/sessions", json=body)
    assert answer.status_code == 200, answer.text
    visitor.token = answer.json()["visitor_token"]
    return visitor


async def _say(visitor: WidgetClient, text: str) -> str:
    """Send `text` and return the AI's answer to it."""
    before = len([m for m in await visitor.history()]) if visitor.conversation_id else 0
    sent = await visitor.send(text)
    assert sent.status_code == 201, sent.text
    replies = await visitor.wait_for_reply(count=_ai_count(before) + 1)
    return str(replies[-1]["text"])


def _ai_count(messages: int) -> int:
    return messages // 2  # every visitor message so far got one answer


async def _handed_off(db: Sessions, visitor: WidgetClient) -> bool:
    async with db() as session:
        conversation = await session.get(Conversation, visitor.conversation_id)
        jobs = await session.scalar(
            select(func.count()).where(
                OutboxJob.dedupe_key == f"hubspot.handoff:{visitor.conversation_id}"
            )
        )
        handoffs = await session.scalar(
            select(func.count()).where(Handoff.conversation_id == visitor.conversation_id)
        )
    assert conversation is not None
    return conversation.state != "ai" or bool(jobs) or bool(handoffs)


async def test_greetings_and_thanks_are_answered_in_kind_and_never_hand_off(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    visitor = await _visitor(client, org, "en-US")
    assert await _say(visitor, "Hi") == SMALL_TALK["greeting"]["en"]
    assert await _say(visitor, "Hello?") == SMALL_TALK["presence"]["en"]
    assert await _say(visitor, "thanks") == SMALL_TALK["thanks"]["en"]
    assert await _say(visitor, "ok") == SMALL_TALK["ack"]["en"]
    assert await _say(visitor, "👍") == SMALL_TALK["ack"]["en"]
    assert not await _handed_off(db, visitor)


async def test_small_talk_between_questions_is_no_miss(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    visitor = await _visitor(client, org)
    assert await _say(visitor, "Do you rent out hot air balloons?") == NO_ANSWER["en"]
    await _say(visitor, "Hello?")
    await _say(visitor, "great")
    assert not await _handed_off(db, visitor)  # one miss so far, not three
    await _say(visitor, "Can my parrot sing along to the jingle?")
    assert await _handed_off(db, visitor)  # the second miss in a row


async def test_a_short_message_keeps_the_conversation_then_the_browser_language(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    german = await _visitor(client, org, "de-AT")
    assert await _say(german, "Hello?") == SMALL_TALK["presence"]["de"]
    french = await _visitor(client, org, "en-US")
    await _say(french, "Combien de temps prend la livraison en Belgique ?")
    assert await _say(french, "ok") == SMALL_TALK["ack"]["fr"]
    japanese = await _visitor(client, org)
    assert await _say(japanese, "ありがとうございます") == SMALL_TALK["thanks"]["ja"]
    async with db() as session:
        visitor = await session.scalar(
            select(Visitor).join(Conversation).where(Conversation.id == german.conversation_id)
        )
    assert visitor is not None and visitor.locale == "de-AT"


async def test_a_question_in_a_language_the_knowledge_base_lacks_gets_the_offer_of_a_person(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    visitor = await _visitor(client, org, "de-DE")
    answer = await _say(visitor, "Kann ich mit PayPal bezahlen?")
    sorry = ONLY_IN["de"].format(languages="Englisch")
    assert answer.startswith(f"{sorry} {OFFER_PERSON['de']}")
    assert "PayPal" in answer  # the English article it found, quoted after the sentence
    assert not await _handed_off(db, visitor)

    assert await _say(visitor, "ja bitte") == HANDING_OFF["de"]
    async with db() as session:
        handoff = await session.scalar(
            select(Handoff).where(Handoff.conversation_id == visitor.conversation_id)
        )
    assert handoff is not None and handoff.language == "de"
    assert handoff.reasons == ["user_requested_human_assistance"]


async def test_a_german_article_answers_a_german_visitor(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    async with db() as session:
        organization = await session.get(Organization, org.id)
        assert organization is not None
        doc = await add_document(
            session,
            organization,
            "Versand",
            "# Versand\n\nDer Versand innerhalb Deutschlands dauert zwei bis drei Werktage.",
        )
        await commit(session)
    assert doc.language == "de"
    visitor = await _visitor(client, org)
    answer = await _say(visitor, "Wie lange dauert der Versand?")
    assert "zwei bis drei Werktage" in answer
    english = await _visitor(client, org)
    assert "3 to 5 business days" in await _say(english, "How long does shipping take?")


async def test_an_article_is_answered_from_while_it_exists_and_not_after_its_deletion(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    """The server keeps each organization's index, with its postings and per-language lists,
    until the knowledge base's version moves: the next question sees the change."""
    question = "Do you sell submarines?"
    assert await _say(await _visitor(client, org), question) == say(NO_ANSWER, "en")
    async with db() as session:
        organization = await session.get_one(Organization, org.id)
        doc = await add_document(
            session, organization, "Submarines", "# Submarines\n\nWe sell yellow submarines."
        )
        await commit(session)
    assert "yellow submarines" in await _say(await _visitor(client, org), question)
    async with db() as session:
        await delete_document(session, await session.get_one(Organization, org.id), doc.id)
        await commit(session)
    assert await _say(await _visitor(client, org), question) == say(NO_ANSWER, "en")


async def test_a_file_without_words_is_acknowledged() -> None:
    index = KnowledgeIndex(chunk_document("Shipping", "Parcels take 3 days.", "en"))
    context = BrainContext("org", [Turn("visitor", "Guten Morgen"), Turn("visitor", "")], index)
    reply = await EmbeddedBrain().reply(context)
    assert reply.text == say(ATTACHMENT, "de") and reply.handoff is None


def test_every_sentence_exists_in_all_thirty_languages() -> None:
    assert sorted(LANGUAGES) == sorted(SUPPORTED) and len(LANGUAGES) == 30
    for key, table in SENTENCES.items():
        assert sorted(table) == sorted(LANGUAGES), key
        assert all(text.strip() for text in table.values()), key
    assert GOODBYE["ko"] and language_names(["en", "de"], "fr") == "anglais, allemand"
    assert all("{languages}" in text for text in ONLY_IN.values())


def test_relaydesk_ai_analyze_says_what_is_small_talk() -> None:
    lines = ["Hi", "Does your privacy officer have an email address?", "ok"]
    found = [json.loads(line) for line in analyze_lines(lines, locale="de-DE")]
    assert [f["small_talk"] for f in found] == [True, False, True]
    assert [f["language"] for f in found] == ["de", "en", "de"]
    assert not any(f["handoff_requested"] for f in found)
    in_a_row = [json.loads(line) for line in analyze_lines(lines, conversation=True)]
    assert in_a_row[2]["language"] == "en"  # "ok" keeps the conversation's English


async def test_the_person_button_before_a_word_answers_in_the_browsers_language(
    client: httpx.AsyncClient, org: Org, db: Sessions
) -> None:
    spanish = await _visitor(client, org, "es-MX")
    asked = await client.post("/api/widget/v1/handoff", headers=spanish.auth)
    assert asked.status_code == 200, asked.text
    async with db() as session:
        handoff = await session.scalar(
            select(Handoff).where(Handoff.conversation_id == asked.json()["id"])
        )
    assert handoff is not None and handoff.language == "es"
