"""Webhooks in: Seedance's callback_url, the emulator calling back, a worker downloading."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from worker_harness import Workers, wait_for

import reelkit
import reelkit.engine
from reelkit import callbacks
from reelkit_emulator import RunningServer
from reelkit_emulator.server import base_url_of, bind, make_server
from reelkit_worker import enqueue, queues
from reelkit_worker.webhooks import routes

SECRET = "test-webhook-secret-0123456789"


@pytest.fixture
def gateway(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A tiny service with only ``/webhooks/{provider}``, on loopback; its public URL."""
    monkeypatch.setenv(callbacks.SECRET_ENV, SECRET)
    client = reelkit.AsyncClient()
    sock = bind("127.0.0.1", 0)
    server = make_server(Starlette(routes=routes(client)), log_level="error")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    wait_for(lambda: server.started, what="the webhook server")
    url = base_url_of(sock)
    monkeypatch.setenv(callbacks.PUBLIC_URL_ENV, url)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(10)
        with contextlib.suppress(Exception):
            asyncio.run(client.aclose())


def test_a_callback_finishes_the_job_without_a_poll(
    gateway: str, workers: Workers, emulator: RunningServer
) -> None:
    async def record() -> str:
        async with reelkit.AsyncClient() as client, queues():
            return await enqueue(client, "a lantern at sea", provider="seedance", duration=5)

    job_id = asyncio.run(record())
    # The fallback poll is an hour away: only the callback can finish this job in the test.
    workers.start(
        1,
        "--fetch-interval",
        "0.1",
        REELKIT_POLL_INTERVAL="3600",
        REELKIT_PUBLIC_URL=gateway,
        REELKIT_WEBHOOK_SECRET=SECRET,
    )
    with reelkit.Client() as client:
        wait_for(
            lambda: client.result(job_id).status == "downloaded",
            what="the job downloaded",
            explain=lambda: f"{client.result(job_id)}\n{emulator.stats()}\n{workers.output()}",
        )
    wait_for(lambda: emulator.stats()["seedance"]["callbacks"] == 1, what="the callback counted")
    stats = emulator.stats()["seedance"]
    assert (stats["submits"], stats["callbacks"], stats["polls"]) == (1, 1, 0)
    sent = emulator.tasks("seedance")[0].params["callback_url"]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(sent).query))
    assert sent.startswith(f"{gateway}/webhooks/seedance?")
    assert query == {"job": job_id, "token": callbacks.token(SECRET, job_id)}


def test_a_callback_without_the_jobs_token_changes_nothing(
    gateway: str, emulator: RunningServer
) -> None:
    async def record() -> str:
        async with reelkit.AsyncClient() as client, queues():
            return await client.record("a forged finish", provider="seedance", duration=5)

    job_id = asyncio.run(record())
    body = {"id": "cgt-forged", "status": "succeeded", "content": {"video_url": "http://x/y"}}
    for token in ("", "0" * 64, callbacks.token("another secret", job_id)):
        answer = httpx.post(
            f"{gateway}/webhooks/seedance", params={"job": job_id, "token": token}, json=body
        )
        assert answer.status_code == 404
    with reelkit.Client() as client:
        assert client.result(job_id).status == "pending"


def test_the_callback_url_needs_a_secret() -> None:
    env = {callbacks.PUBLIC_URL_ENV: "https://videos.example.com"}
    with pytest.raises(reelkit.ConfigurationError) as caught:
        callbacks.callback_url(env, "seedance", "rk_1")
    assert caught.value.field == callbacks.SECRET_ENV
    assert callbacks.callback_url({}, "seedance", "rk_1") is None


def test_the_callback_alone_records_the_result(gateway: str, emulator: RunningServer) -> None:
    """No worker runs: the submit is made here, the callback lands at the gateway, and the
    journal then holds the finished task (its video URL) without a single poll."""

    async def submit_and_wait() -> reelkit.engine.Step:
        async with reelkit.AsyncClient() as client, queues():
            job_id = await client.record("a callback only", provider="seedance", duration=5)
            assert (await client.advance(job_id)).did == "submitted"
            await asyncio.to_thread(
                wait_for,
                lambda: client.journal.get(job_id).state is reelkit.JobState.SUCCEEDED,
                what="the callback recorded",
            )
            return await client.advance(job_id)

    step = asyncio.run(submit_and_wait())
    assert (step.did, step.state) == ("downloaded", reelkit.JobState.DOWNLOADED)
    # The fake counts its callback once our answer reached it, a moment after the journal write.
    wait_for(lambda: emulator.stats()["seedance"]["callbacks"] == 1, what="the callback counted")
    stats = emulator.stats()["seedance"]
    assert (stats["submits"], stats["callbacks"], stats["polls"], stats["downloads"]) == (
        1,
        1,
        0,
        1,
    )
