"""The `relaydesk` command: thin shells over the functions the app uses."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from hubspot_sandbox import SandboxConfig, start_sandbox_sync

from .assistant.analysis import analyze_lines
from .db import commit
from .demo import ensure_demo_organization
from .errors import InvalidInput
from .files import MessageLimits
from .hubspot.connect.demo_connection import connect_demo, sandbox_settings
from .hubspot.connect.flows import Setup
from .hubspot.connect.project import write_project
from .mail_catcher import demo_mail_dir, start_catcher
from .migrate import upgrade
from .organizations import create_api_key, create_organization
from .runtime import Runtime
from .settings import InsecureSecret, Settings, SmtpSettings
from .setup_commands import CommandFailed, create_admin, erase_visitor, kb_add


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="relaydesk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the app (and, by default, the worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="leave jobs to `relaydesk worker`")
    commands.add_parser("worker", help="run only the outbox worker")
    demo = commands.add_parser("demo", help="migrate, seed the Demo organization, serve")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--sandbox-port", type=int, default=8001, help="the HubSpot sandbox's port")
    demo.add_argument("--smtp-port", type=int, default=8025, help="the mail catcher's port")
    commands.add_parser("migrate", help="apply database migrations")
    ai = commands.add_parser("ai", help="the AI's tools")
    analyze = ai.add_subparsers(dest="ai_command", required=True).add_parser(
        "analyze",
        help="stdin lines → JSON lines: language, sentiment, handoff request, topic, small talk",
    )
    analyze.add_argument("--topic", action="append", default=[], help="a handoff topic (repeat)")
    analyze.add_argument("--locale", help="the browser's locale (e.g. de-DE) for short lines")
    analyze.add_argument(
        "--conversation", action="store_true", help="the lines are one visitor's conversation"
    )
    org = commands.add_parser("create-org", help="create an organization and print its keys")
    org.add_argument("name")
    org.add_argument("--origin", action="append", default=[], help="an allowed origin (repeat)")
    admin = commands.add_parser("create-admin", help="create an owner for the admin console")
    admin.add_argument("email")
    admin.add_argument("--org", help="organization id, widget key or name (created if new)")
    admin.add_argument("--password-stdin", action="store_true", help="read the password")
    kb = commands.add_parser("kb", help="manage an organization's knowledge base")
    kb_add_cmd = kb.add_subparsers(dest="kb_command", required=True).add_parser(
        "add", help="add Markdown, text and HTML files (folders are searched)"
    )
    kb_add_cmd.add_argument("paths", nargs="+", metavar="PATH")
    kb_add_cmd.add_argument("--org", help="organization id, widget key or name")
    erase = commands.add_parser(
        "erase-visitor", help="erase one visitor everywhere and print what was removed"
    )
    erase.add_argument("--org", required=True, help="organization id, widget key or name")
    target = erase.add_mutually_exclusive_group(required=True)
    target.add_argument("--email", help="every visitor who gave this email")
    target.add_argument("--visitor", help="the visitor's id")
    project = commands.add_parser(
        "hubspot-project", help="write this installation's HubSpot developer-platform project"
    )
    project.add_argument("--public-url", required=True, help="e.g. https://chat.example.com")
    project.add_argument("outdir", help="the project folder (created; its files are replaced)")
    args = parser.parse_args(argv)

    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s %(message)s"
    )
    if args.command in ("serve", "worker", "create-org", "create-admin", "kb", "erase-visitor"):
        refuse_published_secret(settings)
    if args.command == "migrate":
        upgrade(settings.database_url)
    elif args.command == "ai":
        for line in analyze_lines(sys.stdin, args.topic, args.locale, args.conversation):
            print(line, flush=True)
    elif args.command == "serve":
        settings.worker.in_process = not args.no_worker
        _serve(settings, args.host, args.port)
    elif args.command == "worker":
        asyncio.run(_work(settings))
    elif args.command == "demo":
        run_demo(settings, args.host, args.port, args.sandbox_port, args.smtp_port)
    elif args.command == "create-org":
        asyncio.run(_create_org(settings, args.name, args.origin))
    elif args.command == "create-admin":
        asyncio.run(create_admin(settings, args.email, args.org, args.password_stdin))
    elif args.command == "kb":
        asyncio.run(kb_add(settings, args.paths, args.org))
    elif args.command == "erase-visitor":
        asyncio.run(erase_visitor(settings, args.org, args.email, args.visitor))
    elif args.command == "hubspot-project":
        _hubspot_project(args.public_url, Path(args.outdir))


def _serve(settings: Settings, host: str, port: int) -> None:
    from .web.app import create_app
    from .web.socket_writes import WidgetSockets

    # wsproto without permessage-deflate: a zlib context per socket costs ~100 KiB per idle
    # widget (measured by `make bench`), and our frames are small JSON. Its keepalive pings go
    # out a few times a second, many at once (`socket_pings.py`); frames are written as they
    # are published (`socket_writes.py`).
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        ws=WidgetSockets,
        interface="asgi3",  # the app's `__call__` returns the coroutine it hands on (`lanes.py`)
        ws_per_message_deflate=False,
        timeout_keep_alive=75,  # longer than load balancers' idle timeouts, so they close first
        log_level="warning",
        proxy_headers=False,  # a trusted proxy's headers are read by web/proxies.py
    )


def refuse_published_secret(settings: Settings) -> None:
    """Before anything starts: with the published default key, every stored secret decrypts."""
    try:
        settings.check_secret()
    except InsecureSecret as insecure:
        raise SystemExit(f"relaydesk: {insecure}") from None


def run_demo(
    settings: Settings, host: str, port: int, sandbox_port: int = 8001, smtp_port: int = 8025
) -> None:
    settings.demo = True
    settings.public_base_url = f"http://{host}:{port}"
    upgrade(settings.database_url)
    catcher = start_catcher(demo_mail_dir(settings), "127.0.0.1", smtp_port)
    settings.smtp = SmtpSettings(
        host="127.0.0.1", port=smtp_port, tls="none", from_address="desk@demo.local"
    )
    # A reply left unread for 20 s is emailed, so the whole path can be tried by hand.
    settings.followup.unread_mail_after_s = 20
    settings.followup.mail_batch_window_s = 60
    settings.followup.scan_every_s = 5
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    sandbox = start_sandbox_sync(
        SandboxConfig(public_base_url=sandbox_url), "127.0.0.1", sandbox_port
    )
    settings.hubspot = sandbox_settings(sandbox.base_url)
    asyncio.run(_seed_demo(settings))
    print(f"relaydesk demo: http://{host}:{port}/demo  (widget key: demo)", flush=True)
    print(f"  HubSpot sandbox inbox (act as the rep): {sandbox.base_url}/inbox", flush=True)
    print(f"  mail the demo sent: http://{host}:{port}/demo/mail", flush=True)
    print(
        f"  health: http://{host}:{port}/healthz   API: http://{host}:{port}/openapi.json",
        flush=True,
    )
    try:
        _serve(settings, host, port)
    finally:
        catcher.stop()


async def _seed_demo(settings: Settings) -> None:
    runtime = Runtime.build(settings)
    try:
        async with runtime.sessions() as session:
            organization = await ensure_demo_organization(session, runtime.vault)
            await commit(session)
        setup = Setup(
            runtime.hubspot, runtime.sessions, runtime.vault, runtime.secret,
            settings.public_base_url, MessageLimits.of(settings.limits),
        )  # fmt: skip
        await connect_demo(setup, organization.id, settings.data_dir / "hubspot-project")
    finally:
        await runtime.close()


async def _work(settings: Settings) -> None:
    runtime = Runtime.build(settings)
    await runtime.start()
    worker = runtime.worker()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, worker.stop)
    try:
        await worker.run()
    finally:
        await runtime.close()


def _hubspot_project(public_url: str, outdir: Path) -> None:
    try:
        written = write_project(public_url, outdir)
    except InvalidInput as error:
        raise CommandFailed(error.message) from error
    except OSError as error:
        raise CommandFailed(f"cannot write the project to {outdir}: {error}") from error
    for path in written:
        print(path)


async def _create_org(settings: Settings, name: str, origins: list[str]) -> None:
    runtime = Runtime.build(settings)
    try:
        async with runtime.sessions() as session:
            organization = await create_organization(
                session, runtime.vault, name, allowed_origins=origins
            )
            _, key = await create_api_key(session, organization)
            await commit(session)
        print(f"organization {organization.id}\nwidget key {organization.widget_key}")
        print(f"API key (shown once) {key}")
    finally:
        await runtime.close()


if __name__ == "__main__":
    main()
