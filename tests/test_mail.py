"""The mail outbox on both databases: a queued mail reaches a real SMTP server once; with the
server down it is retried, then shown on the organization's failed-jobs page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import events
from relaydesk.db import commit, create_engine, session_factory
from relaydesk.mail import Mail, enqueue_mail
from relaydesk.models import OutboxJob
from relaydesk.outbox import Wakeup
from relaydesk.settings import SmtpSettings

from .admin_support import make_user, signed_in
from .databases import migrated_databases
from .orgs import make_org
from .services import unavailable
from .smtp import SmtpServer
from .support import RunningServer, free_port, server_settings, start_server, wait_for

MAIL = Mail(
    to="visitor@example.test",
    subject="Your conversation with Acme",
    text="Hello from Acme.\n",
    html="<p>Hello from <b>Acme</b>.</p>",
)


@pytest.fixture(scope="session")
def mail_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Databases of these tests alone: no other server's worker takes their mail jobs."""
    with migrated_databases(tmp_path_factory.mktemp("mail"), "relaydesk_mail") as urls:
        yield urls


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def mail_url(request: pytest.FixtureRequest, mail_databases: dict[str, str]) -> str:
    if request.param not in mail_databases:
        unavailable("PostgreSQL is not reachable on this machine")
    return mail_databases[request.param]


@pytest.fixture(scope="session")
def mail_sessions(mail_url: str) -> async_sessionmaker[AsyncSession]:
    return session_factory(create_engine(mail_url, pool_size=2, max_overflow=2))


def mail_server(url: str, data_dir: Path, smtp: SmtpSettings) -> RunningServer:
    port = free_port()
    settings = server_settings(url, data_dir, port, smtp=smtp)
    settings.worker.max_attempts = 3
    settings.worker.max_backoff_s = 0.2
    return start_server(settings, port)


@pytest_asyncio.fixture(loop_scope="session")
async def sending(
    mail_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> AsyncIterator[RunningServer]:
    running = mail_server(mail_url, tmp_path, smtp_server.settings())
    yield running
    running.stop()


async def queue(sessions: async_sessionmaker[AsyncSession], org_id: str, key: str) -> None:
    async with sessions() as session:
        await enqueue_mail(session, Wakeup(), MAIL, dedupe_key=key, organization_id=org_id)
        await commit(session)


async def mail_job(sessions: async_sessionmaker[AsyncSession], key: str) -> OutboxJob | None:
    async with sessions() as session:
        return await session.scalar(select(OutboxJob).where(OutboxJob.dedupe_key == f"mail:{key}"))


async def test_a_queued_mail_arrives_once(
    sending: RunningServer,
    smtp_server: SmtpServer,
    mail_sessions: async_sessionmaker[AsyncSession],
) -> None:
    org = await make_org(mail_sessions, sample_kb=False)
    key = f"welcome:{org.id}"
    await queue(mail_sessions, org.id, key)
    await queue(mail_sessions, org.id, key)  # the same mail again: kept out by its dedupe key
    [message] = await smtp_server.wait_for_messages(1)
    assert message["To"] == MAIL.to and message["Subject"] == MAIL.subject
    assert message["From"] == "desk@relaydesk.test"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and text.get_content() == MAIL.text
    assert html is not None and "<b>Acme</b>" in html.get_content()

    async def done() -> OutboxJob | None:
        job = await mail_job(mail_sessions, key)
        return job if job is not None and job.state == "done" else None

    job = await wait_for(done)
    assert (job.kind, job.organization_id, job.attempts) == (events.MAIL_SEND, org.id, 1)
    assert len(smtp_server.messages) == 1


async def test_a_mail_server_that_is_down_retries_then_shows_on_failed_jobs(
    mail_url: str, mail_sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    nobody_listens = SmtpSettings(host="127.0.0.1", port=free_port(), tls="none", timeout_s=2)
    running = mail_server(mail_url, tmp_path, nobody_listens)
    try:
        org = await make_org(mail_sessions, sample_kb=False)
        owner = await make_user(mail_sessions, org.id, "owner")
        key = f"down:{org.id}"
        await queue(mail_sessions, org.id, key)

        async def parked() -> OutboxJob | None:
            job = await mail_job(mail_sessions, key)
            return job if job is not None and job.state == "failed" else None

        job = await wait_for(parked, timeout=30)
        assert job.attempts == 3 and job.last_error and "connect" in job.last_error.lower()
        admin = await signed_in(running.base_url, owner)
        page = await admin.get("/admin/jobs")
        assert f"#{job.id} mail.send" in page.text and f"mail to {MAIL.to}" in page.text
        other = await make_org(mail_sessions, sample_kb=False)
        stranger = await signed_in(running.base_url, await make_user(mail_sessions, other.id))
        assert f"#{job.id} mail.send" not in (await stranger.get("/admin/jobs")).text
        for client in (admin, stranger):
            await client.close()
    finally:
        running.stop()


async def test_without_smtp_settings_a_mail_fails_saying_so(
    mail_url: str, mail_sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    running = mail_server(mail_url, tmp_path, SmtpSettings())
    try:
        org = await make_org(mail_sessions, sample_kb=False)
        key = f"unset:{org.id}"
        await queue(mail_sessions, org.id, key)

        async def parked() -> OutboxJob | None:
            job = await mail_job(mail_sessions, key)
            return job if job is not None and job.state == "failed" else None

        job = await wait_for(parked, timeout=30)
        assert job.last_error is not None and "RELAYDESK_SMTP__HOST" in job.last_error
    finally:
        running.stop()
