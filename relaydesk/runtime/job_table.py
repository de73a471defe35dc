"""Every outbox job kind and the handler that runs it, in one table, with the recurring duties
that queue some of them; the worker runs what this table names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import events
from ..files import MessageLimits
from ..hubspot.connect.portal_clients import PortalClients
from ..hubspot.handoff.job import HubSpotSync
from ..hubspot.inbound.delivery_status import StatusJob
from ..hubspot.inbound.handlers import InboundJob
from ..mail import MailJob
from ..no_rep import NoRepWatch
from ..password_reset import ResetJob
from ..retention_sweep import RetentionSweep
from ..unread_replies import UnreadWatch
from ..upload_sweep import UploadSweep
from ..worker import Duty, Handler

if TYPE_CHECKING:
    from . import Runtime


@dataclass(frozen=True)
class JobTable:
    handlers: dict[str, Handler]
    duties: list[Duty]


def job_table(runtime: Runtime) -> JobTable:
    """The handler of each job kind, built over the runtime's sessions, hub and clients."""
    settings = runtime.settings
    sync = hubspot_sync(runtime)
    sweep = UploadSweep(
        runtime.sessions, runtime.wakeup, runtime.files, settings.limits.unattached_upload_ttl_h
    )
    retention = RetentionSweep(runtime.sessions, runtime.wakeup)
    no_rep = NoRepWatch(runtime.sessions, runtime.effects, settings.followup)
    unread = UnreadWatch(runtime.sessions, runtime.wakeup, settings)
    portals = PortalClients(runtime.hubspot, runtime.sessions, runtime.vault)
    handlers: dict[str, Handler] = {
        events.AI_REPLY: runtime.replies,
        events.HUBSPOT_HANDOFF: sync.handoff,
        events.HUBSPOT_PUBLISH: sync.publish,
        events.HUBSPOT_CLOSE_THREAD: sync.close_thread,
        events.HUBSPOT_INBOUND: InboundJob(runtime.inbound),
        events.HUBSPOT_MESSAGE_STATUS: StatusJob(runtime.sessions, portals),
        # Always registered: without SMTP settings a mail job fails, visibly, on the
        # failed-jobs page rather than waiting unseen for a worker that can send it.
        events.MAIL_SEND: MailJob(settings.smtp),
        events.PASSWORD_RESET: ResetJob(runtime.sessions, runtime.wakeup, settings.public_base_url),
        events.UPLOADS_SWEEP: sweep.sweep,
        events.FILES_DELETE: sweep.delete_files,
        events.RETENTION_SWEEP: retention.sweep,
        events.NO_REP_SCAN: no_rep.scan,
        events.UNREAD_SCAN: unread.scan,
    }
    duties = [
        Duty(sweep.every_s, sweep.schedule),
        Duty(retention.every_s, retention.schedule),
        Duty(no_rep.every_s, no_rep.schedule),
        Duty(unread.every_s, unread.schedule),
    ]
    return JobTable(handlers, duties)


def hubspot_sync(runtime: Runtime) -> HubSpotSync:
    """The handoff's jobs: carry a conversation into HubSpot, then its later messages."""
    return HubSpotSync(
        runtime.sessions,
        runtime.hubspot,
        runtime.vault,
        runtime.files,
        runtime.effects,
        runtime.settings.public_base_url,
        runtime.sync_options,
        limits=MessageLimits.of(runtime.settings.limits),
    )
