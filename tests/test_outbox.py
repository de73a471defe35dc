"""The outbox and worker on both databases: order per conversation, retries, crash recovery."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from relaydesk import events, hot_sql, outbox
from relaydesk.assistant.brain import BrainContext, BrainReply
from relaydesk.assistant.embedded import EmbeddedBrain
from relaydesk.assistant.replies import ReplyJob
from relaydesk.attachment_urls import AttachmentSigner
from relaydesk.conversations import Effects, add_message, open_conversation
from relaydesk.db import commit, session_factory
from relaydesk.db import create_engine as create_async_engine
from relaydesk.knowledge.documents import IndexCache
from relaydesk.models import Conversation, Message, OutboxJob, Visitor, utcnow
from relaydesk.outbox import Wakeup
from relaydesk.outbox_sql import claim_statement
from relaydesk.realtime import MemoryHub
from relaydesk.settings import WorkerSettings
from relaydesk.worker import RetryLater, Worker

from .databases import migrated_sqlite
from .orgs import Org
from .support import DiedRunner


def settings(**overrides: Any) -> WorkerSettings:
    return WorkerSettings(**{"lease_s": 30.0, "max_attempts": 3, **overrides})


async def put(
    sessions: async_sessionmaker[AsyncSession],
    kind: str,
    key: str,
    n: int,
    *,
    wakeup: Wakeup | None = None,
    run_here: bool = False,
) -> None:
    async with sessions() as session:
        await outbox.enqueue(
            session,
            wakeup or Wakeup(),
            kind,
            {"n": n},
            ordering_key=f"{kind}:{key}",
            dedupe_key=f"{kind}:{key}:{n}",
            run_here=run_here,
        )
        await commit(session)


async def question_asked(
    db: async_sessionmaker[AsyncSession], effects: Effects, org: Org
) -> tuple[Visitor, Conversation, Message]:
    """A new visitor's conversation with one question in it, not answered yet."""
    async with db() as session:
        visitor = Visitor(organization_id=org.id, custom_data={})
        session.add(visitor)
        await session.flush()
        conversation = await open_conversation(session, visitor)
        message = await add_message(
            session, effects, conversation, "visitor", "How long is the return window?"
        )
        await commit(session)
    return visitor, conversation, message


async def jobs_of(sessions: async_sessionmaker[AsyncSession], kind: str) -> list[OutboxJob]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(OutboxJob).where(OutboxJob.kind == kind).order_by(OutboxJob.id)
            )
        )


async def test_jobs_of_one_conversation_run_in_order(db: async_sessionmaker[AsyncSession]) -> None:
    kind = f"test.order.{uuid.uuid4().hex[:6]}"
    seen: list[tuple[str, int]] = []

    async def handler(payload: dict[str, Any]) -> None:
        await asyncio.sleep(0.01 * (3 - payload["n"] % 3))  # later jobs would finish first
        seen.append((payload["key"], payload["n"]))

    for n in range(6):
        for key in ("a", "b"):
            async with db() as session:
                await outbox.enqueue(
                    session,
                    Wakeup(),
                    kind,
                    {"key": key, "n": n},
                    ordering_key=f"{kind}:{key}",
                    dedupe_key=f"{kind}:{key}:{n}",
                )
                await commit(session)
    worker = Worker(db, Wakeup(), {kind: handler}, settings())
    while any(j.state != "done" for j in await jobs_of(db, kind)):
        await worker.run_once()
    for key in ("a", "b"):
        assert [n for k, n in seen if k == key] == list(range(6))


async def test_dedupe_key_keeps_one_job(db: async_sessionmaker[AsyncSession]) -> None:
    kind = f"test.dedupe.{uuid.uuid4().hex[:6]}"
    await put(db, kind, "k", 1)
    await put(db, kind, "k", 1)
    assert len(await jobs_of(db, kind)) == 1


