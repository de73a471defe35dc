"""The worker claims only the kinds it has handlers for, so a kind missing from the table would
wait in the outbox for ever: the table names every job kind `events` declares."""

from pathlib import Path

from relaydesk import events
from relaydesk.runtime import Runtime
from relaydesk.runtime.job_table import job_table

from .support import free_port, server_settings


async def test_every_job_kind_has_its_handler(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'relaydesk.db'}"
    runtime = Runtime.build(server_settings(url, tmp_path, free_port()))
    try:
        table = job_table(runtime)
        assert sorted(table.handlers) == sorted(events.JOB_KINDS)
        assert all(callable(handler) for handler in table.handlers.values())
    finally:
        await runtime.close()
