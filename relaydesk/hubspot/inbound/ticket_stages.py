"""Which ticket stages are closed, as each portal's pipelines say, cached per portal.

A `ticket.propertyChange` of `hs_pipeline_stage` names only the new stage's id; whether that stage
closes the ticket is in the stage's metadata (`ticketState`: OPEN | CLOSED), read through the
pipelines API. Stages change rarely, so the answer is kept for a while, and read again at once
when an event names a stage the cache does not know (one added since).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..api.client import HubSpotClient

STAGES_TTL_S = 600.0


@dataclass
class TicketStages:
    ttl_s: float = STAGES_TTL_S
    # portal id → (when read, {stage id: closed})
    _portals: dict[str, tuple[float, dict[str, bool]]] = field(default_factory=dict)

    async def closed(self, client: HubSpotClient, portal_id: str, stage_id: str) -> bool:
        known = self._portals.get(portal_id)
        if known is None or stage_id not in known[1] or time.monotonic() - known[0] > self.ttl_s:
            known = (time.monotonic(), await _stages(client))
            self._portals[portal_id] = known
        return known[1].get(stage_id, False)


async def _stages(client: HubSpotClient) -> dict[str, bool]:
    return {
        stage.id: stage.closed
        for pipeline in await client.list_pipelines("tickets")
        for stage in pipeline.stages
    }
