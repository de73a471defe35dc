"""The lean HTTP/1.1 client under `HubSpotTransport`, over real sockets: it sends what httpx sends,
keeps connections alive and replaces one the server closed, reads chunked, gzip and
read-to-close bodies, times out as httpx does, verifies TLS, and leaves proxied origins to httpx."""

from __future__ import annotations

import asyncio
import gzip
import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from relaydesk.hubspot.api.client import HubSpotClient
from relaydesk.hubspot.api.errors import Unavailable
from relaydesk.hubspot.api.integration import HubSpot
from relaydesk.hubspot.api.ratelimit import create_portal_limiter
from relaydesk.hubspot.api.transport import HubSpotTransport, RetryPolicy
from relaydesk.hubspot.api.wire import Wire
from relaydesk.settings import HubSpotSettings
from tests.support import free_port, wait_for

from .origin import Origin, Seen, certificate_authority, json_ok, reply, serving

TIMEOUT = httpx.Timeout(2.0, connect=2.0)
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/crm/v3/objects/contacts/a%40b.c", {"params": {"idProperty": "email"}}),
    ("GET", "/files/v3/files/search", {"params": {"name": "ä b+c&d=e/f", "limit": "10"}}),
    ("GET", "/x", {"params": {"ids": ["1", "2"], "archived": False, "empty": None}}),
    ("GET", "/x", {"params": {}}),
    ("PATCH", "/conversations/v3/custom-channels/1/messages/2", {"json": {"status": "SENT"}}),
    ("POST", "/crm/v3/objects/notes", {"json": {"text": "héllo \u2603", "n": [1, 2.5, None]}}),
    ("POST", "/oauth/v1/token", {"data": {"grant_type": "code", "redirect_uri": "http://h/p?q=1"}}),
    ("PUT", "/crm/v4/objects/contact/1/associations/default/ticket/2", {}),
    ("POST", "/raw", {"content": b"\x00\x01bytes"}),
    ("DELETE", "/x/1", {"headers": {"X-Custom": "1", "user-agent": "caller's own"}}),
]


def the_same(seen: Seen) -> tuple[str, str, bytes, dict[str, str]]:
    return seen.method, seen.target, seen.body, seen.headers


async def test_the_lean_client_sends_what_httpx_sends() -> None:
    origin = Origin()
    async with serving(origin) as base_url:
        wire = Wire(TIMEOUT)
        async with httpx.AsyncClient(timeout=TIMEOUT, headers={"User-Agent": "relaydesk"}) as http:
            for method, path, arguments in CALLS:
                kwargs = dict(arguments)
                headers = {"Authorization": "Bearer t"} | kwargs.pop("headers", {})
                assert wire.takes(method, base_url + path, kwargs)
                await http.request(method, base_url + path, headers=headers, **kwargs)
                await wire.request(method, base_url + path, headers=headers, **kwargs)
        await wire.aclose()
    assert len(origin.seen) == 2 * len(CALLS)
    for by_httpx, by_wire in zip(origin.seen[::2], origin.seen[1::2], strict=True):
        assert the_same(by_wire) == the_same(by_httpx)
    assert {seen.connection for seen in origin.seen[1::2]} == {2}  # one kept-alive connection


def test_what_stays_with_httpx() -> None:
    wire = Wire(TIMEOUT)
    url = "http://127.0.0.1:9/files/v3/files"
    assert wire.takes("GET", url, {"params": {"a": "b"}})
    assert not wire.takes("POST", url, {"data": {"a": "b"}, "files": {"file": b"x"}})
    assert not wire.takes("GET", url, {"follow_redirects": True})
    assert not wire.takes("HEAD", url, {})
    assert not wire.takes("GET", url + "/a b", {})  # httpx would percent-encode the space
    assert not wire.takes("GET", url + "/../x", {})  # and remove the dot segment
    assert not wire.takes("GET", "http://user:pw@127.0.0.1:9/x", {})


async def test_requests_wait_in_order_for_the_only_connection() -> None:
    origin = Origin()
    async with serving(origin) as base_url:
        wire = Wire(TIMEOUT, per_origin=1)
        calls = [wire.request("GET", f"{base_url}/call/{n}") for n in range(5)]
        answers = await asyncio.gather(*calls)
        await wire.aclose()
    assert [a.json() for a in answers] == [{"ok": True}] * 5
    assert [(seen.connection, seen.target) for seen in origin.seen] == [
        (1, f"/call/{n}") for n in range(5)
    ]


