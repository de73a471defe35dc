"""The widget's words and colours as /config answers them: shipped translations, the
organization's overrides by language and region, and text that reads on the theme colour."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk.models import Organization
from relaydesk.payloads import text_colour_on
from relaydesk.widget_strings import english, keys, shipped, tags_of, widget_texts

from .orgs import make_org

AI_FIRST = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "tr", "da", "fi", "ja", "zh")
AI_FIRST += ("ko", "ru", "ar", "hi", "uk", "cs")


def test_twenty_languages_ship_every_string_with_its_placeholders() -> None:
    assert set(AI_FIRST) <= set(shipped())
    placeholders = {k: set(re.findall(r"\{\w+\}", v)) for k, v in english().items()}
    for language, words in shipped().items():
        assert words.keys() == english().keys(), language
        for key, text in words.items():
            assert text.strip() and set(re.findall(r"\{\w+\}", text)) == placeholders[key]


def organization(**fields: object) -> Organization:
    defaults = {"name": "Northwind", "greeting": english()["greeting"], "strings": {}}
    return Organization(**(defaults | {"widget_title": "", "widget_subtitle": ""} | fields))


def test_overrides_go_language_then_region_and_the_stock_greeting_is_translated() -> None:
    strings = {"send": "Go", "de": {"send": "Los", "end": "Ende"}, "de-at": {"end": "Schluss"}}
    org = organization(strings=strings)
    austrian = widget_texts(org, "de-AT")
    assert (austrian["locale"], austrian["dir"], austrian["title"]) == ("de", "ltr", "Northwind")
    assert austrian["strings"]["send"] == "Los" and austrian["strings"]["end"] == "Schluss"
    assert austrian["strings"]["close"] == "Schließen"  # shipped
    assert austrian["greeting"] == "Hallo! Wie können wir helfen?"
    assert widget_texts(org, "de-DE")["strings"]["end"] == "Ende"
    assert widget_texts(org, "he-IL")["strings"]["send"] == "Go"  # not shipped: English
    assert widget_texts(org, "ar")["dir"] == "rtl"
    assert widget_texts(org, "<script>")["locale"] == "en"
    assert tags_of("pt_BR") == ["pt", "pt-br"]


def test_an_own_greeting_and_title_hold_unless_set_for_the_language() -> None:
    org = organization(
        greeting="Welcome to Northwind!",
        widget_title="Northwind help",
        strings={"fr": {"greeting": "Bienvenue !", "subtitle": "Réponse en une heure"}},
    )
    assert widget_texts(org, "de")["greeting"] == "Welcome to Northwind!"
    french = widget_texts(org, "fr")
    assert (french["greeting"], french["title"], french["subtitle"]) == (
        "Bienvenue !",
        "Northwind help",
        "Réponse en une heure",
    )
    assert keys()[:3] == ("title", "subtitle", "greeting")


@pytest.mark.parametrize(
    ("colour", "text"), [("#2f6fed", "#ffffff"), ("#f5c518", "#000000"), ("#000000", "#ffffff")]
)
def test_text_on_the_theme_colour_reaches_aa(colour: str, text: str) -> None:
    assert text_colour_on(colour) == text


async def test_config_answers_in_the_asked_language_and_refuses_other_origins(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    shop = await make_org(db, origins=["https://shop.example.com"], sample_kb=False)
    url, params = "/api/widget/v1/config", {"widget_key": shop.widget_key, "locale": "es-MX"}
    config = await client.get(url, params=params, headers={"origin": "https://shop.example.com"})
    assert config.status_code == 200
    assert config.json()["strings"]["send"] == "Enviar" and config.json()["locale"] == "es"
    assert config.json()["theme"] == "light" and config.json()["launcher_icon"] == "chat"
    elsewhere = await client.get(url, params=params, headers={"origin": "https://evil.example"})
    assert elsewhere.status_code == 403
    assert elsewhere.json()["error"]["code"] == "origin_not_allowed"
