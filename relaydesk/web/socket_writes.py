"""A published frame written to its socket at once, in the publisher's own step.

Through ASGI a frame is a coroutine: `Subscription.deliver` is a plain call (the hub fans a
frame out to every socket of a channel), so each frame used to start a task that wrote it on the
loop's next turn, after whatever else was ready by then (the webhook's own response, other
requests' reads). `WidgetSockets`, uvicorn's wsproto protocol with the aligned pings, offers
the scope extension `realtime.WRITE_TEXT`: a plain function that writes one text frame there and
then when the socket takes it now (accepted, open, not closing, its transport not paused), and
otherwise returns False, leaving the frame to the task, which waits for the transport as before.
Only frames go this way: the app's own sends (accept, hello, pongs, close) keep to ASGI.
"""

from __future__ import annotations

from wsproto.connection import ConnectionState
from wsproto.events import Request, TextMessage

from ..realtime import WRITE_TEXT
from .socket_pings import AlignedPings


class WidgetSockets(AlignedPings):
    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        extensions: dict[str, object] = self.scope["extensions"]  # type: ignore[assignment]
        extensions[WRITE_TEXT] = self.write_text

    def write_text(self, text: str) -> bool:
        """Write `text` as one frame now; False (nothing written) unless the socket takes it."""
        if (
            not self.handshake_complete
            or self.close_sent
            or self.response_started
            or not self.writable.is_set()
            or self.transport.is_closing()
            or self.conn.state != ConnectionState.OPEN
        ):
            return False
        self.transport.write(self.conn.send(TextMessage(data=text)))
        return True