async def test_failure_is_recorded_retried_and_parked(db: async_sessionmaker[AsyncSession]) -> None:
    kind = f"test.fail.{uuid.uuid4().hex[:6]}"
    calls = 0

    async def handler(payload: dict[str, Any]) -> None:
        nonlocal calls
        calls += 1
        raise ValueError("HubSpot said no")

    await put(db, kind, "k", 1)
    await put(db, kind, "k", 2)  # blocked behind the failing job of the same conversation
    worker = Worker(db, Wakeup(), {kind: handler}, settings(max_attempts=2))
    for _ in range(2):
        await worker.run_once()
        async with db() as session:  # make the retry due now instead of after the backoff
            await session.execute(
                update(OutboxJob).where(OutboxJob.kind == kind).values(run_after=utcnow())
            )
            await session.commit()
    first, second = await jobs_of(db, kind)
    assert (first.state, first.attempts, calls) == ("failed", 2, 2)
    assert first.last_error == "ValueError: HubSpot said no"
    assert (second.state, second.attempts) == ("pending", 0)

    async with db() as session:
        assert await outbox.retry_failed(session, [first.id]) == 1
        await session.commit()
    assert (await jobs_of(db, kind))[0].state == "pending"


async def test_retry_later_honours_the_delay(db: async_sessionmaker[AsyncSession]) -> None:
    kind = f"test.later.{uuid.uuid4().hex[:6]}"

    async def handler(payload: dict[str, Any]) -> None:
        raise RetryLater("429 from HubSpot", retry_after_s=7)

    await put(db, kind, "k", 1)
    await Worker(db, Wakeup(), {kind: handler}, settings()).run_once()
    [job] = await jobs_of(db, kind)
    assert job.state == "pending" and job.last_error == "429 from HubSpot"
    assert timedelta(seconds=6) < job.run_after - utcnow() <= timedelta(seconds=7)


async def test_a_job_left_running_by_a_dead_worker_is_taken_over(
    db: async_sessionmaker[AsyncSession],
) -> None:
    kind = f"test.crash.{uuid.uuid4().hex[:6]}"
    done: list[int] = []

    async def handler(payload: dict[str, Any]) -> None:
        done.append(payload["n"])

    await put(db, kind, "k", 1)
    async with db() as session:  # a worker claims the job, then its process dies
        [claimed] = await outbox.claim(session, limit=1, lease_s=0.05, kinds=[kind])
        await session.commit()
    assert claimed.payload["n"] == 1
    other = Worker(db, Wakeup(), {kind: handler}, settings())

    async def taken_over() -> bool:
        await other.run_once()
        return bool(done)

    deadline = asyncio.get_running_loop().time() + 5
    while not await taken_over():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.02)
    [job] = await jobs_of(db, kind)
    assert (job.state, job.attempts, done) == ("done", 2, [1])


