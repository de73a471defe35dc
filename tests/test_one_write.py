"""An answer's head and body leave the server in one write (one TCP segment for a small answer),
and every kind of answer still arrives whole: several on one connection, a file, a large
document, one that closes the connection, a WebSocket's frames after the upgrade."""

from __future__ import annotations

import json
import socket
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from relaydesk.web.app import STATIC
from relaydesk.web.widget_ws import UNAUTHORIZED

from .support import RunningServer, start_on_fresh_database


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir: Path = tmp_path_factory.mktemp("one_write")
    server = start_on_fresh_database(data_dir)
    yield server
    server.stop()


def connect(server: RunningServer) -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def exchange(sock: socket.socket, request: bytes) -> tuple[bytes, dict[str, str], bytes]:
    """Send one request, read its answer by its Content-Length: (status line, headers, body)."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        data += received(sock)
    head, body = data.split(b"\r\n\r\n", 1)
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    while len(body) < int(headers["content-length"]):
        body += received(sock)
    return status.encode(), headers, body


def received(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    assert chunk, "the server closed the connection mid-answer"
    return chunk


def segments_in(sock: socket.socket) -> int:
    """TCP segments this socket has received (Linux `tcp_info.tcpi_segs_in`)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    return int(struct.unpack_from("I", info, 140)[0])


@pytest.mark.skipif(sys.platform != "linux", reason="reads Linux's TCP_INFO")
def test_a_small_answer_arrives_in_one_segment(running: RunningServer) -> None:
    webhook = b"POST /hubspot/channel HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n[]"
    counts = []
    with connect(running) as sock:
        for _ in range(6):
            before = segments_in(sock)
            status, headers, body = exchange(sock, webhook)
            counts.append(segments_in(sock) - before)
            assert status == b"HTTP/1.1 401 Unauthorized"
            assert headers["x-content-type-options"] == "nosniff"
            assert json.loads(body)["error"]["code"] == "invalid_signature"
    # The first answer may come with the connection's first acknowledgement.
    assert sorted(counts[1:])[2] == 1, counts


def test_answers_on_one_connection_stay_whole(running: RunningServer) -> None:
    css = (STATIC / "admin.css").read_bytes()
    with connect(running) as sock:
        status, _, body = exchange(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (status, json.loads(body)) == (b"HTTP/1.1 200 OK", {"status": "ok"})
        status, headers, body = exchange(sock, b"GET /static/admin.css HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (status, body) == (b"HTTP/1.1 200 OK", css)
        assert headers["x-content-type-options"] == "nosniff"
        status, _, body = exchange(sock, b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n")
        assert len(body) > 32 * 1024  # a large answer, written at once
        assert json.loads(body)["info"]["title"] == "relaydesk"
        status, _, body = exchange(sock, b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == b"HTTP/1.1 404 Not Found"
        assert json.loads(body)["error"]["code"] == "not_found"


def test_an_answer_that_closes_the_connection_arrives_before_the_close(
    running: RunningServer,
) -> None:
    with connect(running) as sock:
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        status, headers, body = exchange(sock, request)
        assert (status, headers["connection"]) == (b"HTTP/1.1 200 OK", "close")
        assert json.loads(body) == {"status": "ok"}
        assert sock.recv(1) == b""


def test_an_answer_leaves_before_what_its_task_does_next(running: RunningServer) -> None:
    """A background task runs in the answer's task once the body is sent; one that holds the
    event loop (as synchronous work before its first wait does) does not hold the answer."""
    holding_s = 1.0

    async def hold_the_loop() -> None:
        until = time.monotonic() + holding_s
        while time.monotonic() < until:  # work that does not wait
            pass

    async def answer_then_work(request: Request) -> Response:
        return JSONResponse({"done": True}, background=BackgroundTask(hold_the_loop))

    running.app.router.routes.insert(0, Route("/test/answer-then-work", answer_then_work))
    with connect(running) as sock:
        started = time.monotonic()
        status, _, body = exchange(sock, b"GET /test/answer-then-work HTTP/1.1\r\nHost: x\r\n\r\n")
        answered_s = time.monotonic() - started
    assert (status, json.loads(body)) == (b"HTTP/1.1 200 OK", {"done": True})
    assert answered_s < holding_s / 2


async def test_a_websocket_works_after_the_upgrade(running: RunningServer) -> None:
    async with websockets.connect(running.ws_url + "/api/widget/v1/ws?token=nobody") as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == UNAUTHORIZED
    async with httpx.AsyncClient(base_url=running.base_url) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
