"""The secret key in the source is public: outside the demo relaydesk refuses to start with it
(or with a short one), before it seals or signs anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from relaydesk.settings import PUBLISHED_SECRET, InsecureSecret, Settings


def run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "relaydesk.cli", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serve_and_worker_refuse_the_published_key(command: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RELAYDESK_SECRET_KEY"}
    env["RELAYDESK_DATA_DIR"] = str(tmp_path)
    env["RELAYDESK_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    finished = run(command, env)
    assert finished.returncode != 0
    assert "RELAYDESK_SECRET_KEY is the published default" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_short_keys_are_refused_and_the_demo_may_use_the_default() -> None:
    with pytest.raises(InsecureSecret, match="at least 32"):
        Settings(secret_key="short").check_secret()
    Settings(secret_key=PUBLISHED_SECRET, demo=True).check_secret()
    Settings(secret_key="a-long-random-value-of-our-own-0123456789").check_secret()
