"""`python -m bench [names...]`: run the benchmarks and print their numbers."""

from __future__ import annotations

import argparse

from . import (
    analytics,
    brain,
    claim,
    cluster,
    compare,
    handoff,
    hubspot_drain,
    login_flood,
    rep_reply,
    replay,
    roundtrip,
    statements,
    status_drain,
    widget_size,
    ws_memory,
)
from .server import demo_server


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument(
        "names",
        nargs="*",
        default=[
            *("size", "statements", "compare", "hubspot", "handoff", "brain"),
        ],
    )
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument(
        "--count-instructions", action="store_true", help="replay: under callgrind, last round"
    )
    parser.add_argument(
        "--gaps", type=_gaps, default="0,20",
        help="replay: ms of idling before each reply, comma-separated, one run each",
    )
    args = parser.parse_args()
    if "size" in args.names:
        widget_size.run()
    if "brain" in args.names:
        brain.run()
    if "startup" in args.names:
        with demo_server(args.database_url) as server:
            print(roundtrip.startup_line(server))
    if "statements" in args.names:
        statements.run(args.database_url)
    if "roundtrip" in args.names:
        with demo_server(args.database_url) as server:
            roundtrip.run(server, visitors=args.visitors)
    if "memory" in args.names:
        with demo_server(args.database_url) as server:
            ws_memory.run(server, count=args.sockets)
    if "hubspot" in args.names:
        hubspot_drain.run()
    if "handoff" in args.names:
        handoff.run()
    if "repreply" in args.names:
        rep_reply.run(database_url=args.database_url)
    if "replay" in args.names:  # not in the default list: the app's own CPU, in-process
        replay.run(gaps=args.gaps, count_instructions=args.count_instructions)
    if "statusdrain" in args.names:  # not in the default list: one job kind's cost
        status_drain.run(database_url=args.database_url)
    if "claim" in args.names:  # not in the default list: one statement under a backlog
        claim.run()
    if "loginflood" in args.names:  # not in the default list: a target, not a comparison
        login_flood.run()
    if "analytics" in args.names:  # not in the default list: it measures no request path
        analytics.run(database_url=args.database_url)
    if "compare" in args.names:  # the floor, relaydesk on SQLite and on PostgreSQL
        compare.run()
    if "cluster" in args.names:  # not in the default list: it needs PostgreSQL, Redis, HAProxy
        cluster.run()


def _gaps(text: str) -> list[float]:
    """`--gaps`: milliseconds, comma-separated, as seconds."""
    try:
        gaps = [float(ms) / 1000 for ms in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not milliseconds: {text!r}") from None
    if any(gap < 0 for gap in gaps):
        raise argparse.ArgumentTypeError(f"a gap cannot be negative: {text!r}")
    return gaps


if __name__ == "__main__":
    main()
