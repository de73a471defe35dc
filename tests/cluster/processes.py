"""Real processes for the cluster tests and the cluster benchmark: started with a log file of
their own, killed by signal, restarted with the same command and environment."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(probe: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} within {timeout:g} s")
        time.sleep(0.05)


@dataclass
class Process:
    """One service: `start()` runs `command` with `env` (added to this process's own)."""

    name: str
    command: list[str]
    logs: Path
    env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def log(self) -> Path:
        return self.logs / f"{self.name}.log"

    def start(self) -> Process:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts}: {' '.join(self.command)}\n".encode())
            out.flush()
            self.popen = subprocess.Popen(
                self.command,
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def check(self) -> None:
        if self.popen is not None and self.popen.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.popen.returncode}): {self.tail()}")

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        if self.running:
            assert self.popen is not None
            self.popen.send_signal(sig)
            self.popen.wait(timeout=30)

    def stop(self) -> None:
        if not self.running:
            return
        assert self.popen is not None
        self.popen.terminate()
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=15)

    def cpu_seconds(self) -> float:
        """User and system CPU time the running process has used."""
        assert self.popen is not None
        stat = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def wait_for_port(self, port: int, timeout: float = 60.0) -> None:
        def up() -> bool:
            self.check()
            return port_open(port)

        wait_until(up, f"{self.name} did not listen on {port}", timeout)


def redis_server(logs: Path, port: int) -> Process:
    """A Redis of the test's own: no persistence, so a restart starts empty like a new one."""
    binary = shutil.which("redis-server") or "redis-server"
    command = [binary, "--bind", "127.0.0.1", "--port", str(port), *REDIS_ARGS]
    return Process("redis", command, logs)


REDIS_ARGS = ["--save", "", "--appendonly", "no"]


def start_redis(process: Process, port: int) -> None:
    process.start()
    client = Redis(port=port, socket_connect_timeout=0.5)

    def answers() -> bool:
        process.check()
        try:
            return bool(client.ping())
        except RedisError:
            return False

    try:
        wait_until(answers, "redis-server did not answer", 20)
    finally:
        client.close()


@dataclass
class OwnRedis:
    process: Process
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def restart(self) -> None:
        self.process.stop()
        start_redis(self.process, self.port)
