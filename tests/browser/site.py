"""The company's website for the browser tests: static pages on an origin of their own, and the
organization whose widget may be embedded there."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from relaydesk.db import create_engine, session_factory

from ..orgs import Org, make_org
from ..support import RunningServer, free_port


@dataclass
class Site:
    """The company's website: static pages on an origin of their own."""

    base_url: str
    pages: dict[str, str] = field(default_factory=dict)

    def publish(self, name: str, html: str) -> str:
        self.pages[name] = html
        return f"{self.base_url}/{name}"


def serve_site() -> tuple[Site, ThreadingHTTPServer]:
    port = free_port()
    site = Site(f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            body = site.pages.get(self.path.lstrip("/"), "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return site, httpd


async def org_embedded_on(server: RunningServer, site: Site) -> Org:
    """An organization of `server` whose widget may be embedded on `site`'s origin."""
    engine = create_engine(server.settings.database_url)
    try:
        return await make_org(session_factory(engine), origins=[site.base_url])
    finally:
        await engine.dispose()
