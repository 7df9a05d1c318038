"""The queue on the journal's PostgreSQL: building the procrastinate app, applying its schema,
enqueueing jobs, scheduling a step now (webhooks) and running a worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import procrastinate

from reelkit.errors import ConfigurationError
from reelkit.journal.urls import is_postgres

from .tasks import STALLED_AFTER_S, defer_advance, tasks

if TYPE_CHECKING:
    from reelkit import AsyncClient

log = logging.getLogger("reelkit.worker")
# Taken while the schema is checked and applied, so workers starting together apply it once.
_SCHEMA_LOCK = 0x7265656C  # "reel"
_apps: dict[tuple[str, int], procrastinate.App] = {}


def journal_url(client: AsyncClient) -> str:
    """The client's journal URL, which must be PostgreSQL: the queue lives beside the journal."""
    url = client.settings.env.get("REELKIT_JOURNAL_URL") or client.settings.files.get("journal")
    if not isinstance(url, str) or not is_postgres(url.strip()):
        raise ConfigurationError(
            "REELKIT_JOURNAL_URL",
            "workers need a PostgreSQL journal: the task queue lives in its database, and a "
            "SQLite file cannot be shared by workers on several hosts",
            allowed="postgresql://USER@HOST/DB",
        )
    return url.strip()


def make_app(url: str) -> procrastinate.App:
    """A procrastinate app with reelkit's tasks on the database at ``url`` (not opened)."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))
    app.add_tasks_from(tasks, namespace="")
    return app


async def ensure_schema(app: procrastinate.App) -> None:
    """Apply procrastinate's schema once (it is not idempotent), under an advisory lock."""
    connector = app.connector
    assert isinstance(connector, procrastinate.PsycopgConnector)
    pool = connector.pool
    async with pool.connection() as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            cursor = await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
            row = await cursor.fetchone()
            if not (row and row[0]):
                await conn.commit()
                await app.schema_manager.apply_schema_async()
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))
            await conn.commit()


async def queue_of(client: AsyncClient) -> procrastinate.App:
    """The opened app for the client's journal in this event loop (opened and schema'd once)."""
    url = journal_url(client)
    key = (url, id(asyncio.get_running_loop()))
    app = _apps.get(key)
    if app is None:
        app = make_app(url)
        await app.open_async()
        await ensure_schema(app)
        _apps[key] = app
    return app


async def enqueue(client: AsyncClient, prompt: str, **generate_kwargs: Any) -> str:
    """Record the job ``client.generate(prompt, **generate_kwargs)`` would make and defer its
    first step; return the journal's job id. Nothing is sent here: a worker submits it.

    An identical job already open or delivered is not recorded twice: its id is returned (and
    its next step scheduled, which is harmless if one already waits).
    """
    job_id = await client.record(prompt, **generate_kwargs)
    await defer_advance(await queue_of(client), job_id)
    return job_id


async def schedule_now(client: AsyncClient, job_id: str) -> None:
    """Run the job's next step as soon as a worker is free (a webhook said it changed): the
    waiting step (the fallback poll) is brought forward, or, if none waits, one is deferred."""
    app = await queue_of(client)
    moved = await app.connector.execute_query_all_async(
        "UPDATE procrastinate_jobs SET scheduled_at = NULL"
        " WHERE queueing_lock = %(lock)s AND status = 'todo' RETURNING id",
        lock=job_id,
    )
    if not moved:
        await defer_advance(app, job_id)


async def run_worker(
    client: AsyncClient,
    *,
    concurrency: int = 8,
    stalled_after: float = STALLED_AFTER_S,
    fetch_interval: float = 1.0,
) -> None:
    """Run one worker until SIGINT/SIGTERM: up to ``concurrency`` job steps at once."""
    app = await queue_of(client)
    name = f"reelkit-{socket.gethostname()}-{os.getpid()}"
    await app.run_worker_async(
        name=name,
        concurrency=concurrency,
        additional_context={"client": client, "stalled_after": stalled_after},
        # Scheduled steps are found by polling the queue (inserts also notify).
        fetch_job_polling_interval=fetch_interval,
        update_heartbeat_interval=max(stalled_after / 4, 0.5),
        stalled_worker_timeout=stalled_after,
        delete_jobs="successful",
        install_signal_handlers=True,
    )


@contextlib.asynccontextmanager
async def queues() -> AsyncIterator[None]:
    """Close this event loop's queue connections on leaving (a gateway's lifespan, a script)."""
    try:
        yield
    finally:
        await close_queues()


async def close_queues() -> None:
    """Close the queue connections ``enqueue`` and ``schedule_now`` opened in this loop."""
    for key, app in list(_apps.items()):
        if key[1] == id(asyncio.get_running_loop()):
            await app.close_async()
            del _apps[key]
