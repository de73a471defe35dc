"""How HubSpot signs the requests it sends: signature v1 and v3 with the app's client secret."""

from __future__ import annotations

import base64
import hashlib
import hmac

# HubSpot decodes these escapes in the URI before signing (request-validation docs).
DECODED_ESCAPES = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}


def signature_uri(url: str) -> str:
    for escape, char in DECODED_ESCAPES.items():
        url = url.replace(escape, char).replace(escape.lower(), char)
    return url


def sign_v3(secret: str, method: str, url: str, body: bytes, timestamp_ms: int) -> str:
    source = method.encode() + signature_uri(url).encode() + body + str(timestamp_ms).encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_v1(secret: str, body: bytes) -> str:
    return hashlib.sha256(secret.encode() + body).hexdigest()


def v3_headers(secret: str, url: str, body: bytes, timestamp_ms: int) -> dict[str, str]:
    return {
        "X-HubSpot-Signature-v3": sign_v3(secret, "POST", url, body, timestamp_ms),
        "X-HubSpot-Request-Timestamp": str(timestamp_ms),
    }


def v1_headers(secret: str, body: bytes) -> dict[str, str]:
    return {"X-HubSpot-Signature": sign_v1(secret, body), "X-HubSpot-Signature-Version": "v1"}
