"""Verifying that a request came from HubSpot: signature v3 (and v1 for older deliveries).

v3 signs `method + uri + body + timestamp` with HMAC-SHA256 and the app's client secret, where
`uri` is the public URL HubSpot called with a fixed set of escapes decoded first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping

MAX_AGE_MS = 5 * 60 * 1000

# The escapes HubSpot decodes before signing; every other escape stays as sent.
_DECODED = {
    "3A": ":", "2F": "/", "3F": "?", "40": "@", "21": "!", "24": "$",
    "27": "'", "28": "(", "29": ")", "2A": "*", "2C": ",", "3B": ";",
}  # fmt: skip


class InvalidSignature(Exception):
    pass


def signed_uri(uri: str) -> str:
    """`uri` with HubSpot's decoding rules applied, in one left-to-right pass."""
    if "%" not in uri:
        return uri
    out: list[str] = []
    i = 0
    while i < len(uri):
        code = uri[i + 1 : i + 3].upper()
        if uri[i] == "%" and code in _DECODED:
            out.append(_DECODED[code])
            i += 3
        else:
            out.append(uri[i])
            i += 1
    return "".join(out)


def signature_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    source = method.upper().encode() + signed_uri(uri).encode() + body + timestamp.encode()
    return base64.b64encode(hmac.digest(secret.encode(), source, "sha256")).decode()


def signature_v1(secret: str, body: bytes) -> str:
    return hashlib.sha256(secret.encode() + body).hexdigest()


def verify_v3(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    headers: Mapping[str, str],
    now_ms: int | None = None,
) -> None:
    """Raises `InvalidSignature` unless the v3 headers match and the timestamp is recent."""
    signature = headers.get("x-hubspot-signature-v3")
    timestamp = headers.get("x-hubspot-request-timestamp", "")
    if not signature or not timestamp.isdigit():
        raise InvalidSignature("missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp")
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now_ms - int(timestamp)) > MAX_AGE_MS:
        raise InvalidSignature("the request timestamp is more than 5 minutes away")
    expected = signature_v3(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise InvalidSignature("signature v3 does not match")


def verify_v1(secret: str, body: bytes, headers: Mapping[str, str]) -> None:
    signature = headers.get("x-hubspot-signature", "")
    if not hmac.compare_digest(signature_v1(secret, body).encode(), signature.encode()):
        raise InvalidSignature("signature v1 does not match")


def verify_signature(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    headers: Mapping[str, str],
    allow_v1: bool = True,
) -> None:
    """v3 when HubSpot sent it, else v1 where HubSpot still sends only v1 (`allow_v1`: a legacy
    app's webhooks); `headers` must look names up case-insensitively. v1 signs neither the URL
    nor a time, so a captured request could be replayed: where HubSpot signs with v3, only v3
    is accepted."""
    if headers.get("x-hubspot-signature-v3"):
        verify_v3(secret, method, uri, body, headers)
    elif headers.get("x-hubspot-signature") and allow_v1:
        verify_v1(secret, body, headers)
    elif headers.get("x-hubspot-signature"):
        raise InvalidSignature("only signature v3 is accepted here")
    else:
        raise InvalidSignature("the request is not signed")
