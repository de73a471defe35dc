"""When a visitor's message says the question is settled, in the languages the AI serves."""

from __future__ import annotations

import pytest

from relaydesk.assistant.resolution import says_resolved

SETTLED = [
    "Thanks, that solved it!",
    "thank you",
    "Perfect, that's all.",
    "ok got it, cheers",
    "Danke, das hat geholfen.",
    "Alles klar, vielen Dank!",
    "Merci, c'est bon.",
    "Gracias, eso es todo",
    "Obrigado, resolvido!",
    "Grazie mille",
    "Bedankt, opgelost",
    "Tack så mycket",
    "Dziękuję!",
    "Kiitos!",
]
STILL_OPEN = [
    "Thanks, but it still doesn't work",
    "thank you, can I also change my address?",
    "Thanks. Another question: do you ship to Norway",
    "Danke, aber das Paket ist noch nicht da",
    "Merci, mais ça ne marche pas",
    "Gracias pero todavía no llega",
    "How long does shipping take?",
    "I'd like to return my order",
    "Thanks for nothing, I have been waiting for two weeks and the parcel never arrived at all",
    "",
]


@pytest.mark.parametrize("text", SETTLED)
def test_settled(text: str) -> None:
    assert says_resolved(text)


@pytest.mark.parametrize("text", STILL_OPEN)
def test_still_open(text: str) -> None:
    assert not says_resolved(text)
