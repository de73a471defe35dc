"""The admin console under /admin: server-rendered pages, one module per page group."""

from fastapi import APIRouter

from . import (
    account,
    actions,
    analytics,
    api_keys,
    auth,
    conversations,
    csat,
    handoff,
    integrations,
    jobs,
    knowledge,
    office_hours,
    password_links,
    privacy,
    team,
    widget,
)

router = APIRouter(prefix="/admin", include_in_schema=False)
for _module in (
    auth, password_links, account, conversations, csat, analytics, widget, knowledge, handoff,
    office_hours, actions, api_keys, team, jobs, integrations, privacy,
):  # fmt: skip
    router.include_router(_module.router)

__all__ = ["router"]
