"""What a running relaydesk process holds: engine, sessions, hub, worker and friends.

Built by `create_app`'s lifespan and by `relaydesk worker`; nothing here exists at import time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ..assistant.actions import ActionRunner
from ..assistant.brain import Brain
from ..assistant.embedded import EmbeddedBrain
from ..assistant.language import warm_up
from ..assistant.replies import ReplyJob
from ..attachment_urls import AttachmentSigner
from ..cluster_wakeup import ClusterWakeup
from ..conversations import Effects
from ..db import create_engine, session_factory
from ..files import LocalFileStore
from ..hubspot.api.integration import HubSpot
from ..hubspot.api.transport import RetryPolicy
from ..hubspot.handoff.options import SyncOptions
from ..hubspot.inbound.store import Inbound
from ..knowledge.documents import IndexCache
from ..ratelimit import MemoryLimiter
from ..realtime import MemoryHub, create_hub
from ..settings import Settings
from ..socket_quota import VisitorSockets
from ..vault import Vault
from ..worker import Worker
from .job_table import job_table


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    hub: MemoryHub
    wakeup: ClusterWakeup
    limiter: MemoryLimiter
    files: LocalFileStore
    vault: Vault
    brain: Brain
    hubspot: HubSpot
    sockets: VisitorSockets  # the widget sockets each visitor holds open here
    indexes: IndexCache = field(default_factory=IndexCache)
    sync_options: SyncOptions = field(default_factory=SyncOptions)
    http: httpx.AsyncClient = field(default_factory=httpx.AsyncClient)  # AI actions, LLM

    @classmethod
    def build(
        cls,
        settings: Settings,
        brain: Brain | None = None,
        *,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sync_options: SyncOptions | None = None,
    ) -> Runtime:
        """Everything one process needs. `retry` and `transport` replace how HubSpot is called
        (its retry policy, and the HTTP transport under it), `sync_options` how long the
        handoff waits for HubSpot's search index; settings stay as they are."""
        settings.check_secret()
        engine = create_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        secret = settings.secret_key.get_secret_value()
        http = httpx.AsyncClient()
        hub = create_hub(settings.redis_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            hub=hub,
            wakeup=ClusterWakeup(hub),
            limiter=MemoryLimiter(),
            files=LocalFileStore(settings.upload_dir),
            vault=Vault(secret),
            brain=brain or _default_brain(settings, http),
            hubspot=HubSpot.build(settings.hubspot, settings.redis_url, retry, transport),
            sockets=VisitorSockets(settings.limits.visitor_sockets_per_node),
            http=http,
            sync_options=sync_options or SyncOptions(),
        )

    @property
    def secret(self) -> str:
        return self.settings.secret_key.get_secret_value()

    @property
    def effects(self) -> Effects:
        return Effects(hub=self.hub, wakeup=self.wakeup, attachment_urls=self.attachment_urls)

    @property
    def attachment_urls(self) -> AttachmentSigner:
        return AttachmentSigner(self.secret, self.settings.attachment_url_ttl_s)

    @cached_property
    def replies(self) -> ReplyJob:
        """The `ai.reply` job's handler, which also answers a visitor message in its own
        transaction when the brain waits on nothing."""
        runner = ActionRunner(self.http, private_networks=self.settings.action_private_networks)
        return ReplyJob(self.sessions, self.effects, self.brain, self.indexes, self.vault, runner)

    @cached_property
    def inbound(self) -> Inbound:
        """Processes HubSpot webhook deliveries (rep names cached for the process's life)."""
        return Inbound(self.sessions, self.effects, self.hubspot, self.vault, self.files)

    def worker(self) -> Worker:
        """The outbox worker over every job kind's handler (`runtime/job_table.py`)."""
        table = job_table(self)
        self.wakeup.listen()  # jobs other processes commit wake this worker at once
        return Worker(
            self.sessions, self.wakeup, table.handlers, self.settings.worker, table.duties
        )

    async def start(self) -> None:
        await self.hub.start()
        await warm_up()  # the language models load once, off the event loop

    async def close(self) -> None:
        await self.hub.close()
        await self.hubspot.close()
        await self.http.aclose()
        await self.engine.dispose()


def _default_brain(settings: Settings, http: httpx.AsyncClient) -> Brain:
    """The LLM brain when an endpoint is configured, else the embedded one (offline).

    The LLM brain's module is imported only here: the OpenAI SDK it needs holds about 14 MiB
    that a process on the embedded brain never uses."""
    if settings.llm.configured:
        from ..assistant.llm import LLMBrain

        return LLMBrain(settings.llm, http)
    return EmbeddedBrain()
