"""AI actions: admin-defined HTTP calls, triggered by phrases with slots or by tool calls, run
with a timeout, refused on private addresses unless allowed, rendered as a component + text."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

_SLOT = re.compile(r"\{(\w+)\}")
_FIELD = re.compile(r"\{([\w.]+)\}")
BODY_METHODS = ("POST", "PUT", "PATCH")
NOT_FOUND, INVALID = "not_found", "invalid"
REFUSALS = (400, 404, 422)


class ActionFailed(Exception):
    """The action could not run: refused address, timeout, server or credential error."""


class ActionRefused(ActionFailed):
    """The action's server says the visitor's input names nothing (404) or is not valid (400,
    422): an expected outcome the visitor can correct, not a fault."""

    def __init__(self, action: str, status: int, arguments: dict[str, Any]) -> None:
        super().__init__(f"{action}: HTTP {status}")
        self.action = action
        self.status = status
        self.arguments = arguments

    @property
    def kind(self) -> str:
        return NOT_FOUND if self.status == 404 else INVALID


@dataclass(frozen=True)
class ActionSpec:
    name: str
    url_template: str
    method: str = "GET"
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    component: str | None = None
    text_template: str = ""
    triggers: Sequence[str] = ()
    allow_private_network: bool = False


@dataclass(frozen=True)
class ActionResult:
    text: str
    component: dict[str, Any] | None


def match_trigger(
    text: str, actions: Sequence[ActionSpec]
) -> tuple[ActionSpec, dict[str, str]] | None:
    """The first action one of whose phrases ("where is my order {order_id}") the text contains."""
    for action in actions:
        for phrase in action.triggers:
            found = _phrase_pattern(phrase).search(text)
            if found:
                return action, {k: v for k, v in found.groupdict().items() if v}
    return None


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    parts = _SLOT.split(phrase.strip())
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(rf"#?(?P<{part}>[\w][\w./-]*)")
        else:
            out.append(r"\s+".join(re.escape(word) for word in part.split()))
    return re.compile(r"\s*".join(p for p in out if p), re.IGNORECASE)


class ActionRunner:
    """Runs actions over the runtime's HTTP client."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        timeout_s: float = 10.0,
        private_networks: Sequence[str] = (),
    ) -> None:
        self.http = http
        self.timeout_s = timeout_s
        # The operator's, for the whole instance: an organization's admin may only use a
        # private address inside one of these (a tenant must not reach the instance's own
        # services, such as /metrics or another organization's HubSpot sandbox).
        self.private_networks = tuple(
            ipaddress.ip_network(n.strip(), strict=False) for n in private_networks if n.strip()
        )

    async def run(self, action: ActionSpec, arguments: dict[str, Any]) -> ActionResult:
        url = _fill_url(action.url_template, arguments)
        allowed = self.private_networks if action.allow_private_network else ()
        await _check_address(url, allowed)
        answer = await self._send(action, url, arguments)
        data = _result_data(answer)
        text = _fill_text(action.text_template, {**arguments, **_flatten(data)})
        component = (
            {"name": action.component, "data": data, "text": text} if action.component else None
        )
        return ActionResult(text, component)

    async def _send(
        self, action: ActionSpec, url: str, arguments: dict[str, Any]
    ) -> httpx.Response:
        method = action.method.upper()
        body = arguments if method in BODY_METHODS else None
        try:
            answer = await self.http.request(
                method,
                url,
                json=body,
                headers=action.headers,
                timeout=self.timeout_s,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise ActionFailed(f"{action.name}: {type(exc).__name__}") from exc
        if answer.status_code in REFUSALS:
            raise ActionRefused(action.name, answer.status_code, arguments)
        if answer.status_code >= 400:
            raise ActionFailed(f"{action.name}: HTTP {answer.status_code}")
        return answer


def _fill_url(template: str, arguments: dict[str, Any]) -> str:
    def slot(found: re.Match[str]) -> str:
        if found.group(1) not in arguments:
            raise ActionFailed(f"missing parameter {found.group(1)}")
        return quote(str(arguments[found.group(1)]), safe="")

    return _SLOT.sub(slot, template)


async def _check_address(
    url: str, allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
) -> None:
    """Refuse loopback, private, link-local and reserved addresses (after resolving the name),
    but those inside `allowed`: the operator's private networks, for an action the
    organization's admin marked as calling inside their own network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ActionFailed("actions call http(s) URLs only")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port)
    except OSError as exc:
        raise ActionFailed(f"cannot resolve {parts.hostname}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global and not any(address in net for net in allowed):
            raise ActionFailed(
                f"{parts.hostname} is a private address outside the networks this "
                "installation's operator allows actions to call"
            )


def _result_data(answer: httpx.Response) -> dict[str, Any]:
    try:
        data = answer.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {"text": answer.text[:2000]}
    return data if isinstance(data, dict) else {"items": data}


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= _flatten(value, f"{name}.")
        else:
            flat[name] = value
    return flat


def _fill_text(template: str, values: dict[str, Any]) -> str:
    """`{field}` and `{nested.field}` from the result; unknown fields stay as written."""
    return _FIELD.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)
