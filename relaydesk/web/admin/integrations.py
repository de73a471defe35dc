"""Settings → Integrations → HubSpot: connect (OAuth or a private-app token), pick the inbox,
owner, pipeline and stage, name the AI and the ticket tag, see the status, test, disconnect.

`Setup` calls HubSpot between short transactions of its own; each route first commits the
request's sign-in read so no transaction stays open while HubSpot answers.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ...db import commit
from ...errors import RelaydeskError
from ...files import MessageLimits
from ...hubspot.api.errors import HubSpotError
from ...hubspot.connect import flows as hs
from ...hubspot.connect import look
from ...hubspot.connect.app_webhooks import AppWebhooks, app_webhook_url, legacy_webhooks
from ...hubspot.connect.connections import SETUP, find_connection
from ...hubspot.handoff.options import HandoffLook
from ...models import HubSpotConnection
from ..deps import RuntimeDep, SessionDep
from .deps import HEADERS, Manager, back_to, render

router = APIRouter()
PAGE = "/admin/integrations/hubspot"


async def hubspot_setup(runtime: RuntimeDep) -> hs.Setup:
    return hs.Setup(
        runtime.hubspot,
        runtime.sessions,
        runtime.vault,
        runtime.secret,
        runtime.settings.public_base_url,
        MessageLimits.of(runtime.settings.limits),
    )


HubSpotSetup = Annotated[hs.Setup, Depends(hubspot_setup)]


def _picking(connection: HubSpotConnection, request: Request) -> bool:
    """The picker shows after connecting, and on request once set up."""
    if not connection.access_token_enc:
        return False
    return connection.status == SETUP or request.query_params.get("pick") == "1"


async def _page(
    request: Request,
    admin: Manager,
    session: SessionDep,
    setup: hs.Setup,
    error: str | None = None,
    status: int = 200,
) -> Response:
    connection = await find_connection(session, admin.organization.id)
    await commit(session)
    choices = None
    if connection is not None and _picking(connection, request):
        try:
            choices = await hs.choices(setup, admin.organization.id)
        except HubSpotError as failed:
            error = error or f"HubSpot did not list the inboxes and owners: {failed.message}"
            await session.refresh(connection)  # a revoked grant has just been recorded
            await commit(session)
    return render(
        request,
        admin,
        "integrations_hubspot.html",
        status,
        connection=connection,
        hooks=await app_webhooks(setup, connection),
        missing_app_settings=missing_app_settings(setup),
        oauth_configured=bool(setup.hubspot.settings.client_id),
        choices=choices,
        look=HandoffLook.of(connection) if connection else HandoffLook(),
        defaults=HandoffLook(),
        done=request.query_params.get("done"),
        error=error,
    )


def missing_app_settings(setup: hs.Setup) -> list[str]:
    """What the operator has yet to set for full mode: the OAuth credentials, and for the custom
    channel the developer account's API key (and, for a legacy app, the app id)."""
    settings = setup.hubspot.settings
    wanted = {
        "RELAYDESK_HUBSPOT__CLIENT_ID": bool(settings.client_id),
        "RELAYDESK_HUBSPOT__CLIENT_SECRET": bool(settings.client_secret.get_secret_value()),
        "RELAYDESK_HUBSPOT__DEVELOPER_API_KEY": bool(settings.developer_api_key.get_secret_value()),
        "RELAYDESK_HUBSPOT__APP_ID": bool(settings.app_id) or settings.app_kind == "project",
    }
    return [name for name, present in wanted.items() if not present]


async def app_webhooks(setup: hs.Setup, connection: HubSpotConnection | None) -> AppWebhooks:
    """The app's webhooks as the page shows them; a legacy app's are read from HubSpot."""
    settings = setup.hubspot.settings
    if settings.app_kind == "legacy" and settings.developer_api_key.get_secret_value():
        if connection is not None and connection.mode == "oauth":
            return await legacy_webhooks(setup.hubspot.app, setup.public_base_url)
    return AppWebhooks(settings.app_kind, app_webhook_url(setup.public_base_url))


async def _attempt(step: Awaitable[object]) -> str | None:
    """Run one setup step; a refusal (ours or HubSpot's) becomes the message on the page."""
    try:
        await step
    except (RelaydeskError, HubSpotError) as refused:
        return refused.message
    return None


async def _answer(
    request: Request,
    admin: Manager,
    session: SessionDep,
    setup: hs.Setup,
    problem: str | None,
    done: str,
) -> Response:
    # A refusal is shown beside the form it answers, on the page itself.
    if problem is not None:
        return await _page(request, admin, session, setup, error=problem)
    return back_to(f"{PAGE}?done={done}")


@router.get("/integrations/hubspot")
async def hubspot_page(
    request: Request, admin: Manager, session: SessionDep, setup: HubSpotSetup
) -> Response:
    return await _page(request, admin, session, setup)


@router.get("/integrations/hubspot/connect")
async def connect(
    request: Request, admin: Manager, session: SessionDep, setup: HubSpotSetup
) -> Response:
    """A link, not a form: the page's CSP (form-action 'self') would stop a form's redirect."""
    if not setup.hubspot.settings.client_id:
        missing = "this instance has no HubSpot app configured (RELAYDESK_HUBSPOT__CLIENT_ID)"
        return await _page(request, admin, session, setup, error=missing)
    url = hs.authorize_url(setup, admin.organization.id, admin.user.id)
    return RedirectResponse(url, status_code=303, headers=HEADERS)


@router.get("/integrations/hubspot/callback")
async def callback(
    request: Request,
    admin: Manager,
    session: SessionDep,
    setup: HubSpotSetup,
    code: str = "",
    state: str = "",
    error: str = "",
) -> Response:
    """HubSpot sends the admin back here with `code` and our `state` (or `error`)."""
    if not code:
        reason = f"HubSpot did not connect ({error})" if error else None
        return await _page(request, admin, session, setup, error=reason)
    await commit(session)

    async def complete() -> None:
        hs.check_state(setup.secret, state, admin.organization.id, admin.user.id)
        await hs.complete_oauth(setup, admin.organization.id, code)

    return await _answer(request, admin, session, setup, await _attempt(complete()), "connected")


@router.post("/integrations/hubspot/private-app")
async def private_app(
    request: Request,
    admin: Manager,
    session: SessionDep,
    setup: HubSpotSetup,
    token: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    await commit(session)
    problem = await _attempt(hs.connect_private_app(setup, admin.organization.id, token))
    return await _answer(request, admin, session, setup, problem, "verified")


@router.post("/integrations/hubspot/picks")
async def save_picks(
    request: Request,
    admin: Manager,
    session: SessionDep,
    setup: HubSpotSetup,
    inbox_id: Annotated[str, Form(max_length=64)] = "",
    owner_id: Annotated[str, Form(max_length=64)] = "",
    stage: Annotated[str, Form(max_length=130)] = "",
) -> Response:
    """`stage` is `<pipeline id>/<stage id>`: one select keeps the two consistent."""
    pipeline_id, _, stage_id = stage.partition("/")
    organization = admin.organization
    await commit(session)
    if not (inbox_id and pipeline_id and stage_id):
        problem: str | None = "pick an inbox and a ticket pipeline stage"
    else:
        chosen = hs.Chosen(inbox_id, owner_id or None, pipeline_id, stage_id)
        problem = await _attempt(hs.choose(setup, organization.id, chosen, organization.name))
    return await _answer(request, admin, session, setup, problem, "saved")


@router.post("/integrations/hubspot/look")
async def save_look(
    request: Request,
    admin: Manager,
    session: SessionDep,
    setup: HubSpotSetup,
    ai_sender_name: Annotated[str, Form(max_length=500)] = "",
    ticket_tag_property: Annotated[str, Form(max_length=500)] = "",
    ticket_tag_value: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The AI's sender name and the ticket tag, for this organization's next handoffs."""
    chosen = look.LookChoices(ai_sender_name, ticket_tag_property, ticket_tag_value)
    try:
        look.checked_look(chosen)
    except RelaydeskError as refused:
        return await _page(request, admin, session, setup, refused.message, 400)
    await look.save_look(session, admin.organization.id, chosen)
    await commit(session)
    return back_to(f"{PAGE}?done=saved")


@router.post("/integrations/hubspot/test")
async def test_connection(
    request: Request, admin: Manager, session: SessionDep, setup: HubSpotSetup
) -> Response:
    await commit(session)
    problem = await _attempt(hs.test_connection(setup, admin.organization.id))
    return await _answer(request, admin, session, setup, problem, "tested")


@router.post("/integrations/hubspot/disconnect")
async def disconnect(admin: Manager, session: SessionDep) -> Response:
    await hs.disconnect(session, admin.organization.id)
    await commit(session)
    return back_to(f"{PAGE}?done=disconnected")
