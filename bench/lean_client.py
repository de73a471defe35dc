"""A bench client that costs the machine little: HTTP/1.1 keep-alive and a WebSocket, each on one
asyncio stream of its own, written and read by hand.

The round trip puts the client on the same 2 cores as the server. A general-purpose client
(httpx with a pool of 200 connections, the websockets library) spent about three times the
server's CPU per message there, so the server waited on its client. This one knows only what
the benchmarks ask of it: a request with a body that comes back with a Content-Length, and
unfragmented frames from a server (pings answered).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
from typing import Any
from urllib.parse import urlsplit

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class LeanError(RuntimeError):
    """The server answered something this client does not read."""


class Http:
    """One keep-alive connection; one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def connect(cls, base_url: str) -> Http:
        url = urlsplit(base_url)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        return cls(reader, writer, url.netloc)

    async def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        """POST `body` as JSON; the answer's JSON (None when empty). A status ≥ 400 raises."""
        data = json.dumps(body).encode()
        lines = [
            f"POST {path} HTTP/1.1",
            f"host: {self.host}",
            "content-type: application/json",
            f"content-length: {len(data)}",
            *(f"{name}: {value}" for name, value in (headers or {}).items()),
        ]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
        status, answer = await self._response()
        if status >= 400:
            raise LeanError(f"POST {path}: {status} {answer[:200]!r}")
        return json.loads(answer) if answer else None

    async def _response(self) -> tuple[int, bytes]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *fields = head.decode("latin-1").split("\r\n")
        length = None
        for field in fields:
            name, _, value = field.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding":
                raise LeanError("a chunked answer: this client reads only Content-Length")
        body = await self.reader.readexactly(length) if length else b""
        return int(status_line.split(" ", 2)[1]), body

    def close(self) -> None:
        self.writer.close()


class Socket:
    """A WebSocket client: text frames in, pongs and a close out."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, ws_url: str) -> Socket:
        url = urlsplit(ws_url)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        key = base64.b64encode(os.urandom(16)).decode()
        target = url.path + (f"?{url.query}" if url.query else "")
        writer.write(
            f"GET {target} HTTP/1.1\r\nhost: {url.netloc}\r\nupgrade: websocket\r\n"
            f"connection: Upgrade\r\nsec-websocket-key: {key}\r\n"
            "sec-websocket-version: 13\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            status_line = head.split(b"\r\n", 1)[0]
            raise LeanError(f"no upgrade: {status_line!r}")
        return cls(reader, writer)

    async def recv(self) -> Any:
        """The next text frame as JSON."""
        while True:
            opcode, payload = await self._frame()
            if opcode == TEXT:
                return json.loads(payload)
            if opcode == PING:
                self._send(PONG, payload)
            elif opcode == CLOSE:
                raise LeanError("the server closed the socket")

    async def _frame(self) -> tuple[int, bytes]:
        first, second = await self.reader.readexactly(2)
        if not first & 0x80:
            raise LeanError("a fragmented frame: this client reads only whole ones")
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
        return first & 0x0F, await self.reader.readexactly(length)

    def _send(self, opcode: int, payload: bytes) -> None:
        """A client's frames are masked (RFC 6455 5.3); payloads here are under 126 bytes."""
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def close(self) -> None:
        self._send(CLOSE, struct.pack("!H", 1000))
        self.writer.close()
