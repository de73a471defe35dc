"""The HubSpot sandbox in a process of its own, as HubSpot is a service of its own: its event
loop and its webhook sender never share a core's GIL with the bench's clients.

`python -m bench.sandbox_process PORT CONFIG_JSON` serves `SandboxConfig(**CONFIG_JSON)`.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from hubspot_sandbox import SandboxConfig
from hubspot_sandbox.server import serve

from .server import _free_port


@dataclass
class SandboxProcess:
    base_url: str
    config: SandboxConfig


def _config(port: int, fields: dict[str, Any]) -> SandboxConfig:
    return SandboxConfig(public_base_url=f"http://127.0.0.1:{port}", **fields)


@contextmanager
def sandbox_process(**fields: Any) -> Iterator[SandboxProcess]:
    """Start a sandbox subprocess with these `SandboxConfig` fields; stop it afterwards."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.sandbox_process", str(port), json.dumps(fields)],
        stdout=subprocess.DEVNULL,
    )
    running = SandboxProcess(f"http://127.0.0.1:{port}", _config(port, fields))
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError("the sandbox process exited during start-up")
            try:
                httpx.get(running.base_url + "/_sandbox/state", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the sandbox process did not start") from None
                time.sleep(0.1)
        yield running
    finally:
        process.terminate()
        process.wait(timeout=20)


def main() -> None:
    port, fields = int(sys.argv[1]), json.loads(sys.argv[2])
    for key, value in fields.items():
        if isinstance(value, list):
            fields[key] = tuple(value)
    asyncio.run(serve(_config(port, fields), "127.0.0.1", port, log_level="warning"))


if __name__ == "__main__":
    main()
