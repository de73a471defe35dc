"""Each HTTP answer leaves in one write: uvicorn's httptools protocol writes a response's status
line and headers as soon as the app starts the response, and the body when the app sends it, so
a small JSON answer cost two syscalls and two TCP segments (about 40 µs of server CPU on a rep's
reply, measured). Here the writes are held and leave together when the answer is complete, or
at the end of the event loop's pass for one still being sent (a stream, a file): an answer whose
body follows its start (every `Response`) is one write. A connection upgraded to a WebSocket
writes straight through, as before."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class OneWriteTransport(asyncio.Transport):
    """The connection's transport, with writes held until the loop's next pass."""

    def __init__(self, transport: asyncio.Transport) -> None:
        super().__init__()
        self._transport = transport
        self._held: list[bytes | bytearray | memoryview] = []
        self._through = False  # upgraded: its protocol writes frames as they come
        self._loop = asyncio.get_running_loop()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._through:
            self._transport.write(data)
            return
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(data)

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """What was held goes out, unless the connection went away meanwhile (as a write to a
        lost connection would have been dropped)."""
        held, self._held = self._held, []
        if held and not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held = []
        self._transport.abort()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        """Only an upgrade sets another protocol: from then on writes are not held."""
        self.flush()
        self._through = True
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(d) for d in self._held)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)


class OneWriteHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol over a `OneWriteTransport` (`uvicorn.run(..., http=...)`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.one_write = OneWriteTransport(transport)
        super().connection_made(self.one_write)

    def on_response_complete(self) -> None:
        """The answer is whole: it leaves now, not after what the app's task does next (a
        background task runs before the task's next wait)."""
        self.one_write.flush()
        super().on_response_complete()
