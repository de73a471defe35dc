"""A keep-alive HTTP/1.1 connection: an asyncio protocol that writes a request and reads its
response with httptools, one exchange at a time (`connection_pool.py` holds them per origin),
and the `httpx.Response` made of what it read.

Errors are httpx's (`ReadTimeout`, `ReadError`, `RemoteProtocolError`...), so the transport
above translates them as it does httpx's own.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import cast

import httptools
import httpx


@dataclass
class Answer:
    """One response as read; `keep_alive` says whether its connection may carry another."""

    status: int
    version: bytes
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    keep_alive: bool


class Answered(httpx.Response):
    """The `httpx.Response` httpx would have made of an `Answer` (gzip and deflate decoded by
    it). Its `request` is built when first asked for (`raise_for_status`, an error's message):
    that parses the URL again, which cost three times what the rest of the response did."""

    def __init__(self, method: str, url: str, answer: Answer) -> None:
        super().__init__(
            answer.status,
            headers=answer.headers,
            stream=httpx.ByteStream(answer.body),
            extensions={"http_version": answer.version, "reason_phrase": answer.reason},
        )
        self.sent = (method, url)
        try:
            self.read()
        except httpx.DecodingError as exc:  # httpx names the request on it
            exc.request = self.request
            raise

    @property
    def request(self) -> httpx.Request:
        if self._request is None:
            self._request = httpx.Request(*self.sent)
        return self._request

    @request.setter
    def request(self, value: httpx.Request) -> None:
        self._request = value

    def raise_for_status(self) -> httpx.Response:
        self._request = self.request  # httpx's reads the attribute, not the property
        return super().raise_for_status()


class Connection(asyncio.Protocol):
    """One connection, one exchange at a time; httptools calls the `on_*` methods while parsing."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.open = True  # until either side closes it or an answer says so
        self.used = False  # has carried a whole exchange: a later failure may be staleness
        self.heard = False  # a byte of the current response arrived: never resend then
        self.answer: asyncio.Future[Answer] | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.reason = b""
        self.headed = False  # the status line and headers are in
        self.framed = False  # Content-Length or chunked; otherwise the body runs to the close
        self.last_read = 0.0
        self.idle_until = 0.0  # when the pool stops reusing it
        self.timer: asyncio.TimerHandle | None = None

    async def exchange(self, request: bytes, read_s: float | None) -> Answer:
        """Write `request` and wait for its response, no longer than `read_s` between reads."""
        if not self.open or self.transport is None or self.transport.is_closing():
            raise httpx.RemoteProtocolError("the connection was closed before the request")
        self.answer = self.loop.create_future()
        self.heard = self.headed = self.framed = False
        self.headers, self.body = [], []
        self.transport.write(request)
        self.last_read = self.loop.time()
        if read_s is not None:
            self.timer = self.loop.call_later(read_s, self._check_read, read_s)
        try:
            answer = await self.answer
        except BaseException:
            self.close()  # cancelled or failed half way: what is left on the wire is unknown
            raise
        finally:
            if self.timer is not None:
                self.timer.cancel()
        self.used = True
        self.open = self.open and answer.keep_alive
        if not self.open:
            self.close()
        return answer

    def close(self) -> None:
        self.open = False
        if self.transport is not None:
            self.transport.close()

    def _check_read(self, read_s: float) -> None:
        # One timer per exchange, moved on only when it fires: cheaper than a timer per read.
        quiet_s = self.loop.time() - self.last_read
        if quiet_s < read_s:
            self.timer = self.loop.call_later(read_s - quiet_s, self._check_read, read_s)
        else:
            self._fail(httpx.ReadTimeout(f"no answer within {read_s:g} s"))

    def _fail(self, error: Exception) -> None:
        self.open = False
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(error)

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not `asyncio.Transport` subclasses, but have its methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.answer is None or self.answer.done():
            self.close()  # bytes nobody asked for: the connection's state is unknown
            return
        self.heard = True
        self.last_read = self.loop.time()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"unreadable response: {exc}"))
            self.close()

    def eof_received(self) -> bool:
        return False  # the transport closes itself; connection_lost finishes the answer

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if self.answer is None or self.answer.done():
            return
        if self.headed and not self.framed and exc is None:
            self.on_message_complete()  # a body that ran to the close
        elif exc is not None:
            self._fail(httpx.ReadError(f"the connection broke: {exc!r}"))
        elif not self.heard:
            self._fail(httpx.RemoteProtocolError("Server disconnected without sending a response."))
        else:
            self._fail(httpx.RemoteProtocolError("the server closed the connection mid-response"))

    # httptools callbacks

    def on_status(self, reason: bytes) -> None:
        self.reason = reason

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self.framed = True
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.headed = True

    def on_body(self, chunk: bytes) -> None:
        self.body.append(chunk)

    def on_message_complete(self) -> None:
        status = self.parser.get_status_code()
        if status < 200:  # 1xx: informational, the real answer follows
            self.headers, self.body, self.headed, self.framed = [], [], False, False
            return
        keep_alive = self.open and self.parser.should_keep_alive()  # False for read-to-close
        version = f"HTTP/{self.parser.get_http_version()}".encode()
        body = b"".join(self.body)
        answer = Answer(status, version, self.reason, self.headers, body, keep_alive)
        if self.answer is not None and not self.answer.done():
            self.answer.set_result(answer)
        self.headers, self.body = [], []  # the answer's own; anything after it is not read
