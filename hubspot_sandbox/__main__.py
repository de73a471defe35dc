"""`python -m hubspot_sandbox --port 8001`: serve a sandbox portal in the foreground."""

from __future__ import annotations

import argparse
import asyncio

from hubspot_sandbox.config import SandboxConfig
from hubspot_sandbox.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m hubspot_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--public-base-url", help="the URL clients reach the sandbox at")
    parser.add_argument("--webhook-target-url", help="where app subscription webhooks go")
    args = parser.parse_args()
    config = SandboxConfig(
        public_base_url=args.public_base_url or f"http://{args.host}:{args.port}",
        webhook_target_url=args.webhook_target_url,
    )
    asyncio.run(serve(config, args.host, args.port))


if __name__ == "__main__":
    main()
