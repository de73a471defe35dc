"""The widget shows and enforces the limits of one message that HubSpot's channel declares (the
same numbers): files per message, bytes per file and in all, types; real Chromium."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import FilePayload, Page, expect

from relaydesk.hubspot.connect.channel import CAPABILITIES

from ..orgs import Org
from ..support import RunningServer, WidgetClient, start_on_fresh_database
from .site import Site, org_embedded_on
from .test_widget import W, company_page, tiny_png


@pytest.fixture(scope="module")
def limits_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_on_fresh_database(tmp_path_factory.mktemp("browser-limits"))
    yield running
    running.stop()


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def shop(limits_server: RunningServer, site: Site) -> Org:
    return await org_embedded_on(limits_server, site)


def png(name: str) -> FilePayload:
    return {"name": name, "mimeType": "image/png", "buffer": tiny_png()}


async def test_the_widget_config_carries_the_channels_capabilities(
    limits_server: RunningServer, shop: Org
) -> None:
    async with httpx.AsyncClient(base_url=limits_server.base_url) as http:
        answer = await http.get("/api/widget/v1/config", params={"widget_key": shop.widget_key})
    config = answer.json()
    assert config["max_files"] == CAPABILITIES["maxFileAttachmentCount"]
    assert config["max_upload_bytes"] == CAPABILITIES["maxFileAttachmentSizeBytes"]
    assert config["max_total_upload_bytes"] == CAPABILITIES["maxTotalFileAttachmentSizeBytes"]
    assert config["accepted_types"] == CAPABILITIES["allowedFileAttachmentMimeTypes"]
    assert ".pdf" in config["accepted_extensions"]


async def test_the_widget_shows_the_limits_and_refuses_before_uploading(
    page: Page, site: Site, limits_server: RunningServer, shop: Org, tmp_path: Path
) -> None:
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if "/uploads" in r.url else None)
    await page.goto(site.publish("limits.html", company_page(limits_server, shop)))
    await page.locator(f"{W} .launcher").click()
    attach, picker = page.locator(f"{W} button.attach"), page.locator(f"{W} input[type=file]")
    await expect(attach).to_have_attribute(
        "title", "Attach up to 5 files (10 MB each, 20 MB in all)"
    )
    accept = (await picker.get_attribute("accept") or "").split(",")
    assert set(CAPABILITIES["allowedFileAttachmentMimeTypes"]) <= set(accept)
    assert {".pdf", ".png", ".csv"} <= set(accept)
    error = page.locator(f"{W} .error")

    await picker.set_input_files([png(f"photo-{n}.png") for n in range(6)])
    await expect(error).to_have_text("You can send up to 5 files at a time.")
    program: FilePayload = {
        "name": "setup.exe",
        "mimeType": "application/x-msdownload",
        "buffer": b"MZ" * 9,
    }
    await picker.set_input_files([png("photo.png"), program])
    await expect(error).to_have_text("setup.exe is not a type of file we accept.")
    # Files on disk, not buffers: Chromium reads a path itself, where 21 MB of buffers would
    # cross Playwright's pipe base64-encoded.
    scans = [tmp_path / f"scan-{n}.pdf" for n in range(3)]
    for scan in scans:
        scan.write_bytes(b"%PDF-1.4\n" + b"0" * (7 * 1024 * 1024))
    await picker.set_input_files(scans)
    await expect(error).to_have_text("These files are too large together (limit 20 MB).")
    assert uploads == []
    assert await page.locator(f"{W} li.msg[data-role=visitor]").count() == 0

    await picker.set_input_files([png("front.png"), png("back.png")])  # one message, two files
    sent = page.locator(f"{W} li.msg[data-role=visitor][data-status=sent]")
    await expect(sent).to_have_count(1)
    await expect(sent.locator("a.file img")).to_have_count(2)
    assert len(uploads) == 2


async def test_the_server_refuses_a_message_with_more_files_than_the_channel_carries(
    limits_server: RunningServer, shop: Org
) -> None:
    async with httpx.AsyncClient(base_url=limits_server.base_url, timeout=15) as http:
        visitor = WidgetClient(http, shop.widget_key)
        await visitor.start()
        ids = []
        for n in range(CAPABILITIES["maxFileAttachmentCount"] + 1):
            files = {"file": (f"photo-{n}.png", tiny_png(), "image/png")}
            answer = await http.post("/api/widget/v1/uploads", files=files, headers=visitor.auth)
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["id"])
        refused = await visitor.send("six photos", attachment_ids=ids)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "too_many_files"
        accepted = await visitor.send("five photos", uuid.uuid4().hex, attachment_ids=ids[:5])
        assert accepted.status_code == 201, accepted.text
        assert len(accepted.json()["attachments"]) == 5
