"""Workers as real processes on a real PostgreSQL, every provider the emulator."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from worker_harness import Workers, wait_for

import reelkit
from reelkit.engine import Step
from reelkit.models import JobState
from reelkit_emulator import RunningServer
from reelkit_worker.service import make_app, queue_of, queues
from reelkit_worker.tasks import ADVANCE

FAST = ("--concurrency", "4", "--stalled-after", "2", "--fetch-interval", "0.1")


def steps_waiting(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute(
            "SELECT count(*) FROM procrastinate_jobs"
            " WHERE task_name = %s AND status IN ('todo', 'doing')",
            (ADVANCE,),
        ).fetchone()
    return int(row[0]) if row else 0


def states(client: reelkit.AsyncClient) -> dict[str, JobState]:
    return {r.id: r.state for r in client.records()}


def test_a_sqlite_journal_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("reelkit")), "worker"],
        env={"PATH": "", "REELKIT_HOME": str(tmp_path), "REELKIT_JOURNAL_URL": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "workers need a PostgreSQL journal" in done.stderr
    assert "REELKIT_JOURNAL_URL" in done.stderr


def test_enqueued_jobs_are_delivered_by_workers(
    service_env: dict[str, str], workers: Workers, emulator: RunningServer
) -> None:
    from reelkit_worker import enqueue

    async def record() -> list[str]:
        async with reelkit.AsyncClient() as client, queues():
            return [
                await enqueue(client, f"a lighthouse, take {i}", provider="sora", duration=4)
                for i in range(6)
            ]

    ids = asyncio.run(record())
    with reelkit.Client() as client:
        assert all(r.state is JobState.PENDING for r in client.records())  # nothing sent yet
        assert emulator.stats()["sora"]["submits"] == 0
        workers.start(2, *FAST)
        wait_for(
            lambda: set(states(client).values()) == {JobState.DOWNLOADED},
            what="every job downloaded",
            explain=workers.output,
        )
        for job_id in ids:
            assert Path(client.result(job_id).path or "").stat().st_size > 0
    assert emulator.stats()["sora"]["submits"] == 6
    wait_for(lambda: steps_waiting(service_env["REELKIT_JOURNAL_URL"]) == 0, what="queue empty")


def test_a_redelivered_step_submits_once(
    service_env: dict[str, str], workers: Workers, emulator: RunningServer
) -> None:
    """The same advance task delivered several times (no locks at all) → one submit."""
    url = service_env["REELKIT_JOURNAL_URL"]

    async def record_and_duplicate() -> str:
        async with reelkit.AsyncClient() as client, queues():
            job_id = await client.record("one cat", provider="sora", duration=4)
            app = await queue_of(client)
            for _ in range(4):  # as a broker redelivering, or a gateway retrying its defer
                await app.configure_task(ADVANCE).defer_async(job_id=job_id)
            return job_id

    job_id = asyncio.run(record_and_duplicate())
    assert steps_waiting(url) == 4
    workers.start(2, *FAST)
    with reelkit.Client() as client:
        wait_for(
            lambda: client.result(job_id).status == "downloaded",
            what="the job downloaded",
            explain=workers.output,
        )
    wait_for(lambda: steps_waiting(url) == 0, what="every duplicate step finished")
    assert emulator.stats()["sora"]["submits"] == 1


def test_concurrent_advances_of_one_recorded_job_submit_once(
    service_env: dict[str, str], emulator: RunningServer
) -> None:
    async def race() -> list[Step]:
        async with reelkit.AsyncClient() as a, reelkit.AsyncClient() as b:
            job_id = await a.record("a race", provider="sora", duration=4)
            return list(await asyncio.gather(*(c.advance(job_id) for c in (a, b, a, b))))

    steps = asyncio.run(race())
    assert emulator.stats()["sora"]["submits"] == 1
    assert sorted(s.did for s in steps).count("submitted") == 1


def test_recording_refuses_inline_media(service_env: dict[str, str]) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with reelkit.Client() as client, pytest.raises(reelkit.InvalidRequest) as caught:
        client.record("from a frame", provider="seedance", first_frame=png)
    assert caught.value.field == "first_frame"


def test_make_app_registers_the_tasks() -> None:
    app = make_app("postgresql://nobody@127.0.0.1:1/none")
    assert ADVANCE in app.tasks


def test_the_gateways_worker_mode_records_and_the_workers_deliver(
    service_env: dict[str, str], workers: Workers, emulator: RunningServer
) -> None:
    from reelkit_gateway.dispatch import Dispatcher
    from reelkit_worker.dispatch import WorkerDispatcher

    async def submit() -> str:
        async with reelkit.AsyncClient() as client:
            dispatcher: Dispatcher = WorkerDispatcher(client)
            record = await dispatcher.submit("a gateway job", {"provider": "sora", "duration": 4})
            assert record.state is JobState.PENDING and dispatcher.following(record.id)
            await dispatcher.close()
            return record.id

    job_id = asyncio.run(submit())
    workers.start(1, *FAST)
    with reelkit.Client() as client:
        wait_for(lambda: client.result(job_id).status == "downloaded", what="the job downloaded")
    assert emulator.stats()["sora"]["submits"] == 1