async def test_a_claim_takes_run_out_leases_first_and_never_more_than_its_limit(
    db: async_sessionmaker[AsyncSession],
) -> None:
    kind = f"test.limit.{uuid.uuid4().hex[:6]}"
    for key in ("a", "b", "c", "d"):
        await put(db, kind, key, 1)
    async with db() as session:  # a process claims the newest job, then dies
        newest = (await jobs_of(db, kind))[-1].id
        await session.execute(
            update(OutboxJob)
            .where(OutboxJob.id == newest)
            .values(state="running", locked_until=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    async with db() as session:
        first = await outbox.claim(session, limit=2, lease_s=30, kinds=[kind])
        again = await outbox.claim(session, limit=5, lease_s=30, kinds=[kind])
        await session.commit()
    ids = [job.id for job in await jobs_of(db, kind)]
    assert [job.id for job in first] == [ids[0], ids[3]]  # the run-out lease, then the oldest
    assert [job.id for job in again] == [ids[1], ids[2]]


async def test_a_claim_without_the_expired_pass_takes_only_pending_jobs(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """The worker looks for run-out leases once per poll interval; its other claims take only
    pending jobs and leave a run-out lease to that pass."""
    kind = f"test.expired.{uuid.uuid4().hex[:6]}"
    for key in ("a", "b"):
        await put(db, kind, key, 1)
    ids = [job.id for job in await jobs_of(db, kind)]
    async with db() as session:  # a process claimed the first job, then died
        await session.execute(
            update(OutboxJob)
            .where(OutboxJob.id == ids[0])
            .values(state="running", locked_until=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    async with db() as session:
        pending = await outbox.claim(session, limit=5, lease_s=30, kinds=[kind], expired=False)
        expired = await outbox.claim(session, limit=5, lease_s=30, kinds=[kind], expired=True)
        await session.commit()
    assert [job.id for job in pending] == [ids[1]]
    assert [job.id for job in expired] == [ids[0]]


def test_a_claim_walks_the_waiting_index_in_order_and_sorts_no_backlog(tmp_path: Path) -> None:
    """On SQLite the claim reads `ix_outbox_waiting` in id order and stops at its limit; a plan
    that sorted (a temp B-tree) would cost every claim the whole pending backlog."""
    path = migrated_sqlite(tmp_path / "plan.db").split("///", 1)[1]
    engine = create_engine(f"sqlite:///{path}")
    sent: list[tuple[str, Any]] = []
    event.listen(engine, "before_cursor_execute", lambda *a: sent.append((a[2], a[3])))
    now = utcnow()
    values = {"running": [1], "now": now, "until": now, "limit": 1}
    with engine.begin() as connection:
        for kinds, running, expired in itertools.product((False, True), repeat=3):
            shape = ("a", "b") if kinds else None
            connection.execute(claim_statement(shape, running, expired), values)
            statement, parameters = sent[-1]
            plan = " ".join(
                row[3]
                for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            )
            assert "USING INDEX ix_outbox_waiting" in plan and "TEMP B-TREE" not in plan, plan
    engine.dispose()


async def test_a_completion_finds_the_next_job_of_its_key_without_walking_the_backlog(
    tmp_path: Path,
) -> None:
    """Completing a job returns the kind of the next pending job of its conversation. On SQLite
    that lookup goes down `ix_outbox_ordering`: down `ix_outbox_waiting` it walked every pending
    job after this one, a backlog of status reports behind HubSpot's rate limit included."""
    db = session_factory(create_async_engine(migrated_sqlite(tmp_path / "complete.db")))
    await put(db, "test.status", "k", 0)  # the first of the conversation,
    for n in range(3):
        await put(db, "test.status", f"other{n}", n)  # a backlog of others,
    await put(db, "test.status", "k", 1)  # and the next of it
    async with db() as session:
        [first] = await outbox.claim(session, limit=1, lease_s=30, kinds=["test.status"])
        sent: list[str] = []
        hot_sql.listeners.append(sent.append)
        try:
            followed = await outbox.complete(session, first.id)
        finally:
            hot_sql.listeners.remove(sent.append)
        await session.commit()
        connection = await session.connection()
        explained = await connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {sent[-1]}", (None,) * sent[-1].count("?")
        )
        plan = " ".join(row[3] for row in explained)
    assert first.payload == {"n": 0} and followed == "test.status"
    assert "ix_outbox_ordering" in plan and "ix_outbox_waiting" not in plan, plan


async def test_wakeup_starts_the_job_without_waiting_for_the_poll(
    db: async_sessionmaker[AsyncSession],
) -> None:
    kind = f"test.wake.{uuid.uuid4().hex[:6]}"
    ran = asyncio.Event()

    async def handler(payload: dict[str, Any]) -> None:
        ran.set()

    wakeup = Wakeup()
    worker = Worker(db, wakeup, {kind: handler}, settings(poll_interval_s=30))
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.05)  # let the worker go idle on its 30 s poll
    async with db() as session:
        await outbox.enqueue(session, wakeup, kind, {}, ordering_key="w", dedupe_key=kind)
        await commit(session)
    await asyncio.wait_for(ran.wait(), 5)
    worker.stop()
    await task


async def run_held_back(
    db: async_sessionmaker[AsyncSession], concurrency: int, jobs: list[tuple[str, int]]
) -> list[tuple[str, int]]:
    """Run `jobs` (key, n) with the poll 30 s away; the order they finished in."""
    kind = f"test.next.{uuid.uuid4().hex[:6]}"
    done: list[tuple[str, int]] = []
    all_done = asyncio.Event()

    async def handler(payload: dict[str, Any]) -> None:
        await asyncio.sleep(0.05)
        done.append((payload["key"], payload["n"]))
        if len(done) == len(jobs):
            all_done.set()

    wakeup = Wakeup()
    worker = Worker(
        db, wakeup, {kind: handler}, settings(poll_interval_s=30, concurrency=concurrency)
    )
    async with db() as session:
        for key, n in jobs:
            await outbox.enqueue(
                session, wakeup, kind, {"key": key, "n": n},
                ordering_key=f"{kind}:{key}", dedupe_key=f"{kind}:{key}:{n}",
            )  # fmt: skip
        await commit(session)
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.wait_for(all_done.wait(), 5)
    finally:
        worker.stop()
        await task
    return done


async def test_a_job_held_back_starts_when_what_held_it_ends_not_at_the_poll(
    db: async_sessionmaker[AsyncSession],
) -> None:
    # The next job of a conversation, with slots to spare: the claim skipped it.
    assert await run_held_back(db, 4, [("a", 0), ("a", 1)]) == [("a", 0), ("a", 1)]
    # A job that found the only slot taken.
    assert await run_held_back(db, 1, [("a", 0), ("b", 0)]) == [("a", 0), ("b", 0)]


async def test_concurrent_claimers_never_take_the_same_job(
    db: async_sessionmaker[AsyncSession],
) -> None:
    kind = f"test.claimers.{uuid.uuid4().hex[:6]}"
    for n in range(40):
        await put(db, kind, f"k{n}", n)

    async def claimer() -> list[int]:
        taken: list[int] = []
        while True:
            async with db() as session:
                jobs = await outbox.claim(session, limit=3, lease_s=30, kinds=[kind])
                await session.commit()
            if not jobs:
                return taken
            taken += [job.id for job in jobs]

    claims = await asyncio.gather(*(claimer() for _ in range(4)))
    taken = [job_id for claim in claims for job_id in claim]
    assert len(taken) == len(set(taken)) == 40
    assert {job.attempts for job in await jobs_of(db, kind)} == {1}


async def test_a_job_waiting_on_hubspot_holds_only_its_own_slot(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """A slow job (a rate-limit wait, a slow answer) does not hold back jobs written after it,
    and no more than `concurrency` jobs run at once."""
    kind = f"test.slots.{uuid.uuid4().hex[:6]}"
    release = asyncio.Event()
    running, most, finished = 0, 0, []

    async def handler(payload: dict[str, Any]) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        try:
            if payload["slow"]:
                await release.wait()
            else:
                await asyncio.sleep(0.05)
        finally:
            running -= 1
        finished.append(payload["n"])

    async def write(n: int, slow: bool) -> None:
        async with db() as session:
            await outbox.enqueue(session, wakeup, kind, {"n": n, "slow": slow},
                                 ordering_key=f"{kind}:{n}", dedupe_key=f"{kind}:{n}")  # fmt: skip
            await commit(session)

    wakeup = Wakeup()
    worker = Worker(db, wakeup, {kind: handler}, settings(poll_interval_s=30, concurrency=3))
    task = asyncio.create_task(worker.run())
    await write(0, slow=True)
    await asyncio.sleep(0.1)  # the slow job is running
    for n in range(1, 9):
        await write(n, slow=False)

    async def quick_ones_done() -> bool:
        return len(finished) == 8

    deadline = asyncio.get_running_loop().time() + 10
    while not await quick_ones_done():
        assert asyncio.get_running_loop().time() < deadline, finished
        await asyncio.sleep(0.02)
    assert 0 not in finished and most == 3
    release.set()
    worker.stop()
    await task
    assert finished[-1] == 0 and [j.state for j in await jobs_of(db, kind)] == ["done"] * 9


async def test_a_job_running_past_its_lease_keeps_it(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """A handler slower than the lease renews it: neither this worker nor another one starts
    the same job a second time while it runs."""
    kind = f"test.lease.{uuid.uuid4().hex[:6]}"
    runs = 0

    async def handler(payload: dict[str, Any]) -> None:
        nonlocal runs
        runs += 1
        await asyncio.sleep(3.6)

    wakeup = Wakeup()
    # A lease of 1.2 s renewed every 0.4 s: the handler outlives three leases, and a loop
    # stalled for less than 0.8 s on a loaded machine (a PostgreSQL commit behind the rest of
    # the suite) does not let the lease lapse.
    quick = settings(lease_s=1.2, poll_interval_s=0.05)
    workers = [Worker(db, wakeup, {kind: handler}, quick) for _ in range(2)]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    await put(db, kind, "one", 1)

    deadline = asyncio.get_running_loop().time() + 10
    while [j.state for j in await jobs_of(db, kind)] != ["done"]:
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)
    for worker in workers:
        worker.stop()
    await asyncio.gather(*tasks)
    assert runs == 1


async def test_ai_reply_job_run_twice_answers_once(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    effects = Effects(MemoryHub(), Wakeup(), AttachmentSigner("secret", 3600))
    _, conversation, message = await question_asked(db, effects, org)
    job = ReplyJob(db, effects, EmbeddedBrain(), IndexCache())
    payload = {"conversation_id": conversation.id, "message_id": message.id}
    await asyncio.gather(job(payload), job(payload))
    await job(payload)
    async with db() as session:
        replies = list(
            await session.scalars(
                select(Message).where(
                    Message.conversation_id == conversation.id, Message.role == "ai"
                )
            )
        )
    assert len(replies) == 1 and "30 days" in replies[0].text


class SlowBrain(EmbeddedBrain):
    """The embedded brain, answering after a pause as a language model's first token does."""

    async def reply(self, context: BrainContext) -> BrainReply:
        await asyncio.sleep(0.5)
        return await super().reply(context)


class Recorder:
    """A hub listener that keeps the frames of its channel."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def deliver(self, frame: str) -> None:
        self.seen.append(json.loads(frame))

    def resync(self) -> None:
        pass

    def close(self) -> None:
        pass


async def test_the_ais_typing_frame_comes_only_when_its_answer_takes_a_moment(
    db: async_sessionmaker[AsyncSession], org: Org
) -> None:
    """An answer ready at once is pushed without a typing frame before it; a slow one has
    "typing" first, then the answer."""
    hub = MemoryHub()
    effects = Effects(hub, Wakeup(), AttachmentSigner("secret", 3600))
    seen: dict[str, list[str]] = {}
    for name, brain in (("quick", EmbeddedBrain()), ("slow", SlowBrain())):
        visitor, conversation, message = await question_asked(db, effects, org)
        recorder = Recorder()
        hub.attach(events.visitor_channel(visitor.id), recorder)
        job = ReplyJob(db, effects, brain, IndexCache())
        await job({"conversation_id": conversation.id, "message_id": message.id})
        seen[name] = [
            f"{frame['type']}:{frame.get('role') or frame['message']['role']}"
            for frame in recorder.seen
        ]
    assert seen == {"quick": ["message.created:ai"], "slow": ["typing:ai", "message.created:ai"]}


async def test_a_job_run_here_starts_leased_without_a_claim_and_ends_in_its_handlers_commit(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """With a worker running in this process, a `run_here` job is written running and leased
    to it and started after commit; a handler that completes it in its own transaction leaves
    the worker nothing to write. The worker is never woken and never polls here (a poll
    interval of a minute), so the job ran because it was handed over, not claimed."""
    kind = f"test.here.{uuid.uuid4().hex[:6]}"
    seen_states: list[tuple[str, int]] = []

    async def handler(payload: dict[str, Any]) -> None:
        async with db() as session:
            row = (await jobs_of(db, kind))[0]
            seen_states.append((row.state, row.attempts))
            await outbox.complete_current(session)
            await commit(session)

    class Silent(Wakeup):
        async def notify(self) -> None:
            pass

    wakeup = Silent()
    worker = Worker(db, wakeup, {kind: handler}, settings(poll_interval_s=60))
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.1)  # the worker's first (empty) claim is behind it
    await put(db, kind, "a", 1, wakeup=wakeup, run_here=True)
    deadline = asyncio.get_running_loop().time() + 10
    while [j.state for j in await jobs_of(db, kind)] != ["done"]:
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.02)
    worker.stop()
    await task
    [job] = await jobs_of(db, kind)
    assert seen_states == [("running", 1)] and job.attempts == 1 and job.locked_until is None
    assert worker.processed == 1


async def test_a_job_run_here_behind_a_waiting_one_of_its_key_waits_its_turn(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """Order per conversation holds: a second job of the same key, written while the first one
    runs, is written pending and runs only after the first has ended."""
    kind = f"test.here.order.{uuid.uuid4().hex[:6]}"
    seen: list[int] = []
    release = asyncio.Event()

    async def handler(payload: dict[str, Any]) -> None:
        if payload["n"] == 1:
            await release.wait()
        seen.append(payload["n"])

    wakeup = Wakeup()
    worker = Worker(db, wakeup, {kind: handler}, settings(poll_interval_s=0.05))
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.1)
    await put(db, kind, "a", 1, wakeup=wakeup, run_here=True)
    await put(db, kind, "a", 2, wakeup=wakeup, run_here=True)
    states = [(j.state, j.attempts) for j in await jobs_of(db, kind)]
    assert states == [("running", 1), ("pending", 0)]
    await asyncio.sleep(0.3)
    assert seen == []  # the second waits for the first, which waits for its release
    release.set()
    deadline = asyncio.get_running_loop().time() + 10
    while [j.state for j in await jobs_of(db, kind)] != ["done", "done"]:
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.02)
    worker.stop()
    await task
    assert seen == [1, 2]


async def test_a_job_run_here_by_a_process_that_died_is_claimed_once_its_lease_ran_out(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """The process that wrote a job leased to itself died before running it: once the lease
    has run out another worker claims and runs it."""
    kind = f"test.here.died.{uuid.uuid4().hex[:6]}"
    ran: list[int] = []

    wakeup = Wakeup()
    wakeup.runner = DiedRunner(lease_s=0.3)
    await put(db, kind, "a", 1, wakeup=wakeup, run_here=True)
    assert [(j.state, j.attempts) for j in await jobs_of(db, kind)] == [("running", 1)]

    async def handler(payload: dict[str, Any]) -> None:
        ran.append(payload["n"])

    other = Worker(db, Wakeup(), {kind: handler}, settings())
    assert await other.run_once() == 0  # still leased
    await asyncio.sleep(0.4)
    assert await other.run_once() == 1
    [job] = await jobs_of(db, kind)
    assert ran == [1] and job.state == "done" and job.attempts == 2


async def test_without_a_worker_here_a_run_here_job_is_written_pending(
    db: async_sessionmaker[AsyncSession],
) -> None:
    kind = f"test.here.none.{uuid.uuid4().hex[:6]}"
    await put(db, kind, "a", 1, wakeup=Wakeup(), run_here=True)
    assert [(j.state, j.attempts) for j in await jobs_of(db, kind)] == [("pending", 0)]
