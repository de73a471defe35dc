"""The channel webhook's parser (`relaydesk/hubspot/inbound/parse.py`): a body of one event
with a message is parsed in one pass, and reads as the same event as one parsed the usual way
(escapes, arrays, events without a message, malformed bodies)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from relaydesk.hubspot.inbound.parse import ChannelEvent, MalformedEvent, channel_events

FIXTURES = Path(__file__).parent / "fixtures"


def recorded(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


def test_one_rep_message_reads_as_hubspot_sent_it() -> None:
    event = recorded("OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    body = json.dumps(event).encode()
    [received] = channel_events(body)
    assert received.external_id == f"channel:message:{event['message']['id']}"
    assert received.event_type == "OUTGOING_CHANNEL_MESSAGE_CREATED"
    assert received.text == body.decode()  # what is stored: the event as sent
    assert received.payload == event  # read from the text when asked
    assert received.channel == ChannelEvent.model_validate(event)


def test_escaped_text_and_arrays_read_the_same() -> None:
    event = recorded("OUTGOING_CHANNEL_MESSAGE_CREATED__single")
    event["message"]["text"] = "Caf\u00e9 \u2014 d\u00e9j\u00e0 vu"
    escaped = json.dumps(event).encode()  # ASCII with \\u escapes: parsed the usual way
    raw = json.dumps(event, ensure_ascii=False).encode()  # UTF-8: in one pass
    as_array = json.dumps([event]).encode()
    parsed = [channel_events(body)[0] for body in (escaped, raw, as_array)]
    assert {p.channel.message.text for p in parsed if p.channel and p.channel.message} == {
        "Café — déjà vu"
    }
    assert [p.payload for p in parsed] == [event, event, event]
    assert parsed[0].text == escaped.decode() and parsed[1].text == raw.decode()
    assert parsed[2].text is None  # an array's events are stored one by one, serialized


def test_an_event_without_a_message_is_keyed_by_its_content() -> None:
    event = {"type": "CHANNEL_ACCOUNT_UPDATED", "portalId": "62515", "channelId": "1000"}
    [received] = channel_events(json.dumps(event).encode())
    assert received.external_id.startswith("channel:CHANNEL_ACCOUNT_UPDATED:")
    assert received.payload == event


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"type": "OUTGOING_CHANNEL_MESSAGE_CREATED", "message": {"text": "no id"}}',
         "not a channel event"),
        (b'{"type": "OUTGOING_CHANNEL_MESSAGE_CREATED", "message": {"id": 7}}',
         "not a channel event"),
        (b'{"type": "OUTGOING_CHANNEL_MESSAGE_CREATED", "message": {"id": "1"', "not JSON"),
        (b"[]", "expected an event object"),
    ],
)  # fmt: skip
def test_a_malformed_body_is_refused_with_its_reason(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedEvent, match=reason):
        channel_events(body)
