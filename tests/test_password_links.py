"""Reset links and invitations over HTTP, on both databases, with mail through a real SMTP server:
the same answer for any email, links that work once and expire, CSRF on every form."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import events
from relaydesk.db import create_engine, session_factory
from relaydesk.models import OutboxJob, PasswordToken, User, utcnow
from relaydesk.password_tokens import digest

from .admin_support import PASSWORD, AdminClient, csrf_of, make_user, signed_in
from .databases import migrated_databases
from .orgs import make_org
from .services import unavailable
from .smtp import SmtpServer
from .support import RunningServer, free_port, server_settings, start_server, wait_for

NEW = "a brand new passphrase"
LINK = re.compile(r"http://\S+(/admin/login/password\?token=\S+)")


@pytest.fixture(scope="session")
def accounts_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Databases of these tests alone: no other server's worker takes their jobs."""
    with migrated_databases(tmp_path_factory.mktemp("accounts"), "relaydesk_accounts") as urls:
        yield urls


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def accounts_url(request: pytest.FixtureRequest, accounts_databases: dict[str, str]) -> str:
    if request.param not in accounts_databases:
        unavailable("PostgreSQL is not reachable on this machine")
    return accounts_databases[request.param]


@pytest.fixture(scope="session")
def sessions(accounts_url: str) -> async_sessionmaker[AsyncSession]:
    return session_factory(create_engine(accounts_url, pool_size=2, max_overflow=2))


@pytest_asyncio.fixture(loop_scope="session")
async def mailing(
    accounts_url: str, smtp_server: SmtpServer, tmp_path: Path
) -> AsyncIterator[RunningServer]:
    """The app with a mail server, on these tests' own database."""
    port = free_port()
    running = start_server(
        server_settings(accounts_url, tmp_path, port, smtp=smtp_server.settings()), port
    )
    yield running
    running.stop()


