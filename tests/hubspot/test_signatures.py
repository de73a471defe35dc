"""HubSpot's request signatures, produced the way the sandbox signs its webhooks."""

from __future__ import annotations

import time

import pytest

from hubspot_sandbox.signatures import v1_headers, v3_headers
from relaydesk.hubspot.api.signatures import InvalidSignature, signed_uri, verify_signature

SECRET = "sandbox-client-secret"
URL = "https://relay.example.com/hubspot/webhooks/abc"
BODY = b'[{"eventId":1,"subscriptionType":"conversation.newMessage"}]'


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def now_ms() -> int:
    return int(time.time() * 1000)


def test_valid_v3_is_accepted() -> None:
    verify_signature(SECRET, "POST", URL, BODY, lower(v3_headers(SECRET, URL, BODY, now_ms())))


@pytest.mark.parametrize(
    ("secret", "url", "body"),
    [
        ("another-secret", URL, BODY),
        (SECRET, URL, BODY.replace(b"1", b"2")),
        (SECRET, URL + "x", BODY),
        (SECRET, "https://evil.example.com/hubspot/webhooks/abc", BODY),
    ],
    ids=["wrong secret", "altered body", "altered path", "altered host"],
)
def test_v3_refuses_what_was_not_signed(secret: str, url: str, body: bytes) -> None:
    headers = lower(v3_headers(SECRET, URL, BODY, now_ms()))
    with pytest.raises(InvalidSignature):
        verify_signature(secret, "POST", url, body, headers)


def test_v3_refuses_a_timestamp_older_than_five_minutes() -> None:
    stale = now_ms() - 5 * 60 * 1000 - 1000
    with pytest.raises(InvalidSignature, match="5 minutes"):
        verify_signature(SECRET, "POST", URL, BODY, lower(v3_headers(SECRET, URL, BODY, stale)))


def test_v3_accepts_four_minutes_old() -> None:
    recent = now_ms() - 4 * 60 * 1000
    verify_signature(SECRET, "POST", URL, BODY, lower(v3_headers(SECRET, URL, BODY, recent)))


def test_v3_refuses_a_missing_signature() -> None:
    with pytest.raises(InvalidSignature):
        verify_signature(SECRET, "POST", URL, BODY, {})


def test_encoded_characters_are_decoded_per_hubspots_rules() -> None:
    assert signed_uri("https://h/p?a=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B") == (
        "https://h/p?a=:/?@!$'()*,;"
    )
    assert signed_uri("https://h/p?a=%20%2B%25%3a") == "https://h/p?a=%20%2B%25:"
    # A decoded "%25" must not combine with what follows into a new escape.
    assert signed_uri("https://h/p?a=%253A") == "https://h/p?a=%253A"


def test_v3_over_a_uri_with_encoded_characters() -> None:
    sent = "https://relay.example.com/hubspot/webhooks/abc?email=jane%40example.com&x=a%2Cb%20c"
    headers = lower(v3_headers(SECRET, sent, BODY, now_ms()))
    verify_signature(SECRET, "POST", sent, BODY, headers)
    # The receiver may see the decoded form of the reserved escapes; the signature still fits.
    seen = "https://relay.example.com/hubspot/webhooks/abc?email=jane@example.com&x=a,b%20c"
    verify_signature(SECRET, "POST", seen, BODY, headers)
    with pytest.raises(InvalidSignature):
        verify_signature(SECRET, "POST", sent.replace("%20", " "), BODY, headers)


def test_v1_is_accepted_and_refused() -> None:
    verify_signature(SECRET, "POST", URL, BODY, lower(v1_headers(SECRET, BODY)))
    with pytest.raises(InvalidSignature):
        verify_signature(SECRET, "POST", URL, BODY + b" ", lower(v1_headers(SECRET, BODY)))
