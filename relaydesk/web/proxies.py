"""The client's address and scheme behind a reverse proxy, believed only from proxies the
operator named (`trusted_proxies`). Everything keyed on an address (rate limits, sign-in
throttling) reads `scope["client"]`, which this sets; from any other peer a forwarded header is
ignored, so a client cannot pick its own address."""

from __future__ import annotations

from collections.abc import Awaitable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network


def networks(trusted: list[str]) -> tuple[Network, ...]:
    """The trusted proxies as networks; an entry that is neither an address nor a network is a
    configuration error, raised at start-up."""
    return tuple(ip_network(entry.strip(), strict=False) for entry in trusted if entry.strip())


def is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def forwarded_client(peer: str, header: str, trusted: tuple[Network, ...]) -> str:
    """The rightmost address not of a trusted proxy: what the nearest untrusted hop reported.
    Entries further left were written by the client and could be anything."""
    hops = [peer] + [h.strip() for h in reversed(header.split(",")) if h.strip()]
    for hop in hops:
        if not is_trusted(hop, trusted):
            return hop
    return hops[-1]


class TrustedProxies:
    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine: no frame of this layer is held for a WebSocket's whole life.
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and self.trusted:
            if is_trusted(client[0], self.trusted):
                headers = Headers(scope=scope)
                forwarded = headers.get("x-forwarded-for")
                scope = dict(scope)
                if forwarded:
                    scope["client"] = (forwarded_client(client[0], forwarded, self.trusted), 0)
                proto = headers.get("x-forwarded-proto", "").strip().lower()
                if proto in ("http", "https"):
                    ws = scope["type"] == "websocket"
                    scope["scheme"] = {"http": "ws", "https": "wss"}[proto] if ws else proto
        return self.app(scope, receive, send)
