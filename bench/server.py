"""A relaydesk demo server in a subprocess of its own, as production runs it."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class BenchServer:
    base_url: str
    process: subprocess.Popen[bytes]
    startup_s: float = 0.0  # from the process's start until /readyz answers
    startup_rss_kib: int = 0  # its RSS then, before any visitor

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")


@dataclass
class Window:
    """A load's span on the server: the first send's clock and CPU counter, the last answer's.

    The CPU a load costs is counted from its first send, so what opening the visitors' sessions
    and sockets cost before it is not counted with it."""

    server: BenchServer
    first: float = math.inf
    last: float = 0.0
    cpu_at_first: float = 0.0
    cpu_at_last: float = 0.0

    def began(self) -> None:
        if self.first == math.inf:
            self.first = time.perf_counter()
            self.cpu_at_first = self.server.cpu_seconds()

    def ended(self) -> None:
        self.last = max(self.last, time.perf_counter())
        self.cpu_at_last = self.server.cpu_seconds()

    @property
    def seconds(self) -> float:
        return self.last - self.first

    @property
    def cpu_s(self) -> float:
        return self.cpu_at_last - self.cpu_at_first


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def demo_server(database_url: str | None = None) -> Iterator[BenchServer]:
    """`relaydesk demo` on a free port with a fresh database and limits out of the way."""
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {
            **os.environ,
            "RELAYDESK_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{tmp}/bench.db",
            "RELAYDESK_DATA_DIR": tmp,
            "RELAYDESK_LOG_LEVEL": "warning",
            "RELAYDESK_LIMITS__IP_REQUESTS_PER_MINUTE": "100000000",
            "RELAYDESK_LIMITS__VISITOR_MESSAGES_PER_MINUTE": "100000",
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "relaydesk.cli",
                "demo",
                "--port",
                str(port),
                "--sandbox-port",
                str(_free_port()),
                "--smtp-port",  # the demo's mail catcher, off its fixed port
                str(_free_port()),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(tmp, "server.log"), "wb"),
        )
        server = BenchServer(f"http://127.0.0.1:{port}", process)
        started = time.monotonic()
        try:
            _wait_ready(server)
            server.startup_s = time.monotonic() - started
            server.startup_rss_kib = server.rss_kib()
            yield server
        finally:
            process.terminate()
            process.wait(timeout=20)
            errors = Path(tmp, "server.log").read_text(errors="replace")
            if "Traceback" in errors:
                print("server errors during the benchmark:\n" + errors[-4000:], file=sys.stderr)


def _wait_ready(server: BenchServer) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("bench server exited during start-up")
        try:
            if httpx.get(server.base_url + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("bench server did not become ready")
