"""`relaydesk hubspot-project` writes a HubSpot developer-platform project: the fields HubSpot
documents, exactly relaydesk's scopes, and URLs derived from `--public-url`.

HubSpot's own `hs project validate` is not run here: it needs an authenticated HubSpot account
(it fetches the component schemas for that account), so it cannot check a project offline.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from relaydesk.cli import main
from relaydesk.hubspot.api.scopes import SCOPES
from relaydesk.hubspot.connect.project import WEBHOOK_SUBSCRIPTIONS

PUBLIC = "https://chat.example.com"
FILES = ("hsproject.json", "src/app/app-hsmeta.json", "src/app/webhooks/webhooks-hsmeta.json")

# What HubSpot's docs define ("App configuration", "Configure webhooks", the migration guide).
PROJECT_FIELDS = {"name", "srcDir", "platformVersion"}
PLATFORM_VERSIONS = {"2026.03", "2026.09"}
COMPONENT_FIELDS = {"uid", "type", "config"}  # every *-hsmeta.json, all required
UID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
APP_CONFIG_FIELDS = {"description", "name", "distribution", "auth", "permittedUrls", "support"}
APP_CONFIG_REQUIRED = {"description", "name", "distribution", "auth"}
DISTRIBUTIONS = {"marketplace", "private"}
AUTH_FIELDS = {
    "type", "redirectUrls", "requiredScopes", "optionalScopes", "conditionallyRequiredScopes"
}  # fmt: skip
AUTH_TYPES = {"oauth", "static"}
PERMITTED_URL_FIELDS = {"fetch", "iframe", "img"}
WEBHOOK_CONFIG_FIELDS = {"settings", "subscriptions"}
WEBHOOK_SETTINGS_FIELDS = {"targetUrl", "maxConcurrentRequests"}
SUBSCRIPTION_GROUPS = {"crmObjects", "legacyCrmObjects", "hubEvents"}
SUBSCRIPTION_FIELDS = {"subscriptionType", "objectType", "propertyName", "active"}

# The events relaydesk handles, in the legacy webhooks-API vocabulary.
HANDLED = {
    ("conversation.propertyChange", "assignedTo"),
    ("conversation.propertyChange", "status"),
    ("conversation.newMessage", None),
    ("ticket.propertyChange", "hs_pipeline_stage"),
    ("contact.privacyDeletion", None),
}


def run(public_url: str, outdir: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    main(["hubspot-project", "--public-url", public_url, str(outdir)])
    return capsys.readouterr().out.splitlines()


def load(outdir: Path, relative: str) -> Any:
    return json.loads((outdir / relative).read_text(encoding="utf-8"))


def test_writes_the_three_files_and_prints_their_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outdir = tmp_path / "hubspot-app"
    printed = run(PUBLIC, outdir, capsys)
    assert printed == [str(outdir / relative) for relative in FILES]
    for relative in FILES:
        text = (outdir / relative).read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2) + "\n"  # pretty, newline at end


def test_project_file_names_the_sources_and_platform_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(PUBLIC, tmp_path, capsys)
    project = load(tmp_path, "hsproject.json")
    assert set(project) == PROJECT_FIELDS
    assert project["platformVersion"] == "2026.09"
    assert project["platformVersion"] in PLATFORM_VERSIONS
    assert (tmp_path / project["srcDir"] / "app").is_dir()
    assert project["name"].strip() == project["name"] != ""


def test_app_component_is_a_marketplace_oauth_app_with_exactly_our_scopes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(PUBLIC + "/", tmp_path, capsys)
    app = load(tmp_path, "src/app/app-hsmeta.json")
    assert set(app) == COMPONENT_FIELDS and UID.fullmatch(app["uid"])
    assert app["type"] == "app"  # HubSpot: the type matches the parent folder
    config = app["config"]
    assert APP_CONFIG_REQUIRED <= set(config) <= APP_CONFIG_FIELDS
    assert 0 < len(config["name"]) <= 200 and config["name"].strip() == config["name"]
    assert 0 < len(config["description"]) <= 8192
    assert config["distribution"] == "marketplace" and config["distribution"] in DISTRIBUTIONS
    auth = config["auth"]
    assert set(auth) == AUTH_FIELDS and auth["type"] == "oauth" and auth["type"] in AUTH_TYPES
    assert auth["requiredScopes"] == list(SCOPES)
    assert auth["optionalScopes"] == [] and auth["conditionallyRequiredScopes"] == []
    assert auth["redirectUrls"] == [f"{PUBLIC}/admin/integrations/hubspot/callback"]
    assert set(config["permittedUrls"]) == PERMITTED_URL_FIELDS


def test_webhooks_component_sends_the_handled_events_to_the_one_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(PUBLIC, tmp_path, capsys)
    webhooks = load(tmp_path, "src/app/webhooks/webhooks-hsmeta.json")
    app = load(tmp_path, "src/app/app-hsmeta.json")
    assert set(webhooks) == COMPONENT_FIELDS and UID.fullmatch(webhooks["uid"])
    assert webhooks["type"] == "webhooks" and webhooks["uid"] != app["uid"]
    config = webhooks["config"]
    assert set(config) == WEBHOOK_CONFIG_FIELDS
    settings = config["settings"]
    assert set(settings) == WEBHOOK_SETTINGS_FIELDS
    assert settings["targetUrl"] == f"{PUBLIC}/hubspot/webhooks"
    concurrency = settings["maxConcurrentRequests"]
    assert isinstance(concurrency, int) and concurrency > 0
    subscribed = set()
    for group, entries in config["subscriptions"].items():
        assert group in SUBSCRIPTION_GROUPS and entries
        for entry in entries:
            assert set(entry) <= SUBSCRIPTION_FIELDS and entry["active"] is True
            event_type = entry["subscriptionType"]
            hub_event = event_type.startswith("conversation.") or event_type.endswith(
                "privacyDeletion"
            )
            assert group == ("hubEvents" if hub_event else "legacyCrmObjects")
            subscribed.add((event_type, entry.get("propertyName")))
    assert subscribed == HANDLED == set(WEBHOOK_SUBSCRIPTIONS)


def test_a_public_url_with_a_path_keeps_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run("http://127.0.0.1:8000/support//", tmp_path, capsys)
    app = load(tmp_path, "src/app/app-hsmeta.json")
    webhooks = load(tmp_path, "src/app/webhooks/webhooks-hsmeta.json")
    base = "http://127.0.0.1:8000/support"
    assert app["config"]["auth"]["redirectUrls"] == [f"{base}/admin/integrations/hubspot/callback"]
    assert webhooks["config"]["settings"]["targetUrl"] == f"{base}/hubspot/webhooks"


@pytest.mark.parametrize(
    ("public_url", "says"),
    [
        ("chat.example.com", "absolute http(s) URL"),
        ("/relative/path", "absolute http(s) URL"),
        ("ftp://chat.example.com", "absolute http(s) URL"),
        ("https://", "absolute http(s) URL"),
        ("https://chat.example.com/?widget=1", "query or fragment"),
        ("https://chat.example.com/#top", "query or fragment"),
        ("https://user:secret@chat.example.com", "credentials"),
        ("https://chat.example.com:99999", "not a valid URL"),
    ],
)
def test_a_bad_public_url_is_refused_before_anything_is_written(
    tmp_path: Path, public_url: str, says: str
) -> None:
    outdir = tmp_path / "hubspot-app"
    with pytest.raises(SystemExit) as exit:
        main(["hubspot-project", "--public-url", public_url, str(outdir)])
    message = str(exit.value.code)
    assert message.startswith("relaydesk: the public URL") and says in message
    assert public_url in message
    assert not outdir.exists()


def test_the_command_exits_non_zero_with_the_reason_on_stderr(tmp_path: Path) -> None:
    outdir = tmp_path / "hubspot-app"
    done = subprocess.run(
        [sys.executable, "-m", "relaydesk.cli", "hubspot-project", "--public-url",
         "chat.example.com", str(outdir)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert "absolute http(s) URL" in done.stderr and done.stdout == ""
    assert not outdir.exists()

    missing = subprocess.run(
        [sys.executable, "-m", "relaydesk.cli", "hubspot-project", str(outdir)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert missing.returncode != 0 and "--public-url" in missing.stderr


def test_running_again_rewrites_the_same_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(PUBLIC, tmp_path, capsys)
    first = {relative: (tmp_path / relative).read_bytes() for relative in FILES}
    (tmp_path / FILES[1]).write_text("{ edited by hand", encoding="utf-8")
    run(PUBLIC, tmp_path, capsys)
    assert {relative: (tmp_path / relative).read_bytes() for relative in FILES} == first
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")) == sorted(
        FILES
    )

    other = "https://support.example.org"
    run(other, tmp_path, capsys)
    webhooks = load(tmp_path, "src/app/webhooks/webhooks-hsmeta.json")
    assert webhooks["config"]["settings"]["targetUrl"] == f"{other}/hubspot/webhooks"
