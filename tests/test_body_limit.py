"""Request bodies are bounded before any route reads them: a declared size over the limit, a
body streaming past it, and a body that stops arriving are refused, and the server goes on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from relaydesk.settings import LimitSettings

from .support import RunningServer, start_on_fresh_database

LIMITS = LimitSettings(max_body_bytes=64 * 1024, max_upload_bytes=256 * 1024, body_timeout_s=0.5)


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir: Path = tmp_path_factory.mktemp("bounded")
    running = start_on_fresh_database(data_dir, limits=LIMITS)
    yield running
    running.stop()


async def test_a_declared_body_over_the_limit_is_refused_at_once(bounded: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=bounded.base_url) as http:
        answer = await http.post("/hubspot/channel", content=b"x" * (LIMITS.max_body_bytes + 1))
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "body_too_large"


async def test_a_body_streaming_past_the_limit_is_cut_off(bounded: RunningServer) -> None:
    host, port = bounded.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /hubspot/webhooks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"y" * 4096
    for _ in range(LIMITS.max_body_bytes // len(chunk) + 2):  # past the limit, no length declared
        writer.write(b"1000\r\n" + chunk + b"\r\n")
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert status.startswith(b"HTTP/1.1 413")
    async with httpx.AsyncClient(base_url=bounded.base_url) as http:
        assert (await http.get("/healthz")).status_code == 200


async def test_an_upload_has_its_own_larger_limit(bounded: RunningServer) -> None:
    headers = {"authorization": "Bearer nobody"}
    within = {"file": ("a.txt", b"z" * (LIMITS.max_body_bytes * 2), "text/plain")}
    async with httpx.AsyncClient(base_url=bounded.base_url) as http:
        # Past the default limit but within the upload's: the route answers (no such visitor).
        answer = await http.post("/api/widget/v1/uploads", files=within, headers=headers)
    assert answer.status_code == 401
    over = LIMITS.max_upload_bytes + 128 * 1024
    status = await status_for_headers(
        bounded, f"POST /api/widget/v1/uploads HTTP/1.1\r\nContent-Length: {over}\r\n"
    )
    assert status.startswith(b"HTTP/1.1 413")


async def status_for_headers(server: RunningServer, head: str) -> bytes:
    """The status line answering a request whose body is announced but never sent."""
    host, port = server.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        head.encode() + b"Host: x\r\nContent-Type: multipart/form-data; boundary=b\r\n\r\n"
    )
    await writer.drain()
    line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    return line


async def test_a_body_that_stops_arriving_is_given_up(bounded: RunningServer) -> None:
    host, port = bounded.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /hubspot/channel HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"partial":'
    )
    await writer.drain()
    started = time.monotonic()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < 5


async def test_a_chunked_body_is_bounded_in_time_and_read_whole_within_the_limit(
    bounded: RunningServer,
) -> None:
    """A body sent without a length is guarded too: it reaches the route when it completes, and
    is given up when it stops arriving."""
    host, port = bounded.base_url.removeprefix("http://").split(":")
    head = (
        b"POST /api/widget/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    body = b'{"widget_key": "no-such-key"}'
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 404")  # the route read the key: unknown
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(head + b"%x\r\n%s\r\n" % (len(body) - 1, body[:-1]))
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 408")


async def test_a_body_arriving_in_parts_within_the_timeout_is_read_whole(
    bounded: RunningServer,
) -> None:
    """Each part comes well within the timeout of the one before: the route reads the body."""
    host, port = bounded.base_url.removeprefix("http://").split(":")
    body = b'{"widget_key": "no-such-key"}'
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /api/widget/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    for part in (body[:10], body[10:20], body[20:]):
        await writer.drain()
        await asyncio.sleep(LIMITS.body_timeout_s / 5)  # a slow client, not a synchronisation
        writer.write(part)
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 404")  # the route read the key: unknown