class Visitor:
    """Someone not signed in: the sign-in page's cookie and the forms around it."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=15)

    async def post_form(self, action: str, form: dict[str, str]) -> httpx.Response:
        """As a browser would: the form's token is the one the sign-in pages' cookie holds."""
        csrf = csrf_of((await self.http.get("/admin/login/forgot")).text)
        return await self.http.post(action, data={**form, "csrf_token": csrf})

    async def forgot(self, email: str) -> httpx.Response:
        return await self.post_form("/admin/login/forgot", {"email": email})

    async def set_password(self, link: str, new: str = NEW, again: str = NEW) -> httpx.Response:
        token = link.split("token=", 1)[1]
        form = {"token": token, "password": new, "confirmation": again}
        return await self.post_form("/admin/login/password", form)

    async def close(self) -> None:
        await self.http.aclose()


def link_in(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group(1)


async def jobs_of_kind(sessions: async_sessionmaker[AsyncSession], kind: str) -> list[OutboxJob]:
    async with sessions() as session:
        query = select(OutboxJob).where(OutboxJob.kind == kind).order_by(OutboxJob.id)
        return list(await session.scalars(query))


async def test_a_mailed_reset_link_sets_a_new_password_once_and_signs_out_every_session(
    mailing: RunningServer, smtp_server: SmtpServer, sessions: async_sessionmaker[AsyncSession]
) -> None:
    email = await make_user(sessions, (await make_org(sessions, sample_kb=False)).id)
    old_session = await signed_in(mailing.base_url, email)
    visitor = Visitor(mailing.base_url)
    asked = await visitor.forgot(email.upper())
    assert asked.status_code == 200 and "If an account uses that address" in asked.text

    [message] = await smtp_server.wait_for_messages(1)
    assert message["To"] == email and message["Subject"] == "Reset your relaydesk password"
    link = link_in(message)
    token = link.split("token=", 1)[1]
    async with sessions() as session:
        row = await session.get(PasswordToken, digest(token))
        assert row is not None and row.purpose == "reset"
        assert row.expires_at - row.created_at == timedelta(hours=1)
        stored = await session.scalars(select(PasswordToken.id))
        assert token not in list(stored)  # only the hash is kept

    form = await visitor.http.get(link)
    assert form.status_code == 200 and f"For {email}" in form.text
    done = await visitor.set_password(link)
    assert done.status_code == 303 and done.headers["location"] == "/admin/login?password=set"
    assert "Your password is set" in (await visitor.http.get(done.headers["location"])).text

    gone = await old_session.get("/admin/conversations")
    assert gone.status_code == 303 and gone.headers["location"] == "/admin/login"
    assert (await AdminClient(mailing.base_url).login(email, PASSWORD)).status_code == 401
    assert (await old_session.login(email, NEW)).status_code == 303

    again = await visitor.set_password(link, "yet another passphrase", "yet another passphrase")
    assert again.status_code == 404 and "no longer valid" in again.text
    assert (await visitor.http.get(link)).status_code == 404
    assert (await AdminClient(mailing.base_url).login(email, NEW)).status_code == 303
    await old_session.close()
    await visitor.close()


async def _timed_forgot(visitor: Visitor, email: str) -> tuple[float, httpx.Response]:
    csrf = csrf_of((await visitor.http.get("/admin/login/forgot")).text)
    started = time.perf_counter()
    answer = await visitor.http.post(
        "/admin/login/forgot", data={"email": email, "csrf_token": csrf}
    )
    return time.perf_counter() - started, answer


async def test_the_answer_never_tells_whether_an_email_has_an_account(
    mailing: RunningServer, smtp_server: SmtpServer, sessions: async_sessionmaker[AsyncSession]
) -> None:
    email = await make_user(sessions, (await make_org(sessions, sample_kb=False)).id)
    unknown = f"nobody-{email}"
    visitor = Visitor(mailing.base_url)
    before = len(await jobs_of_kind(sessions, events.PASSWORD_RESET))
    times: dict[str, list[float]] = {email: [], unknown: []}
    answers: dict[str, set[tuple[int, str]]] = {email: set(), unknown: set()}
    # Interleaved, each first in turn: the job a request queues slows the request after it.
    for i in range(20):
        for address in (email, unknown) if i % 2 else (unknown, email):
            took, answer = await _timed_forgot(visitor, address)
            times[address].append(took)
            answers[address].add((answer.status_code, answer.text))
    assert answers[email] == answers[unknown] and len(answers[email]) == 1
    known_ms, unknown_ms = (statistics.median(times[a]) * 1000 for a in (email, unknown))
    assert abs(known_ms - unknown_ms) < 25, (known_ms, unknown_ms)  # the same one insert

    async def all_done() -> list[OutboxJob] | None:
        jobs = (await jobs_of_kind(sessions, events.PASSWORD_RESET))[before:]
        return jobs if len(jobs) == 40 and all(j.state == "done" for j in jobs) else None

    await wait_for(all_done, timeout=30)
    [message] = await smtp_server.wait_for_messages(1)  # one a minute: the first asking only
    assert message["To"] == email
    async with sessions() as session:
        mails = await session.scalar(
            select(func.count()).where(
                OutboxJob.kind == events.MAIL_SEND, OutboxJob.payload["to"].as_string() == unknown
            )
        )
    assert mails == 0
    await visitor.close()


async def test_an_expired_link_is_refused_and_changes_nothing(
    mailing: RunningServer, smtp_server: SmtpServer, sessions: async_sessionmaker[AsyncSession]
) -> None:
    email = await make_user(sessions, (await make_org(sessions, sample_kb=False)).id)
    visitor = Visitor(mailing.base_url)
    await visitor.forgot(email)
    link = link_in((await smtp_server.wait_for_messages(1))[0])
    async with sessions() as session:
        await session.execute(
            update(PasswordToken)
            .where(PasswordToken.id == digest(link.split("token=", 1)[1]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    opened = await visitor.http.get(link)
    assert opened.status_code == 404 and "no longer valid" in opened.text
    assert 'name="password"' not in opened.text and "Ask for a new link" in opened.text
    refused = await visitor.set_password(link)
    assert refused.status_code == 404 and "no longer valid" in refused.text
    assert (await AdminClient(mailing.base_url).login(email, PASSWORD)).status_code == 303
    unknown = await visitor.http.get("/admin/login/password?token=made-up")
    assert unknown.status_code == 404 and "no longer valid" in unknown.text
    await visitor.close()


async def test_a_mistyped_new_password_does_not_spend_the_link(
    mailing: RunningServer, smtp_server: SmtpServer, sessions: async_sessionmaker[AsyncSession]
) -> None:
    email = await make_user(sessions, (await make_org(sessions, sample_kb=False)).id)
    visitor = Visitor(mailing.base_url)
    await visitor.forgot(email)
    link = link_in((await smtp_server.wait_for_messages(1))[0])
    differ = await visitor.set_password(link, NEW, "something else entirely")
    assert differ.status_code == 422 and "the two new passwords differ" in differ.text
    assert 'name="password"' in differ.text  # the form again, link intact
    short = await visitor.set_password(link, "short", "short")
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert (await visitor.set_password(link)).status_code == 303
    await visitor.close()


async def test_the_forms_before_signing_in_need_their_csrf_token(
    mailing: RunningServer, smtp_server: SmtpServer, sessions: async_sessionmaker[AsyncSession]
) -> None:
    email = await make_user(sessions, (await make_org(sessions, sample_kb=False)).id)
    before = len(await jobs_of_kind(sessions, events.PASSWORD_RESET))
    visitor = Visitor(mailing.base_url)
    forged = await visitor.http.post("/admin/login/forgot", data={"email": email})
    assert forged.status_code == 403
    csrf = csrf_of((await visitor.http.get("/admin/login/forgot")).text)
    other_browser = httpx.AsyncClient(base_url=mailing.base_url)
    stolen = await other_browser.post(
        "/admin/login/forgot", data={"email": email, "csrf_token": csrf}
    )
    assert stolen.status_code == 403  # the token must match this browser's cookie
    assert len(await jobs_of_kind(sessions, events.PASSWORD_RESET)) == before

    await visitor.forgot(email)
    link = link_in((await smtp_server.wait_for_messages(1))[0])
    token = link.split("token=", 1)[1]
    form = {"token": token, "password": NEW, "confirmation": NEW}
    assert (await other_browser.post("/admin/login/password", data=form)).status_code == 403
    assert (await visitor.http.get(link)).status_code == 200  # still unspent
    assert (await AdminClient(mailing.base_url).login(email, PASSWORD)).status_code == 303
    await other_browser.aclose()
    await visitor.close()


async def test_an_invitation_is_mailed_works_for_seven_days_and_can_be_sent_again(
    mailing: RunningServer, smtp_server: SmtpServer, sessions: async_sessionmaker[AsyncSession]
) -> None:
    org = await make_org(sessions, sample_kb=False)
    owner = await signed_in(mailing.base_url, await make_user(sessions, org.id))
    newcomer = f"newcomer-{org.id}@example.test"
    page = await owner.post("/admin/team", {"email": newcomer, "role": "member"})
    assert page.status_code == 200 and f"{newcomer} was invited" in page.text
    assert 'id="one-time-password"' not in page.text
    [first] = await smtp_server.wait_for_messages(1)
    assert first["To"] == newcomer and "You are invited to" in first["Subject"]
    first_link = link_in(first)
    async with sessions() as session:
        row = await session.get(PasswordToken, digest(first_link.split("token=", 1)[1]))
        assert row is not None and (row.purpose, row.organization_id) == ("invite", org.id)
        assert row.expires_at - row.created_at == timedelta(days=7)
        user_id = await session.scalar(select(User.id).where(User.email == newcomer))
    assert (await AdminClient(mailing.base_url).login(newcomer, PASSWORD)).status_code == 401

    resent = await owner.post(f"/admin/team/{user_id}/invite")
    assert resent.status_code == 303
    assert "A new invitation was mailed" in (await owner.get(resent.headers["location"])).text
    second_link = link_in((await smtp_server.wait_for_messages(2))[1])
    visitor = Visitor(mailing.base_url)
    assert (await visitor.http.get(first_link)).status_code == 404  # replaced
    welcome = await visitor.http.get(second_link)
    assert welcome.status_code == 200 and "Welcome to" in welcome.text
    assert (await visitor.set_password(second_link)).status_code == 303
    member = AdminClient(mailing.base_url)
    assert (await member.login(newcomer, NEW)).status_code == 303
    late = await owner.post(f"/admin/team/{user_id}/invite")
    assert late.status_code == 422 and "signed in already" in late.text

    known = await make_user(sessions, (await make_org(sessions, sample_kb=False)).id)
    added = await owner.post("/admin/team", {"email": known, "role": "admin"})
    assert added.status_code == 200 and "told by mail" in added.text
    third = (await smtp_server.wait_for_messages(3))[2]
    assert third["To"] == known and "You were added to" in third["Subject"]
    assert LINK.search(third.get_body(preferencelist=("plain",)).get_content()) is None  # type: ignore[union-attr]
    for client in (member, owner, visitor):
        await client.close()


async def test_without_a_mail_server_there_is_no_reset_and_team_pages_hand_over_passwords(
    server: RunningServer, db: async_sessionmaker[AsyncSession]
) -> None:
    org = await make_org(db, sample_kb=False)
    email = await make_user(db, org.id)
    visitor = Visitor(server.base_url)
    sign_in = await visitor.http.get("/admin/login")
    assert "Forgot your password?" not in sign_in.text
    page = await visitor.http.get("/admin/login/forgot")
    assert page.status_code == 200 and "no mail server" in page.text
    assert 'name="email"' not in page.text
    async with db() as session:
        jobs = await session.scalar(
            select(func.count()).where(OutboxJob.kind == events.PASSWORD_RESET)
        )
    posted_anyway = await visitor.http.post(
        "/admin/login/forgot", data={"email": email, "csrf_token": csrf_of(sign_in.text)}
    )
    assert posted_anyway.status_code == 200 and "no mail server" in posted_anyway.text
    async with db() as session:
        after = await session.scalar(
            select(func.count()).where(OutboxJob.kind == events.PASSWORD_RESET)
        )
    assert after == jobs

    owner = await signed_in(server.base_url, email)
    added = await owner.post("/admin/team", {"email": f"n-{email}", "role": "member"})
    assert added.status_code == 200 and 'id="one-time-password"' in added.text
    await owner.close()
    await visitor.close()