async def test_a_caller_waits_no_longer_than_the_pool_timeout() -> None:
    gate = asyncio.Event()

    async def held(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        await gate.wait()
        return await json_ok(seen, writer)

    origin = Origin(held)
    async with serving(origin) as base_url:
        wire = Wire(httpx.Timeout(5.0, pool=0.1), per_origin=1)
        first = asyncio.create_task(wire.request("GET", base_url + "/held"))
        await wait_for(lambda: origin.seen, timeout=5)
        with pytest.raises(httpx.PoolTimeout):
            await wire.request("GET", base_url + "/behind")
        gate.set()
        assert (await first).json() == {"ok": True}
        assert (await wire.request("GET", base_url + "/after")).json() == {"ok": True}
        await wire.aclose()
    assert [(s.connection, s.target) for s in origin.seen] == [(1, "/held"), (1, "/after")]


async def test_a_connection_the_server_closed_while_idle_is_not_a_failure() -> None:
    async def close_after_answering(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        await json_ok(seen, writer)
        return False  # no `connection: close`: the client learns only from the socket

    origin = Origin(close_after_answering)
    async with serving(origin) as base_url:
        wire = Wire(TIMEOUT)
        for _ in range(3):
            assert (await wire.request("GET", base_url + "/again")).json() == {"ok": True}
        await wire.aclose()
    assert [seen.connection for seen in origin.seen] == [1, 2, 3]


async def test_a_connection_idle_too_long_is_not_reused() -> None:
    origin = Origin()
    async with serving(origin) as base_url:
        wire = Wire(TIMEOUT, idle_s=0.0)  # httpx's 5 s, shortened
        for _ in range(2):
            await wire.request("GET", base_url + "/x")
        await wire.aclose()
    assert [seen.connection for seen in origin.seen] == [1, 2]


async def test_a_request_lost_on_a_reused_connection_is_sent_once_more() -> None:
    async def drop_the_second(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if seen.target == "/second" and seen.connection == 1:
            return False  # closed as the request arrived: an idle timeout's race
        return await json_ok(seen, writer)

    origin = Origin(drop_the_second)
    async with serving(origin) as base_url:
        wire = Wire(TIMEOUT)
        await wire.request("GET", base_url + "/first")
        second = await wire.request("POST", base_url + "/second", json={"n": 1})
        await wire.aclose()
    assert second.json() == {"ok": True}
    assert [(s.connection, s.target) for s in origin.seen] == [
        (1, "/first"),
        (1, "/second"),
        (2, "/second"),
    ]


async def test_no_request_is_sent_again_once_its_answer_began() -> None:
    async def break_the_second(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if seen.target == "/second":
            writer.write(b'HTTP/1.1 200 OK\r\ncontent-length: 20\r\n\r\n{"ok"')
            return False
        return await json_ok(seen, writer)

    origin = Origin(break_the_second)
    async with serving(origin) as base_url:
        wire = Wire(TIMEOUT)
        await wire.request("GET", base_url + "/first")
        with pytest.raises(httpx.RemoteProtocolError):
            await wire.request("POST", base_url + "/second", json={"n": 1})
        await wire.aclose()
    assert [s.target for s in origin.seen] == ["/first", "/second"]


async def test_a_fresh_connection_closed_without_an_answer_is_not_retried() -> None:
    async def hang_up(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        return False

    origin = Origin(hang_up)
    async with serving(origin) as base_url:
        wire = Wire(TIMEOUT)
        with pytest.raises(httpx.RemoteProtocolError):
            await wire.request("GET", base_url + "/once")
        await wire.aclose()
    assert len(origin.seen) == 1


async def test_chunked_gzip_and_read_to_close_bodies() -> None:
    packed = gzip.compress(b'{"packed":true}')

    async def bodies(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if seen.target == "/chunked":
            writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            for piece in (b'{"chunks":', b"[1,2,", b"3]}"):
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
            return True
        if seen.target == "/gzip":
            writer.write(reply(packed, "content-encoding: gzip"))
            return True
        writer.write(b'HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n{"until":"close"}')
        return False

    origin = Origin(bodies)
    async with serving(origin) as base_url:
        wire = Wire(TIMEOUT)
        chunked = await wire.request("GET", base_url + "/chunked")
        unpacked = await wire.request("GET", base_url + "/gzip")
        to_close = await wire.request("GET", base_url + "/close")
        after = await wire.request("GET", base_url + "/chunked")
        await wire.aclose()
    assert chunked.json() == after.json() == {"chunks": [1, 2, 3]}
    assert unpacked.json() == {"packed": True}
    assert to_close.json() == {"until": "close"}
    assert [s.connection for s in origin.seen] == [1, 1, 1, 2]


async def test_a_body_that_does_not_decode_fails_as_in_httpx() -> None:
    async def broken(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        writer.write(reply(b"not gzip at all", "content-encoding: gzip"))
        return True

    origin = Origin(broken)
    async with serving(origin) as base_url:
        wire = Wire(TIMEOUT)
        with pytest.raises(httpx.DecodingError) as raised:
            await wire.request("GET", base_url + "/broken")
        await wire.aclose()
    assert raised.value.request.url == base_url + "/broken"


async def test_a_status_line_and_repeated_headers_arrive_as_httpx_gives_them() -> None:
    async def refuse(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        body = b'{"message":"nope"}'
        writer.write(reply(body, "set-cookie: a=1", "set-cookie: b=2", status="409 Conflict"))
        return True

    origin = Origin(refuse)
    async with serving(origin) as base_url:
        wire = Wire(TIMEOUT)
        answer = await wire.request("GET", base_url + "/conflict")
        await wire.aclose()
    assert (answer.status_code, answer.reason_phrase, answer.http_version) == (
        409,
        "Conflict",
        "HTTP/1.1",
    )
    assert answer.headers.get_list("set-cookie") == ["a=1", "b=2"]
    with pytest.raises(httpx.HTTPStatusError) as raised:
        answer.raise_for_status()
    assert raised.value.response is answer and f"for url '{base_url}/conflict'" in str(raised.value)
    assert answer.request.method == "GET" and answer.request.url == base_url + "/conflict"


def transport(base_url: str, wire: Wire) -> HubSpotTransport:
    limiter = create_portal_limiter(None, 100)
    return HubSpotTransport(httpx.AsyncClient(), base_url, limiter, RetryPolicy(attempts=1), wire)


async def test_a_server_that_does_not_answer_in_time_is_unavailable() -> None:
    gate = asyncio.Event()

    async def never(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        await gate.wait()
        return False

    async with serving(Origin(never)) as base_url:
        wire = Wire(httpx.Timeout(0.2, connect=2.0))
        sender = transport(base_url, wire)
        with pytest.raises(Unavailable) as raised:
            call = sender.request("PATCH", "/slow", portal=None, json={"status": "SENT"})
            await asyncio.wait_for(call, 10)  # a client that waits forever fails here
        gate.set()
        await wire.aclose()
        await sender.http.aclose()
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)


async def test_a_refused_connection_is_unavailable() -> None:
    sender = transport(f"http://127.0.0.1:{free_port()}", Wire(TIMEOUT))
    with pytest.raises(Unavailable) as raised:
        await sender.request("GET", "/nobody", portal=None)
    await sender.http.aclose()
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


async def test_tls_is_verified_against_the_ca_given(tmp_path: Path) -> None:
    server_tls, ca_pem = certificate_authority(tmp_path)
    origin = Origin()
    async with serving(origin, server_tls) as base_url:
        trusting = Wire(TIMEOUT, ssl_context=ssl.create_default_context(cadata=ca_pem))
        answers = [await trusting.request("GET", base_url + "/secure") for _ in range(2)]
        await trusting.aclose()
        stranger = Wire(TIMEOUT)  # httpx's trust store: certifi's CAs, not the test's
        with pytest.raises(httpx.ConnectError):
            await stranger.request("GET", base_url + "/secure")
    assert [a.json() for a in answers] == [{"ok": True}] * 2
    assert [s.connection for s in origin.seen] == [1, 1]


async def test_a_proxy_from_the_environment_gets_the_requests_through_httpx(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = Origin()
    hubspot_url = f"http://127.0.0.1:{free_port()}"  # nobody listens: only the proxy answers
    async with serving(proxy) as proxy_url:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        hubspot = HubSpot.build(HubSpotSettings(base_url=hubspot_url), retry=RetryPolicy(1))
        answer = await hubspot.transport.request("GET", "/proxied", portal=None)
        await hubspot.close()
    assert answer.json() == {"ok": True}
    assert [s.target for s in proxy.seen] == [hubspot_url + "/proxied"]


async def test_portal_calls_go_over_the_lean_client(
    hubspot: HubSpot, portal: HubSpotClient
) -> None:
    assert hubspot.wire is not None
    await portal.list_inboxes()
    await portal.account_details()
    (pool,) = hubspot.wire.pools.values()
    assert (pool.count, len(pool.idle)) == (1, 1)


SCENARIOS = {
    "encoding": lambda tmp_path: test_the_lean_client_sends_what_httpx_sends(),
    "idle close": lambda tmp_path: (
        test_a_connection_the_server_closed_while_idle_is_not_a_failure()
    ),
    "resent once": lambda tmp_path: test_a_request_lost_on_a_reused_connection_is_sent_once_more(),
    "bodies": lambda tmp_path: test_chunked_gzip_and_read_to_close_bodies(),
    "timeout": lambda tmp_path: test_a_server_that_does_not_answer_in_time_is_unavailable(),
    "tls": test_tls_is_verified_against_the_ca_given,
}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_same_on_uvloop(scenario: str, tmp_path: Path) -> None:
    """uvicorn runs relaydesk on uvloop, whose transports are not asyncio's classes."""
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(SCENARIOS[scenario](tmp_path))
