"""A lean HTTP/1.1 client for the HubSpot requests that need no more than a method, a URL with a
query, headers and a JSON, form or bytes body: the request written by hand on a keep-alive
connection (`keepalive.py`, `connection_pool.py`), the response read with httptools.

Through `HubSpotTransport`, httpx cost about 1.4 ms of CPU per PATCH, this path 0.35.
Its answer is an `httpx.Response` and its errors are httpx's, so error translation and callers
cannot tell which client sent a request. Whatever else (uploads, redirects, a proxy from the
environment, a URL httpx would rewrite) stays with httpx: `HubSpotTransport` asks `takes` first.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import re
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit
from urllib.request import getproxies

import httpx

from .connection_pool import Pool
from .keepalive import Answer, Answered, Connection

Origin = tuple[str, str, int]  # scheme, host, port

DEFAULT_PORTS = {"http": 80, "https": 443}
# Not HEAD: its answer's Content-Length describes a body that never comes, which httptools
# cannot be told.
LEAN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
LEAN_ARGUMENTS = frozenset({"params", "headers", "json", "content", "data"})
# A path httpx sends as written: no character it would percent-encode, no dot segment it removes.
PLAIN_PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*")
BODY_METHODS = ("POST", "PUT", "PATCH")  # httpx sends `content-length: 0` when they have none


class Wire:
    """Keep-alive connections per origin (at most `per_origin` each, none reused after
    `idle_s` idle: httpx's limits) and requests over them.

    `timeout` is the httpx client's: `connect` bounds opening a connection (TLS included),
    `read` the quiet between the request and each piece of its response, `pool` the wait for a
    connection. `ssl_context` defaults to the one httpx builds (certifi, or SSL_CERT_FILE)."""

    def __init__(
        self,
        timeout: httpx.Timeout,
        user_agent: str = "relaydesk",
        *,
        ssl_context: ssl.SSLContext | None = None,
        per_origin: int = 100,
        idle_s: float = 5.0,
    ) -> None:
        self.timeout = timeout
        # What the shared httpx client sends on every request (it offers br and zstd too when
        # their packages are installed; gzip and deflate are enough for HubSpot's JSON).
        self.defaults = {
            "accept": "*/*",
            "accept-encoding": "gzip, deflate",
            "connection": "keep-alive",
            "user-agent": user_agent,
        }
        self.ssl_context = ssl_context
        self.per_origin = per_origin
        self.idle_s = idle_s
        self.proxied = proxied_schemes()  # read once, as httpx reads the environment once
        self.pools: dict[Origin, Pool] = {}

    def takes(self, method: str, url: str, kwargs: Mapping[str, Any]) -> bool:
        """Whether this client sends the request itself; anything else is httpx's."""
        if method not in LEAN_METHODS or not LEAN_ARGUMENTS.issuperset(kwargs):
            return False
        for mapping in ("params", "data", "headers"):
            if not isinstance(kwargs.get(mapping) or {}, Mapping):
                return False
        if not isinstance(kwargs.get("content") or b"", bytes | str):
            return False
        route = self._route(url)
        return route is not None and route[0][0] not in self.proxied

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        content: bytes | str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        route = self._route(url)
        if route is None:
            raise ValueError(f"{url}: not a URL this client sends as written")
        origin, host, path = route
        query = query_of(params or {})
        target = f"{path}?{query}" if query else path
        body, fields = body_of(method, json, content, data)
        head = self._head(method, target, host, fields, headers or {})
        answer = await self._exchange(self._pool(origin), head + body)
        return Answered(method, f"{origin[0]}://{host}{target}", answer)

    async def aclose(self) -> None:
        for pool in self.pools.values():
            pool.close()

    def _route(self, url: str) -> tuple[Origin, str, str] | None:
        """The origin, Host header and path of `url`, if httpx would send that path unchanged."""
        split = urlsplit(url)
        scheme, host, path = split.scheme, split.hostname, split.path or "/"
        if scheme not in DEFAULT_PORTS or not host or not host.isascii():
            return None
        if split.username is not None or split.query or split.fragment:
            return None
        if not PLAIN_PATH.fullmatch(path) or "/." in path:
            return None
        port = split.port or DEFAULT_PORTS[scheme]
        netloc = f"[{host}]" if ":" in host else host
        netloc += "" if port == DEFAULT_PORTS[scheme] else f":{port}"
        return (scheme, host, port), netloc, path

    def _head(
        self,
        method: str,
        target: str,
        host: str,
        fields: dict[str, str],
        headers: Mapping[str, str],
    ) -> bytes:
        lines = {"host": host} | self.defaults | fields
        for name, value in headers.items():
            if "\n" in name or "\r" in name or "\n" in value or "\r" in value:
                raise httpx.LocalProtocolError(f"header {name!r}: line breaks are not allowed")
            lines[name.lower()] = value  # the caller's own win, as in httpx
        text = "".join(f"{name}: {value}\r\n" for name, value in lines.items())
        return f"{method} {target} HTTP/1.1\r\n{text}\r\n".encode("ascii")

    def _pool(self, origin: Origin) -> Pool:
        pool = self.pools.get(origin)
        if pool is None:

            async def connect() -> Connection:
                return await self._connect(origin)

            limits = (self.per_origin, self.timeout.pool, self.idle_s)
            pool = self.pools[origin] = Pool(connect, *limits)
        return pool

    async def _connect(self, origin: Origin) -> Connection:
        scheme, host, port = origin
        tls = self._tls() if scheme == "https" else None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.timeout.connect):
                _, connection = await loop.create_connection(
                    Connection, host, port, ssl=tls, server_hostname=host if tls else None
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"{host}:{port} did not answer in time") from exc
        except OSError as exc:  # refused, unreachable, or a certificate that does not verify
            raise httpx.ConnectError(f"{host}:{port}: {exc}") from exc
        return connection

    def _tls(self) -> ssl.SSLContext:
        if self.ssl_context is None:
            self.ssl_context = httpx.create_ssl_context()
        return self.ssl_context

    async def _exchange(self, pool: Pool, request: bytes) -> Answer:
        connection = await pool.acquire()
        try:
            try:
                return await connection.exchange(request, self.timeout.read)
            except (httpx.NetworkError, httpx.RemoteProtocolError):
                if not connection.used or connection.heard:
                    raise
            # A reused connection failed before any answer: the server closed it while it sat
            # idle, most likely without reading the request. Once more on a fresh one; never
            # once an answer began (the transport retries a network error later in any case).
            fresh = await pool.reopen(connection)
            pool.release(connection)
            connection = fresh
            return await connection.exchange(request, self.timeout.read)
        finally:
            pool.release(connection)


