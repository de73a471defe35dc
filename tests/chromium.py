"""Where the tests find Chromium (Debian's package) and how they start it."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("RELAYDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # A test page is routed by Playwright, so Chromium cannot tell it is local and would block
    # its WebSocket to 127.0.0.1 (Local Network Access); the widget would fall back to HTTP.
    "--disable-features=LocalNetworkAccessChecks",
]


def installed() -> bool:
    return Path(CHROMIUM).exists()
