"""The whole service: ``reelkit serve --workers`` only records and enqueues, ``reelkit worker``
processes submit, poll and download, a Seedance callback lands at the gateway's own
``/webhooks/seedance``, and the official openai SDK drives it all unchanged."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from worker_harness import Workers, wait_for

from reelkit_emulator import RunningServer

openai = pytest.importorskip("openai")

SECRET = "test-webhook-secret-gateway-0123456789"


@pytest.fixture
def served(service_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """``reelkit serve --workers --no-auth`` as a real process; its base URL."""
    log = tmp_path / "gateway.log"
    env = {**os.environ, **service_env, "REELKIT_WEBHOOK_SECRET": SECRET}
    env.pop("OPENAI_BASE_URL", None)
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "reelkit_gateway", "--port", "0", "--no-auth", "--workers"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            cwd=tmp_path,
        )

    def up() -> str | None:
        if process.poll() is not None:
            raise AssertionError(f"the gateway exited: {log.read_text()}")
        found = re.search(r"on (http://\S+)/v1", log.read_text("utf-8", "replace"))
        if not found:
            return None
        try:
            ok = httpx.get(found.group(1) + "/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return None
        return found.group(1) if ok else None

    try:
        url: str = wait_for(up, what="the gateway", explain=log.read_text)
        assert "jobs go to reelkit worker" in log.read_text()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_sdk_through_a_gateway_that_only_enqueues(
    served: str, workers: Workers, emulator: RunningServer, tmp_path: Path
) -> None:
    # Workers register callbacks to the gateway's public URL, and poll only as a slow fallback
    # for seedance: its callback finishes the job.
    workers.start(
        1,
        "--fetch-interval",
        "0.1",
        REELKIT_PUBLIC_URL=served,
        REELKIT_WEBHOOK_SECRET=SECRET,
    )
    client = openai.OpenAI(base_url=served + "/v1", api_key="unused", max_retries=0)
    made = {}
    for model in ("seedance/seedance-1-0-pro-250528", "sora/sora-2"):
        video = client.videos.create_and_poll(
            model=model, prompt=f"a lighthouse, by {model}", seconds="4", poll_interval_ms=100
        )
        assert video.status == "completed", (video, workers.output())
        content = client.videos.download_content(video.id)
        path = tmp_path / f"{video.id}.mp4"
        content.write_to_file(path)
        assert path.read_bytes()[4:8] == b"ftyp"
        made[model.split("/")[0]] = video.id
    stats = emulator.stats()
    assert stats["sora"]["submits"] == 1
    assert stats["seedance"]["submits"] == 1
    wait_for(lambda: emulator.stats()["seedance"]["callbacks"] == 1, what="the callback counted")
    sent = emulator.tasks("seedance")[0].params["callback_url"]
    assert sent.startswith(f"{served}/webhooks/seedance?job={made['seedance']}&")
    # A forged callback at the gateway is refused without saying whether the job exists.
    forged = httpx.post(
        f"{served}/webhooks/seedance",
        params={"job": made["seedance"], "token": "0" * 64},
        json={"id": "cgt-forged", "status": "succeeded"},
    )
    assert forged.status_code == 404


def test_workers_mode_refuses_a_sqlite_journal(tmp_path: Path) -> None:
    env = {**os.environ, "REELKIT_HOME": str(tmp_path), "REELKIT_JOURNAL_URL": ""}
    env.pop("REELKIT_JOURNAL_URL")
    done = subprocess.run(
        [sys.executable, "-m", "reelkit_gateway", "--port", "0", "--no-auth", "--workers"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "PostgreSQL journal" in done.stderr
