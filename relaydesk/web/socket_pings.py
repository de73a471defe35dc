"""uvicorn's WebSocket protocol (wsproto), its keepalive pings sent on a shared clock.

uvicorn pings each socket `ws_ping_interval` after its last pong. With a thousand widgets open,
their pings fall due at a thousand different moments: fifty times a second the process wakes to
send one ping, and again to read its pong, and each wake-up pays for caches gone cold meanwhile
(`python -m bench repreply` counts it in every reply's CPU). Here a socket's next ping is put off
to the next multiple of `GRID_S` on the loop's clock, so the pings due within a quarter of a
second leave together and their pongs come back together: a few wake-ups a second, whatever the
number of sockets. A ping leaves at most `GRID_S` later than uvicorn would send it; a peer that
does not answer is still dropped `ws_ping_timeout` after its ping.
"""

from __future__ import annotations

import math

from uvicorn.protocols.websockets.wsproto_impl import WSProtocol


class AlignedPings(WSProtocol):
    grid_s = 0.25  # 1,000 sockets pinged every 20 s: a dozen pings at a time

    def schedule_ping(self) -> None:
        assert self.ping_interval is not None
        due = self.loop.time() + max(0.0, self.ping_interval - self.last_ping_rtt)
        at = math.ceil(due / self.grid_s) * self.grid_s
        self.ping_timer = self.loop.call_at(at, self.send_keepalive_ping)
