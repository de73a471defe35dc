"""`relaydesk demo`, as `make run` starts it: the sample company page and a conversation."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
import pytest
from playwright.async_api import Page, expect

from ..support import free_port

W = "relaydesk-widget"


@pytest.fixture(scope="module")
def demo_smtp_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory, demo_smtp_port: int) -> Iterator[str]:
    """The demo command in a process of its own, on a fresh embedded database."""
    data_dir = tmp_path_factory.mktemp("demo")
    port = free_port()
    env = {
        **os.environ,
        "RELAYDESK_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'demo.db'}",
        "RELAYDESK_DATA_DIR": str(data_dir),
    }
    log = (data_dir / "demo.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "relaydesk.cli",
            "demo",
            "--port",
            str(port),
            "--sandbox-port",
            str(free_port()),
            "--smtp-port",
            str(demo_smtp_port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, base, data_dir / "demo.log")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _wait_until_ready(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("the demo did not become ready:\n" + log.read_text(errors="replace"))


async def test_demo_page_chats_with_the_sample_knowledge_base(page: Page, demo_url: str) -> None:
    await page.goto(f"{demo_url}/demo")
    await expect(page.locator("h1")).to_have_text("Northwind Outfitters")
    await page.locator(f"{W} .launcher").click()
    await expect(page.locator(f"{W} li.greeting")).to_contain_text("Northwind assistant")
    await page.locator(f"{W} textarea").fill("How do I reset my password?")
    await page.locator(f"{W} textarea").press("Enter")
    await expect(page.locator(f"{W} li.msg[data-role=ai]")).to_contain_text("Forgot password")
    await page.reload()
    await expect(page.locator(f"{W} li.msg")).to_have_count(2)


async def test_demo_inline_mode(page: Page, demo_url: str) -> None:
    await page.goto(f"{demo_url}/demo?mode=inline")
    await expect(page.locator(f"#inline-chat {W} .panel")).to_be_visible()
    await expect(page.locator(f"{W} .launcher")).to_have_count(0)


async def test_demo_catches_mail_and_shows_it(
    page: Page, demo_url: str, demo_smtp_port: int
) -> None:
    async with httpx.AsyncClient(base_url=demo_url) as http:
        assert (await http.get("/demo/mail.json")).json() == []
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "desk@demo.local", "ada@example.com", "Hi <Ada>"
    mail.set_content("Your reply.\n")
    mail.add_alternative("<p>Your <b>reply</b>.</p>", subtype="html")
    await aiosmtplib.send(mail, hostname="127.0.0.1", port=demo_smtp_port, start_tls=False)

    async with httpx.AsyncClient(base_url=demo_url) as http:
        [caught] = (await http.get("/demo/mail.json")).json()
    assert (caught["to"], caught["subject"], caught["text"]) == (
        "ada@example.com", "Hi <Ada>", "Your reply.\n",
    )  # fmt: skip
    assert "<b>reply</b>" in caught["html"] and caught["received_at"]
    await page.goto(f"{demo_url}/demo/mail")
    await expect(page.locator("article.mail h2")).to_have_text("Hi <Ada>")
    frame = page.frame_locator("article.mail iframe")
    await expect(frame.locator("b")).to_have_text("reply")
