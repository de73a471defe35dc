"""Public files of an organization's widget: its avatar or logo (the URL names the image's
digest, so browsers may keep it for a year)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ..errors import NotFound
from ..models import Organization
from ..widget_settings import AVATAR_TYPES, avatar_name
from .deps import RuntimeDep, SessionDep
from .errors import documented
from .inputs import Text

router = APIRouter(prefix="/api/widget/v1", tags=["widget"])
MEDIA_TYPES = {extension: media for media, extension in AVATAR_TYPES.items()}


AN_IMAGE: dict[int | str, dict[str, Any]] = {
    200: {"description": "The image", "content": {media: {} for media in MEDIA_TYPES.values()}}
}


@router.get(
    "/avatars/{organization_id}/{name}",
    response_class=Response,
    responses=AN_IMAGE | documented(404, 422, 429),
)
async def avatar(
    organization_id: Text, name: str, session: SessionDep, runtime: RuntimeDep
) -> Response:
    organization = await session.get(Organization, organization_id)
    if organization is None or organization.avatar_key is None or avatar_name(organization) != name:
        raise NotFound("no such avatar")
    return Response(
        await runtime.files.get(organization.avatar_key),
        media_type=MEDIA_TYPES[name.rsplit(".", 1)[1]],
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )
