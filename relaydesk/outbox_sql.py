"""The outbox's statements, built once (building one costs more than running it)."""

from __future__ import annotations

import functools
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Exists,
    Select,
    String,
    Table,
    Update,
    and_,
    bindparam,
    case,
    exists,
    literal,
    null,
    select,
    text,
    true,
    update,
)

from .db import hot_insert_or_skip, insert_or_skip
from .hot_sql import Hot
from .models import JobState, OutboxJob

JOBS = cast(Table, OutboxJob.__table__)
EARLIER = JOBS.alias("earlier")
WAITING = (JobState.PENDING, JobState.RUNNING, JobState.FAILED)


# The job's row, pending, unless a job of its dedupe key is already there.
PENDING_INSERT = hot_insert_or_skip(
    JOBS,
    "dedupe_key",
    ["kind", "payload", "ordering_key", "dedupe_key", "organization_id", "state"]
    + ["run_after", "attempts", "created_at", "updated_at"],
)


def job_waiting(ordering_key: ColumnElement[Any]) -> Exists:
    """Whether a job of `ordering_key` is waiting (pending, running or failed): work of that key
    that starts now would overtake it."""
    waiting = [literal(state.value) for state in WAITING]  # values, not an expanding list
    return exists().where(EARLIER.c.ordering_key == ordering_key, EARLIER.c.state.in_(waiting))


# The columns `leased_row` gives values for, in its order.
LEASED_COLUMNS = ["kind", "payload", "ordering_key", "dedupe_key", "organization_id", "state"]
LEASED_COLUMNS += ["run_after", "locked_until", "attempts", "created_at", "updated_at"]


def leased_row(
    prefix: str = "", *, leased: bool = True, payload: ColumnElement[Any] | None = None
) -> Select[Any]:
    """A job's values, running and leased until `until` unless an earlier job of its ordering
    key is waiting (then pending, as `enqueue` writes it otherwise); each parameter is named
    `prefix` and the column's name (`until`: the lease's end), the payload unless it is given
    as an expression. `leased=False`: pending."""
    jobs = JOBS.c

    def given(name: str) -> BindParameter[Any]:
        return bindparam(prefix + name, type_=jobs[name].type)

    pending = literal(JobState.PENDING.value)
    state: ColumnElement[Any] = pending
    until: ColumnElement[Any] = null()
    attempts: ColumnElement[Any] = literal(0)
    if leased:
        earlier = job_waiting(given("ordering_key"))
        state = case((earlier, pending), else_=literal(JobState.RUNNING.value))
        lease_end = bindparam(prefix + "until", type_=jobs.locked_until.type)
        until, attempts = case((earlier, null()), else_=lease_end), case((earlier, 0), else_=1)
    return select(
        given("kind"),
        given("payload") if payload is None else payload,
        given("ordering_key"),
        given("dedupe_key"),
        given("organization_id"),
        state,
        given("run_after"),
        until,
        attempts,
        given("created_at"),
        given("updated_at"),
    )


@functools.cache
def leased_insert(dialect: str) -> Hot:
    """The job's row as `leased_row` gives it, in one statement; a job of its dedupe key
    already there is kept as it is."""
    row = leased_row().where(true())  # SQLite reads `SELECT … ON CONFLICT` as a join otherwise
    written = insert_or_skip(dialect, JOBS, "dedupe_key").from_select(LEASED_COLUMNS, row)
    return Hot(written.returning(JOBS.c.id, JOBS.c.state))


@functools.cache
def claim_statement(kinds: tuple[str, ...] | None, but_running: bool, expired: bool) -> Update:
    """The claim of pending jobs that are due, or with `expired` of running jobs whose lease ran
    out, oldest first, of the given kinds if any; built once per shape (building it cost more
    than running it). The kinds are values in the statement, not an expanding list, so only
    `but_running` (the caller's own running jobs, for the expired pass) needs compiling again.

    One state per statement, so the walk goes down `ix_outbox_waiting` (state, id) in id order
    and stops at the limit: a backlog of pending jobs costs a claim only the rows it takes and
    the blocked ones it passes, not a sort of the whole backlog."""
    jobs = JOBS.c
    waiting = [literal(state.value) for state in WAITING]  # values, not an expanding list
    blocked = exists().where(
        EARLIER.c.ordering_key == jobs.ordering_key,
        EARLIER.c.id < jobs.id,
        EARLIER.c.state.in_(waiting),
    )
    if expired:
        runnable = and_(jobs.state == JobState.RUNNING, jobs.locked_until < bindparam("now"))
    else:
        runnable = and_(jobs.state == JobState.PENDING, jobs.run_after <= bindparam("now"))
    if kinds is not None:
        runnable = and_(runnable, jobs.kind.in_([literal(kind) for kind in kinds]))
    if but_running:
        runnable = and_(runnable, jobs.id.not_in(bindparam("running", expanding=True)))
    chosen = (
        select(jobs.id)
        .where(runnable, ~blocked)
        .order_by(jobs.id)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
    return (
        update(JOBS)
        .where(jobs.id.in_(chosen.scalar_subquery()))
        .values(
            state=JobState.RUNNING,
            locked_until=bindparam("until"),
            attempts=jobs.attempts + 1,
            updated_at=bindparam("now"),
        )
        .returning(jobs.id, jobs.kind, jobs.payload, jobs.attempts)
    )


@functools.cache
def pending_claim(kinds: tuple[str, ...] | None) -> Hot:
    """The claim of due pending jobs, run on the driver's connection. It needs no list of the
    caller's running jobs: those are running, not pending."""
    return Hot(claim_statement(kinds, False, False))


def complete_statement(follower: str) -> Hot:
    """The job done, returning the kind of the next pending job of its ordering key (`follower`
    finds it). Built by hand: SQLAlchemy renders the columns of a RETURNING clause's subquery
    unqualified."""
    return Hot(
        text(
            "UPDATE outbox_jobs SET state = 'done', locked_until = NULL, last_error = NULL, "
            f"updated_at = :now WHERE id = :job_id RETURNING ({follower}) AS followed"
        )
        .bindparams(bindparam("now", type_=JOBS.c.updated_at.type), bindparam("job_id"))
        .columns(followed=String)
    )


FOLLOWER = (
    "SELECT later.kind FROM outbox_jobs AS later WHERE later.ordering_key = {key} "
    "AND later.id > {job} AND {state} = 'pending' ORDER BY later.id LIMIT 1"
)
COMPLETE = {
    "postgresql": complete_statement(
        FOLLOWER.format(key="outbox_jobs.ordering_key", job="outbox_jobs.id", state="later.state")
    ),
    # SQLite looks the follower up down `ix_outbox_ordering` only when the key is a value (it
    # cannot in a RETURNING clause's correlated subquery) and the state is no index term (`+`):
    # otherwise it walks every pending job after this one, the whole backlog behind HubSpot's
    # rate limit (0.19 ms of CPU per completion with 1,000 pending, 0.07 this way).
    "sqlite": complete_statement(
        FOLLOWER.format(
            key="(SELECT done.ordering_key FROM outbox_jobs AS done WHERE done.id = :job_id)",
            job=":job_id",
            state="+later.state",
        )
    ),
}