def query_of(params: Mapping[str, Any]) -> str:
    """The query string httpx makes of `params` (lists repeat the key, True is `true`)."""
    pairs = []
    for key, value in params.items():
        for item in value if isinstance(value, list | tuple) else (value,):
            pairs.append((str(key), text_of(item)))
    return urlencode(pairs)


def text_of(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else str(value)


def body_of(
    method: str, json: Any, content: bytes | str | None, data: Mapping[str, Any] | None
) -> tuple[bytes, dict[str, str]]:
    """The body and its headers, encoded as httpx encodes them (compact JSON, UTF-8)."""
    if content is not None:
        body = content.encode() if isinstance(content, str) else content
        return body, {"content-length": str(len(body))}
    if data:
        form = query_of(data).encode()  # lists repeat the key here too
        kind = "application/x-www-form-urlencoded"
        return form, {"content-length": str(len(form)), "content-type": kind}
    if json is not None:
        text = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        encoded = text.encode()
        return encoded, {"content-length": str(len(encoded)), "content-type": "application/json"}
    return b"", {"content-length": "0"} if method in BODY_METHODS else {}


def proxied_schemes() -> frozenset[str]:
    """The schemes httpx's `trust_env` would send through a proxy from the environment
    (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY). NO_PROXY is not read: such origins stay on httpx."""
    found = getproxies()
    return frozenset(scheme for scheme in DEFAULT_PORTS if scheme in found or "all" in found)
